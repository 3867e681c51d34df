// Typed errors of config generation: bad secrets files, bad patches, bad arguments, files in the way (conventions.md, item 6).

/** The codes every config-generation error carries; the CLI maps each to an exit status exactly once. */
export type ConfigGenErrorCode =
  'InvalidSecrets' | 'InvalidPatch' | 'InvalidConfig' | 'InvalidArgument' | 'FileExists' | 'FileAccess';

/** Base class of the expected errors of config generation (bad input, files). Never used for bugs. */
export abstract class ConfigGenError extends Error {
  abstract readonly code: ConfigGenErrorCode;
}

/** One problem in a secrets bundle: the field (dotted path as in secrets.yaml) and what is wrong with it. */
export interface SecretsIssue {
  readonly field: string;
  readonly message: string;
}

/** A secrets bundle that is missing a field or holds a malformed one; names the source and every bad field. */
export class InvalidSecretsError extends ConfigGenError {
  override readonly name = 'InvalidSecretsError';
  readonly code = 'InvalidSecrets' as const;
  constructor(
    readonly source: string,
    readonly issues: readonly SecretsIssue[],
  ) {
    super(`${source}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }
}

/** Where a patch failed: which patch, which op of a JSON patch (0-based) and which path. */
export interface PatchLocation {
  /** `@file` as given, or `inline patch #N` for a value on the command line. */
  readonly patch: string;
  /** Index of the failing operation in an RFC 6902 patch; absent for strategic merge patches. */
  readonly op?: number;
  /** JSON Pointer (RFC 6902) or dotted path (strategic merge) of the failing location. */
  readonly path?: string;
}

/** A patch that cannot be read, parsed or applied; nothing was written. */
export class PatchError extends ConfigGenError {
  override readonly name = 'PatchError';
  readonly code = 'InvalidPatch' as const;
  constructor(
    readonly location: PatchLocation,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${describeLocation(location)}: ${reason}`, options);
  }
}

function describeLocation(l: PatchLocation): string {
  const parts = [`patch ${l.patch}`];
  if (l.op !== undefined) parts.push(`op ${l.op}`);
  if (l.path !== undefined) parts.push(`path ${l.path === '' ? '(root)' : l.path}`);
  return parts.join(', ');
}

/** One validator finding: the dotted path of the field and what is wrong. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** A generated config that the validator refuses (a patch broke it); names the file, lists every issue. */
export class InvalidGeneratedConfigError extends ConfigGenError {
  override readonly name = 'InvalidGeneratedConfigError';
  readonly code = 'InvalidConfig' as const;
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
    options?: ErrorOptions,
  ) {
    super(
      `${file} would not be valid after the patches: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      options,
    );
  }
}

/** An argument or option with a value that cannot work (endpoint, cluster name, version); the message says the fix. */
export class InvalidArgumentError extends ConfigGenError {
  override readonly name = 'InvalidArgumentError';
  readonly code = 'InvalidArgument' as const;
}

/** Output files that exist already and were not overwritten (no --force); nothing was written. */
export class FileExistsError extends ConfigGenError {
  override readonly name = 'FileExistsError';
  readonly code = 'FileExists' as const;
  constructor(readonly paths: readonly string[]) {
    super(`${paths.join(', ')} ${paths.length === 1 ? 'exists' : 'exist'} already; use --force to overwrite`);
  }
}

/** A file that could not be read or written (missing, no permission); the message names the file and the cause. */
export class FileAccessError extends ConfigGenError {
  override readonly name = 'FileAccessError';
  readonly code = 'FileAccess' as const;
}

/** True when `e` is one of the expected errors of config generation. */
export function isConfigGenError(e: unknown): e is ConfigGenError {
  return e instanceof ConfigGenError;
}

/** True when `e` is a patch error. */
export function isPatchError(e: unknown): e is PatchError {
  return e instanceof PatchError;
}

/** True when `e` is an invalid secrets bundle. */
export function isInvalidSecrets(e: unknown): e is InvalidSecretsError {
  return e instanceof InvalidSecretsError;
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
};

/** Wraps a Node.js fs error in a FileAccessError that says what was done to which file; other errors pass through. */
export function fileError(e: unknown, what: string, path: string): unknown {
  if (e instanceof Error && e.name !== 'AbortError' && 'code' in e && typeof e.code === 'string') {
    const text = ERRNO_TEXT[e.code] ?? e.message;
    return new FileAccessError(`cannot ${what} ${path}: ${text}`, { cause: e });
  }
  return e;
}
