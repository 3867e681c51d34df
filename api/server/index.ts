// The node API server (apid): what machined and the tests import from api/server.
export { issueClientCertificate, issueServerCertificate, selfSignedCertificate } from './certs.js';
export type { ServerTls } from './credentials.js';
export type { NodeOps } from './ops.js';
export { ROLES } from './roles.js';
export { startApiServer, type ApiServer, type ApiServerOptions } from './server.js';
export {
  TOKEN_METADATA,
  TRUSTD_PORT,
  startTrustdServer,
  tokenMatches,
  type SignedCertificate,
  type TrustdServer,
  type TrustdServerOptions,
} from './trustd.js';
