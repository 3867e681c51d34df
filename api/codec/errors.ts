// The one place where store and config errors become gRPC statuses, and gRPC statuses become typed errors again.
import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import {
  ConflictError,
  InvalidArgumentError,
  InvalidBookmarkError,
  NotFoundError,
  StoreError,
  isInvalidConfig,
  type ConflictKind,
} from '../../resources/index.js';

const CODE_HEADER = 'x-osnode-error';
const KIND_HEADER = 'x-osnode-conflict';

/** An error a handler may throw on purpose with a chosen status (RBAC refusals, bad requests, unavailable features). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** The gRPC status for an error thrown by a handler; unknown errors are INTERNAL with their message. */
export function toStatus(e: unknown): Partial<StatusObject> {
  const metadata = new Metadata();
  if (e instanceof ApiError) return { code: e.code, details: e.message, metadata };
  if (isInvalidConfig(e)) {
    metadata.set(CODE_HEADER, 'InvalidConfig');
    return { code: status.INVALID_ARGUMENT, details: e.message, metadata };
  }
  if (e instanceof StoreError) {
    metadata.set(CODE_HEADER, e.code);
    let code: status;
    if (e instanceof NotFoundError) code = status.NOT_FOUND;
    else if (e instanceof ConflictError) {
      metadata.set(KIND_HEADER, e.kind);
      code =
        e.kind === 'owner'
          ? status.PERMISSION_DENIED
          : e.kind === 'exists'
            ? status.ALREADY_EXISTS
            : e.kind === 'phase'
              ? status.INVALID_ARGUMENT
              : status.FAILED_PRECONDITION;
    } else if (e instanceof InvalidBookmarkError) code = status.FAILED_PRECONDITION;
    else code = status.INVALID_ARGUMENT;
    return { code, details: e.message, metadata };
  }
  // Node operation errors (runtime/machined) by their literal codes: the codec, shared with the client, imports no runtime.
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ApplyRefused' || code === 'FailedPrecondition') {
    return { code: status.FAILED_PRECONDITION, details: (e as Error).message, metadata };
  }
  if (code === 'Unavailable') return { code: status.UNAVAILABLE, details: (e as Error).message, metadata };
  return { code: status.INTERNAL, details: e instanceof Error ? e.message : String(e), metadata };
}

/** A typed error from a failed call: store errors come back as the classes the server threw; others keep their status. */
export function fromStatus(e: ServiceError): Error {
  const kind = e.metadata.get(CODE_HEADER)[0];
  const msg = e.details;
  switch (kind) {
    case 'NotFound':
      return new NotFoundError(msg);
    case 'Conflict':
      return new ConflictError((e.metadata.get(KIND_HEADER)[0] ?? 'version') as ConflictKind, msg);
    case 'InvalidBookmark':
      return new InvalidBookmarkError(msg);
    case 'InvalidSpec':
    case 'InvalidArgument':
      return new InvalidArgumentError(msg);
    default:
      return new ApiError(e.code, msg);
  }
}

/** True when `e` is a gRPC ServiceError (a failed call). */
export function isServiceError(e: unknown): e is ServiceError {
  return e instanceof Error && typeof (e as Partial<ServiceError>).code === 'number' && 'metadata' in e;
}
