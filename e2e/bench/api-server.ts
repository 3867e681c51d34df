// The node API the benches talk to: a fresh CA, a server certificate for 127.0.0.1, a reader client certificate.
import { generateRsaKey, selfSignedCa } from '../../api/config-gen/pki.js';
import {
  issueClientCertificate,
  issueServerCertificate,
  startApiServer,
  type NodeOps,
} from '../../api/server/index.js';
import type { State } from '../../resources/index.js';

/** A running bench API server and the PEM material a client needs to reach it. */
export interface BenchApi {
  /** `127.0.0.1:PORT`. */
  readonly endpoint: string;
  readonly caPem: string;
  readonly client: { readonly certPem: string; readonly keyPem: string };
  close(): Promise<void>;
}

/** Serves `state` over mTLS on an ephemeral loopback port; the benches call only the resource API. */
export async function startBenchApi(state: State): Promise<BenchApi> {
  const ca = selfSignedCa(await generateRsaKey(), { commonName: 'bench', organization: ['bench'] }, new Date());
  const pair = { caCertPem: ca.crt, caKeyPem: ca.key };
  const server = issueServerCertificate({ ...pair, dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const client = issueClientCertificate({ ...pair, roles: ['os:reader'] });
  const api = await startApiServer({
    state,
    // No machine operation is called by a bench (readers could not call most of them anyway).
    ops: {} as NodeOps,
    host: '127.0.0.1',
    port: 0,
    tls: { mode: 'secure', caPem: ca.crt, certPem: server.certPem, keyPem: server.keyPem },
  });
  return { endpoint: `127.0.0.1:${api.port}`, caPem: ca.crt, client, close: () => api.close() };
}
