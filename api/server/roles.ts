// Who may call what: roles from the client certificate's Subject Organization, the method -> roles table, and the
// maintenance-mode allow list.
import { status } from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { ApiError } from '../codec/index.js';

/** The roles a client certificate can carry (in Subject O), as Talos names them. */
export const ROLES = ['os:admin', 'os:operator', 'os:reader', 'os:etcd:backup'] as const;

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

const ADMIN: readonly Role[] = ['os:admin'];
const OPERATOR: readonly Role[] = ['os:admin', 'os:operator'];
const READER: readonly Role[] = ['os:admin', 'os:operator', 'os:reader'];
const ANY: readonly Role[] = ROLES;

const MACHINE = '/machine.MachineService/';
const STATE = '/cosi.resource.State/';
const REFLECTION = ['/grpc.reflection.v1.ServerReflection/', '/grpc.reflection.v1alpha.ServerReflection/'];

/**
 * Methods callable by roles other than admin (reference.md, "Security"). Some name methods of later issues so that the
 * table is complete when they arrive. A method not listed needs os:admin.
 */
const TABLE: ReadonlyMap<string, readonly Role[]> = new Map<string, readonly Role[]>([
  ...[
    'Containers',
    'Dmesg',
    'EtcdMemberList',
    'EtcdStatus',
    'Events',
    'Hostname',
    'KernelAudit',
    'Logs',
    'Memory',
    'Mounts',
    'Processes',
    'ServiceList',
    'Stats',
    'Version',
  ].map((m) => [MACHINE + m, READER] as const),
  ...['Reboot', 'Shutdown', 'Restart', 'ServiceStart', 'ServiceStop', 'ServiceRestart'].map(
    (m) => [MACHINE + m, OPERATOR] as const,
  ),
  [MACHINE + 'EtcdSnapshot', ['os:admin', 'os:operator', 'os:etcd:backup']],
  ...['Get', 'List', 'Watch'].map((m) => [STATE + m, READER] as const),
  // The write verbs are refused for every role by their handlers; the table only lets the refusal say so.
  ...['Create', 'Update', 'Destroy', 'Teardown', 'TeardownAndDestroy'].map((m) => [STATE + m, ANY] as const),
  // Reflection describes the schema only, never node data.
  ...REFLECTION.map((prefix) => [prefix + 'ServerReflectionInfo', ANY] as const),
]);

/** Methods served in maintenance mode, where clients present no certificate. */
const MAINTENANCE: ReadonlySet<string> = new Set([
  MACHINE + 'ApplyConfiguration',
  MACHINE + 'Version',
  ...REFLECTION.map((prefix) => prefix + 'ServerReflectionInfo'),
]);

/** The part of a server call that tells who is calling (grpc-js does not export the type). */
export interface PeerCall {
  getAuthContext(): { sslPeerCertificate?: PeerCertificate };
}

/** The roles allowed to call `path` (a full gRPC method path). */
export function allowedRoles(path: string): readonly Role[] {
  return TABLE.get(path) ?? ADMIN;
}

/** The known roles among the Subject Organization values of the peer's verified certificate; [] without one. */
export function peerRoles(call: PeerCall): Role[] {
  const o: unknown = call.getAuthContext().sslPeerCertificate?.subject.O;
  // Node gives a single value as a string and repeated values as an array.
  const values = Array.isArray(o) ? (o as unknown[]) : o === undefined ? [] : [o];
  return ROLES.filter((r) => values.includes(r));
}

/** How the server authorizes a call: by role (secure mode) or by the maintenance allow list. */
export type Authorizer = (path: string, call: PeerCall) => readonly Role[];

const short = (path: string): string => path.replace(/^\//, '');
const list = (roles: readonly string[]): string => (roles.length === 0 ? 'none' : roles.join(', '));

/** Secure mode: the caller's roles, or PERMISSION_DENIED naming the method and the roles that may call it. */
export const authorizeByRole: Authorizer = (path, call) => {
  const roles = peerRoles(call);
  const allowed = allowedRoles(path);
  if (!roles.some((r) => allowed.includes(r))) {
    throw new ApiError(
      status.PERMISSION_DENIED,
      `${short(path)} may be called by roles ${list(allowed)}; the client certificate has roles ${list(roles)}`,
    );
  }
  return roles;
};

/** Maintenance mode: apply-config and version only, for anyone who reaches the port. */
export const authorizeMaintenance: Authorizer = (path) => {
  if (!MAINTENANCE.has(path)) {
    throw new ApiError(
      status.PERMISSION_DENIED,
      'node is in maintenance mode: only apply-config and version are served',
    );
  }
  return [];
};

/** Throws PERMISSION_DENIED unless `roles` include os:admin; `what` says what was asked for. */
export function requireAdmin(roles: readonly Role[], what: string): void {
  if (!roles.includes('os:admin')) {
    throw new ApiError(
      status.PERMISSION_DENIED,
      `${what} needs role os:admin; the client certificate has roles ${list(roles)}`,
    );
  }
}
