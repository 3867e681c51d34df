// Finds out why a node cannot be reached when grpc-js does not say: one TLS handshake of our own, read closely.
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, connect } from 'node:tls';
import { endpointAddress, type Endpoint } from './endpoint.js';
import { CLIENT_CERT_HINT, SERVER_CERT_HINT, unavailableReason } from './errors.js';

/** The credentials of a connection: mutual TLS from a context, or server TLS without any check (maintenance mode). */
export type NodeTls =
  | { readonly mode: 'mtls'; readonly ca: string; readonly crt: string; readonly key: string }
  | { readonly mode: 'insecure' };

/** How long the node gets to refuse our certificate after the handshake (it does so at once when it does). */
const SETTLE_MS = 300;

/** Problems of our own client certificate that need no connection to see: expired, not yet valid, not from our CA. */
export function clientCertProblem(tls: NodeTls, now = Date.now()): string | undefined {
  if (tls.mode !== 'mtls') return undefined;
  let crt: X509Certificate;
  try {
    crt = new X509Certificate(tls.crt);
  } catch {
    return "the context's crt is not a PEM certificate";
  }
  if (Date.parse(crt.validTo) < now)
    return `our client certificate expired on ${crt.validTo}: get a new one with \`osctl config new\``;
  if (Date.parse(crt.validFrom) > now)
    return `our client certificate is valid only from ${crt.validFrom}: check the clock`;
  try {
    if (!crt.checkIssued(new X509Certificate(tls.ca)))
      return `the context's crt was not issued by its ca: ${CLIENT_CERT_HINT}`;
  } catch {
    return "the context's ca is not a PEM certificate";
  }
  return undefined;
}

/**
 * Connects once with the same credentials and names the side at fault: unreachable, the node's certificate, our
 * client certificate, or a port that does not speak TLS. Undefined when the handshake succeeds and holds.
 */
export function diagnoseTls(endpoint: Endpoint, tls: NodeTls, timeoutMs = 3000): Promise<string | undefined> {
  const address = endpointAddress(endpoint);
  const own = clientCertProblem(tls);
  if (own !== undefined) return Promise.resolve(`cannot connect to ${address}: ${own}`);
  return new Promise((resolve) => {
    let settle: NodeJS.Timeout | undefined;
    const done = (why: string | undefined): void => {
      clearTimeout(settle);
      clearTimeout(deadline);
      socket.destroy();
      resolve(why);
    };
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      ALPNProtocols: ['h2'],
      servername: 'osnode',
      ...(tls.mode === 'mtls'
        ? {
            ca: tls.ca,
            cert: tls.crt,
            key: tls.key,
            checkServerIdentity: (_h, c) => checkServerIdentity(endpoint.host, c),
          }
        : { rejectUnauthorized: false }),
    });
    const deadline = setTimeout(() => {
      done(`cannot reach ${address}: no answer within ${timeoutMs}ms`);
    }, timeoutMs);
    socket.on('secureConnect', () => {
      settle = setTimeout(() => {
        done(undefined);
      }, SETTLE_MS);
    });
    socket.on('error', (e: Error & { code?: string }) => {
      const text = `${e.code ?? ''} ${e.message}`;
      if (/WRONG_VERSION_NUMBER|packet length too long|unknown protocol/i.test(text)) {
        done(`${address} does not speak TLS: is it the node API port?`);
      } else if (/self[- ]signed|unable to (verify|get)|expired|altnames|IP: .* is not in the cert/i.test(text)) {
        done(`the certificate of ${address} is not trusted (${e.message}): ${SERVER_CERT_HINT}`);
      } else {
        done(unavailableReason(address, text) ?? `cannot connect to ${address}: ${e.message}`);
      }
    });
    socket.on('close', () => {
      // Closed right after a handshake we accepted: the node did not accept our certificate.
      const refused =
        tls.mode === 'mtls'
          ? `${address} refused our client certificate: ${CLIENT_CERT_HINT}`
          : `${address} closed the connection: it may need a client certificate (drop --insecure once the node has a config)`;
      done(refused);
    });
  });
}
