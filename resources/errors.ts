// Typed errors of the resource store: a closed set, each with a literal code (conventions.md, item 6).

/** Why a write conflicted with what is stored. */
export type ConflictKind = 'version' | 'exists' | 'owner' | 'phase' | 'finalizers';

/** The codes every store error carries; the API maps each to a gRPC status exactly once. */
export type StoreErrorCode = 'NotFound' | 'Conflict' | 'InvalidBookmark' | 'InvalidSpec' | 'InvalidArgument';

/** Base class of the store's expected errors (bad input, races). Never used for bugs. */
export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode;
}

/** A resource, a type or a namespace that does not exist. */
export class NotFoundError extends StoreError {
  override readonly name = 'NotFoundError';
  readonly code = 'NotFound' as const;
}

/** A write refused because of what is stored: stale version, existing id, other owner, wrong phase, pending finalizers. */
export class ConflictError extends StoreError {
  override readonly name = 'ConflictError';
  readonly code = 'Conflict' as const;
  constructor(
    readonly kind: ConflictKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A watch bookmark that this store cannot resume from (other process, other kind, too old, malformed). */
export class InvalidBookmarkError extends StoreError {
  override readonly name = 'InvalidBookmarkError';
  readonly code = 'InvalidBookmark' as const;
}

/** One problem found in a spec: the dotted path of the field, the offending value and what would be right. */
export interface SpecIssue {
  readonly path: string;
  readonly message: string;
}

/** A spec refused at the store boundary; nothing was stored. */
export class InvalidSpecError extends StoreError {
  override readonly name = 'InvalidSpecError';
  readonly code = 'InvalidSpec' as const;
  constructor(
    readonly issues: readonly SpecIssue[],
    prefix: string,
  ) {
    super(`${prefix}: ${issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ')}`);
  }
}

/** A request the store cannot serve as asked: a bad query, contradictory watch options. */
export class InvalidArgumentError extends StoreError {
  override readonly name = 'InvalidArgumentError';
  readonly code = 'InvalidArgument' as const;
}

/** A broken invariant: a bug in our code or in a controller, never bad input from a person. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/** True when `e` is a store error about something that does not exist. */
export function isNotFound(e: unknown): e is NotFoundError {
  return e instanceof NotFoundError;
}

/** True when `e` is a conflict, optionally of one kind. */
export function isConflict(e: unknown, kind?: ConflictKind): e is ConflictError {
  return e instanceof ConflictError && (kind === undefined || e.kind === kind);
}

/** True when `e` is an invalid-bookmark error. */
export function isInvalidBookmark(e: unknown): e is InvalidBookmarkError {
  return e instanceof InvalidBookmarkError;
}

/** True when `e` is a refused spec. */
export function isInvalidSpec(e: unknown): e is InvalidSpecError {
  return e instanceof InvalidSpecError;
}
