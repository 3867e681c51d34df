// trustd: the CSR signer of control-plane nodes (securityapi.SecurityService, port 50001). It serves TLS with the
// node's API server certificate and asks for no client certificate: the join token in the `token` metadata
// authenticates each call, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Server, status, type ServerUnaryCall, type StatusObject, type sendUnaryData } from '@grpc/grpc-js';
import { toStatus } from '../codec/index.js';
import { SECURITY_SERVICE } from '../proto/load.js';
import { serverOnlyCredentials } from './credentials.js';

/** trustd's port on control-plane nodes, as in Talos. */
export const TRUSTD_PORT = 50001;

/** The metadata key the join token travels in (Talos's name). */
export const TOKEN_METADATA = 'token';

/** A CSR larger than this is refused unread: callers are not authenticated until their token is checked. */
const MAX_CSR_BYTES = 16 * 1024;

/** How long close() lets calls in flight finish before cutting connections. */
const CLOSE_GRACE_MS = 2000;

/** What trustd signed: the certificate and the CA it chains to (PEM). */
export interface SignedCertificate {
  readonly ca: string;
  readonly crt: string;
}

/** How to start trustd. */
export interface TrustdServerOptions {
  /** The address to listen on (default 0.0.0.0). */
  readonly host?: string;
  /** The port; 0 picks a free one (see TrustdServer.port). */
  readonly port: number;
  /** The server certificate and key (PEM): the node's API server certificate. */
  readonly tls: { certPem: string; keyPem: string };
  /** The join token callers must present, read at each call; '' refuses every call. */
  readonly token: () => string;
  /**
   * Signs a CSR (PEM) from `peer`. Errors with `code` 'InvalidCsr' become INVALID_ARGUMENT, 'CsrNotAllowed'
   * PERMISSION_DENIED, 'Unavailable' UNAVAILABLE; anything else INTERNAL.
   */
  readonly sign: (csrPem: string, peer: string) => SignedCertificate | Promise<SignedCertificate>;
  /** Where refusals are reported (no token or key material is ever in a message). */
  readonly log?: (level: 'info' | 'warn', msg: string) => void;
}

/** A running trustd. */
export interface TrustdServer {
  /** The port it listens on. */
  readonly port: number;
  /** Serves a new certificate to connections made from now on. */
  updateCertificate(tls: { certPem: string; keyPem: string }): void;
  /** Stops accepting and resolves once calls in flight are done (cut after a short grace); idempotent. */
  close(): Promise<void>;
}

/** True when `given` equals `want`, compared in constant time (over SHA-256 digests: equal lengths); never for ''. */
export function tokenMatches(given: string | undefined, want: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  const same = timingSafeEqual(digest(given ?? ''), digest(want));
  return same && given !== undefined && want !== '';
}

/** The status of a failed signing: the CSR codes by their literal `code`, everything else as the API maps it. */
function signingStatus(e: unknown): Partial<StatusObject> {
  const code = (e as { code?: unknown } | null)?.code;
  const details = e instanceof Error ? e.message : String(e);
  if (code === 'InvalidCsr') return { code: status.INVALID_ARGUMENT, details };
  if (code === 'CsrNotAllowed') return { code: status.PERMISSION_DENIED, details };
  if (code === 'Unavailable') return { code: status.UNAVAILABLE, details };
  return toStatus(e);
}

type CertificateCall = ServerUnaryCall<{ csr: Buffer }, { ca: Buffer; crt: Buffer }>;

/** Starts trustd and resolves once it listens. */
export async function startTrustdServer(o: TrustdServerOptions): Promise<TrustdServer> {
  const log = o.log ?? (() => undefined);
  const certificate = (call: CertificateCall, callback: sendUnaryData<{ ca: Buffer; crt: Buffer }>): void => {
    const peer = call.getPeer();
    const values = call.metadata.get(TOKEN_METADATA);
    const given = values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
    const want = o.token();
    if (!tokenMatches(given, want)) {
      const why =
        want === ''
          ? 'this node has no join token (machine.token)'
          : given === undefined
            ? 'missing token'
            : 'invalid token';
      log('warn', `refused a certificate request from ${peer}: ${why}`);
      callback({ code: status.UNAUTHENTICATED, details: why });
      return;
    }
    const csr = call.request.csr;
    if (csr.length > MAX_CSR_BYTES) {
      callback({ code: status.INVALID_ARGUMENT, details: `the CSR is ${csr.length} bytes; at most ${MAX_CSR_BYTES}` });
      return;
    }
    Promise.resolve()
      .then(() => o.sign(csr.toString('utf8'), peer))
      .then(
        (r) => {
          callback(null, { ca: Buffer.from(r.ca), crt: Buffer.from(r.crt) });
        },
        (e: unknown) => {
          const s = signingStatus(e);
          log('warn', `refused a certificate request from ${peer}: ${s.details ?? ''}`);
          callback(s);
        },
      );
  };

  const server = new Server({ 'grpc.max_receive_message_length': 4 * MAX_CSR_BYTES });
  server.addService(SECURITY_SERVICE, { Certificate: certificate });
  const creds = serverOnlyCredentials(o.tls);
  const host = o.host ?? '0.0.0.0';
  const address = `${host.includes(':') ? `[${host}]` : host}:${o.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, creds.credentials, (err, p) => {
      if (err === null) resolve(p);
      else reject(new Error(`cannot serve trustd on ${address}: ${err.message}`, { cause: err }));
    });
  });

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const done = new Promise<void>((resolve) => {
      server.tryShutdown(() => {
        resolve();
      });
    });
    const force = setTimeout(() => {
      server.forceShutdown();
    }, CLOSE_GRACE_MS);
    await done;
    clearTimeout(force);
  };
  return { port, updateCertificate: creds.update, close: () => (closing ??= close()) };
}
