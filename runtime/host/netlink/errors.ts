// Typed errors of the rtnetlink adapter: a closed set of codes derived from the kernel's errno (conventions.md, item 6).
import { constants } from 'node:os';

/** The codes a netlink error carries; controllers turn them into status conditions. */
export type NetlinkErrorCode = 'Exists' | 'NotFound' | 'Unsupported' | 'Invalid' | 'Unreachable' | 'Busy' | 'Failed';

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

const CODES: Readonly<Record<string, NetlinkErrorCode>> = {
  EEXIST: 'Exists',
  ENODEV: 'NotFound',
  ENOENT: 'NotFound',
  ESRCH: 'NotFound',
  EADDRNOTAVAIL: 'NotFound',
  EOPNOTSUPP: 'Unsupported',
  EAFNOSUPPORT: 'Unsupported',
  EPROTONOSUPPORT: 'Unsupported',
  EINVAL: 'Invalid',
  ERANGE: 'Invalid',
  ENETUNREACH: 'Unreachable',
  EHOSTUNREACH: 'Unreachable',
  ENETDOWN: 'Unreachable',
  EBUSY: 'Busy',
  EAGAIN: 'Busy',
};

/** A kernel refusal or a socket failure, naming the operation, the errno and the kernel's extended-ack message. */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';

  constructor(
    readonly code: NetlinkErrorCode,
    /** What we asked for, e.g. `address add 10.0.0.1/24 dev 3`. */
    readonly operation: string,
    /** The positive errno value. */
    readonly errno: number,
    /** The errno's symbolic name, e.g. `EEXIST`. */
    readonly errnoName: string,
    /** The kernel's own reason (NLMSGERR_ATTR_MSG), when it gave one. */
    readonly kernelMessage: string | undefined,
    options?: ErrorOptions,
  ) {
    super(`${operation}: ${errnoName}${kernelMessage === undefined ? '' : `: ${kernelMessage}`}`, options);
  }

  /** Builds the error for a positive errno. */
  static fromErrno(operation: string, errno: number, kernelMessage?: string): NetlinkError {
    const errnoName = ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
    return new NetlinkError(CODES[errnoName] ?? 'Failed', operation, errno, errnoName, kernelMessage);
  }
}

/** True when `e` is a netlink error, optionally of the given code. */
export function isNetlinkError(e: unknown, code?: NetlinkErrorCode): e is NetlinkError {
  return e instanceof NetlinkError && (code === undefined || e.code === code);
}

/** True when the kernel refused because the object already exists (EEXIST). */
export function isNetlinkExists(e: unknown): e is NetlinkError {
  return isNetlinkError(e, 'Exists');
}

/** True when the kernel lacks what was asked for, such as a link kind (EOPNOTSUPP and kin). */
export function isNetlinkUnsupported(e: unknown): e is NetlinkError {
  return isNetlinkError(e, 'Unsupported');
}

/** True when the link, address or route named does not exist. */
export function isNetlinkNotFound(e: unknown): e is NetlinkError {
  return isNetlinkError(e, 'NotFound');
}
