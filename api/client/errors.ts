// Failed node calls as sentences a person can act on: which node, what went wrong, and which side to fix.
import { status } from '@grpc/grpc-js';

/** A failed call to one node that is not a store error: the node, the gRPC status and a sentence for people. */
export class NodeCallError extends Error {
  override readonly name = 'NodeCallError';
  readonly code = 'NodeCall' as const;
  constructor(
    /** The node as the user named it. */
    readonly node: string,
    readonly status: status,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** True when `e` is a {@link NodeCallError}. */
export function isNodeCallError(e: unknown): e is NodeCallError {
  return e instanceof NodeCallError;
}

/** Causes of a connection failure that grpc-js reports only as text, with what a person reads. */
const SOCKET_ERRORS: readonly [RegExp, string][] = [
  [/ECONNREFUSED/, 'connection refused'],
  [/EHOSTUNREACH/, 'no route to host'],
  [/ENETUNREACH/, 'network unreachable'],
  [/ETIMEDOUT/, 'connection timed out'],
  [/ECONNRESET/, 'connection reset'],
  [/ENOTFOUND|EAI_AGAIN/, 'host name not found'],
];

/** TLS verification failures of the node's certificate, as OpenSSL words them. */
const SERVER_CERT =
  /self[- ]signed certificate|unable to (verify|get local issuer)|certificate has expired|certificate is not yet valid|does not match certificate's altnames|unsuitable certificate purpose|certificate signature failure/i;

/** What to check when the node's certificate is not trusted. */
export const SERVER_CERT_HINT =
  "check that the context's ca is the cluster's OS CA (or use --insecure for a node in maintenance mode)";

/** What to check when the node refuses the client certificate. */
export const CLIENT_CERT_HINT = "check that the context's crt and key were issued by this cluster's OS CA";

/**
 * The sentence for an UNAVAILABLE status whose text names its cause, or undefined when the text does not tell
 * (grpc-js says only "Failed to connect" when the node closes the connection after the TLS handshake).
 */
export function unavailableReason(address: string, details: string): string | undefined {
  for (const [re, what] of SOCKET_ERRORS) if (re.test(details)) return `cannot reach ${address}: ${what}`;
  const cert = SERVER_CERT.exec(details);
  if (cert !== null) {
    const why = /Last error: (?:Error: )?([^.\n]+)/.exec(details)?.[1] ?? cert[0];
    return `the certificate of ${address} is not trusted (${why}): ${SERVER_CERT_HINT}`;
  }
  if (/alert certificate required/i.test(details)) {
    return `${address} requires a client certificate and the client config has none: use a context with crt and key`;
  }
  const alert = /alert ([a-z ]+?)(?::|$)/i.exec(details);
  if (alert?.[1] !== undefined) return `${address} refused our client certificate (${alert[1]}): ${CLIENT_CERT_HINT}`;
  return undefined;
}

/** The sentence for a failed call: `address` is host:port, `method` the RPC's short name. */
export function statusSentence(
  code: status,
  details: string,
  address: string,
  method: string,
  timeoutMs: number,
): string {
  switch (code) {
    case status.UNAVAILABLE:
      return unavailableReason(address, details) ?? `cannot reach ${address}: ${firstLine(details)}`;
    case status.DEADLINE_EXCEEDED:
      return `${address} did not answer ${method} within ${formatMs(timeoutMs)}`;
    case status.UNIMPLEMENTED:
      return `${address} does not serve ${method} (is it running another version, or in maintenance mode?)`;
    case status.PERMISSION_DENIED:
    case status.UNAUTHENTICATED:
    case status.FAILED_PRECONDITION:
    case status.INVALID_ARGUMENT:
    case status.ALREADY_EXISTS:
    case status.NOT_FOUND:
      return details;
    case status.INTERNAL:
    case status.UNKNOWN:
      return `${address} failed to serve ${method}: ${firstLine(details)}`;
    default:
      return `${method} on ${address}: ${firstLine(details)}`;
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0]?.replace(/^No connection established\. Last error: (?:Error: )?/, '') ?? '';
  return line.replace(/\s*\(\d{4}-\d\d-\d\dT[^)]*\)/, '').replace(/\. Resolution note: .*$/, '');
}

/** 30000 -> `30s`, 90000 -> `1m30s`, 500 -> `500ms`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 === 0 ? '' : `${s % 60}s`}`;
}
