// Typed errors of the containerd client: containerd's gRPC statuses mapped once, here, to the project's error classes.
import { status, type ServiceError } from '@grpc/grpc-js';
import { ConflictError, NotFoundError } from '../../resources/errors.js';

/** containerd does not answer: its socket is missing or refuses, or the connection broke mid-call. */
export class ContainerdUnavailableError extends Error {
  override readonly name = 'ContainerdUnavailableError';
  readonly code = 'ContainerdUnavailable' as const;
}

/** containerd refused or failed a call for a reason without a class of its own; `grpcCode` is the gRPC status. */
export class ContainerdError extends Error {
  override readonly name = 'ContainerdError';
  readonly code = 'Containerd' as const;
  constructor(
    readonly grpcCode: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** True when `e` says containerd could not be reached. */
export function isContainerdUnavailable(e: unknown): e is ContainerdUnavailableError {
  return e instanceof ContainerdUnavailableError;
}

function isServiceError(e: unknown): e is ServiceError {
  return e instanceof Error && typeof (e as Partial<ServiceError>).code === 'number';
}

/**
 * The project's error for a failed call `what` (e.g. `get task system/etcd`): NotFoundError, ConflictError('exists'),
 * ContainerdUnavailableError, or ContainerdError; the gRPC error is the cause. Not for aborted calls: the caller
 * rethrows its signal's reason for those.
 */
export function fromGrpc(e: unknown, what: string): Error {
  if (!isServiceError(e)) return e instanceof Error ? e : new Error(`${what}: ${String(e)}`);
  const detail = e.details === '' ? status[e.code] : e.details;
  const message = `${what}: ${detail}`;
  switch (e.code) {
    case status.NOT_FOUND:
      return new NotFoundError(message, { cause: e });
    case status.ALREADY_EXISTS:
      return new ConflictError('exists', message, { cause: e });
    case status.UNAVAILABLE:
      return new ContainerdUnavailableError(`${what}: containerd is unavailable (${detail})`, { cause: e });
    default:
      return new ContainerdError(e.code, message, { cause: e });
  }
}
