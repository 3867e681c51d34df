// Typed errors of the etcd client: etcd's gRPC statuses mapped once, here, to the project's error classes.
import { status, type ServiceError } from '@grpc/grpc-js';
import { ConflictError, NotFoundError } from '../../resources/errors.js';

/**
 * etcd does not answer: the endpoint refuses or fails the TLS handshake, the connection broke, the member has no
 * leader, or the call ran past its deadline.
 */
export class EtcdUnavailableError extends Error {
  override readonly name = 'EtcdUnavailableError';
  readonly code = 'EtcdUnavailable' as const;
}

/** etcd refused or failed a call for a reason without a class of its own; `grpcCode` is the gRPC status. */
export class EtcdError extends Error {
  override readonly name = 'EtcdError';
  readonly code = 'Etcd' as const;
  constructor(
    readonly grpcCode: status,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A health check found alarms raised (etcdctl: `Active Alarm(s): NOSPACE`): etcd answers but refuses writes. */
export class EtcdAlarmError extends Error {
  override readonly name = 'EtcdAlarmError';
  readonly code = 'EtcdAlarm' as const;
  constructor(
    /** The raised alarms, as etcd names them, with the member that raised each. */
    readonly alarms: readonly { readonly memberId: string; readonly alarm: string }[],
    endpoint: string,
  ) {
    super(`etcd at ${endpoint} is unhealthy: Active Alarm(s): ${alarms.map((a) => a.alarm).join(' ')}`);
  }
}

/** True when `e` says etcd could not be reached or could not answer in time. */
export function isEtcdUnavailable(e: unknown): e is EtcdUnavailableError {
  return e instanceof EtcdUnavailableError;
}

/** True when `e` is a gRPC status error (what grpc-js rejects calls with). */
export function isServiceError(e: unknown): e is ServiceError {
  return e instanceof Error && typeof (e as Partial<ServiceError>).code === 'number';
}

/**
 * True when a call failed before it reached any server: grpc-js could not connect (refused, TLS handshake failed),
 * so the request was certainly not applied and may go to another endpoint.
 */
export function notSent(e: unknown): boolean {
  return isServiceError(e) && e.code === status.UNAVAILABLE && e.details.startsWith('No connection established');
}

/** Hints for TLS failures, which grpc-js reports in OpenSSL's or Node's words. */
const TLS_HINTS: readonly [RegExp, string][] = [
  [
    /alert (bad certificate|unknown ca|certificate required|certificate unknown)/i,
    "etcd refused the client certificate (is it signed by the CA in etcd's --trusted-ca-file?)",
  ],
  [/unable to verify|self[- ]signed|local issuer/i, "etcd's certificate is not signed by the given CA"],
];

/**
 * grpc-js's connection failure in short: `No connection established. Last error: X (time). Resolution note: ` becomes
 * `cannot connect: X`, with OpenSSL's error string cut to its reason and a hint for TLS failures.
 */
function connectionDetail(details: string): string {
  const m =
    /^No connection established\. Last error: ([\s\S]*?)(?:\s*\(\d{4}-\d\d-\d\dT[^)]*\))?\.?\s*Resolution note:[\s\S]*$/.exec(
      details,
    );
  if (m === null) return details;
  let cause = (m[1] ?? '').replace(/^Error: /, '').trim();
  const ssl = /:SSL routines:[^:]*:([^:]+):/.exec(cause);
  if (ssl !== null) cause = `TLS: ${ssl[1] ?? ''}`;
  const hint = TLS_HINTS.find(([re]) => re.test(cause));
  return `cannot connect: ${cause}${hint === undefined ? '' : `; ${hint[1]}`}`;
}

/** etcd's messages (rpctypes) for a member ID or peer URL that is already in the cluster. */
const EXISTS = /member ID already exist|Peer URLs already exists/i;

/**
 * The project's error for a failed call `what` (e.g. `etcd https://127.0.0.1:2379: remove member 1234`):
 * NotFoundError (no such member), ConflictError('exists') (member or peer URL taken), EtcdUnavailableError, or
 * EtcdError; the gRPC error is the cause. Not for aborted calls: the caller rethrows its signal's reason for those.
 */
export function fromGrpc(e: unknown, what: string): Error {
  if (!isServiceError(e)) return e instanceof Error ? e : new Error(`${what}: ${String(e)}`);
  const detail = e.details === '' ? status[e.code] : e.details;
  const message = `${what}: ${detail}`;
  switch (e.code) {
    case status.NOT_FOUND:
      return new NotFoundError(message, { cause: e });
    case status.FAILED_PRECONDITION:
      return EXISTS.test(detail)
        ? new ConflictError('exists', message, { cause: e })
        : new EtcdError(e.code, message, { cause: e });
    case status.UNAVAILABLE:
      return new EtcdUnavailableError(`${what}: etcd is unavailable (${connectionDetail(detail)})`, { cause: e });
    case status.DEADLINE_EXCEEDED:
      return new EtcdUnavailableError(`${what}: etcd did not answer in time (${detail})`, { cause: e });
    default:
      return new EtcdError(e.code, message, { cause: e });
  }
}
