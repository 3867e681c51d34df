// The OCI runtime spec of a system service container from its root filesystem directory, command and mounts.
//
// System services share the node's network namespace (no network entry: they run in the namespace containerd runs in)
// and its UTS namespace (so they see the node's hostname, which they cannot change without CAP_SYS_ADMIN). Their
// cgroup is `/<node>/system/<id>`: two nodes on one machine each run their own containerd, and identical cgroup paths
// would put one node's service in the other's cgroup.
import { isAbsolute } from 'node:path';
import { InvalidArgumentError } from '../../resources/errors.js';

/** A host path bind-mounted into the container. */
export interface BindMount {
  /** Host path. */
  readonly source: string;
  /** Absolute path inside the container. */
  readonly destination: string;
  /** Mounted read-only (default: writable). */
  readonly readonly?: boolean;
}

/** What a service container is made of. */
export interface ServiceSpecOptions {
  /** The container id (also the last cgroup path element). */
  readonly id: string;
  /** The node's name, the first cgroup path element; unique per node on a machine. */
  readonly nodeName: string;
  /** The root filesystem directory (mounted read-only). */
  readonly rootfs: string;
  /** The command: an absolute path inside the root filesystem, then its arguments. */
  readonly args: readonly string[];
  /** `KEY=value` lines; default: a standard PATH only. */
  readonly env?: readonly string[];
  /** Default `/`. */
  readonly cwd?: string;
  readonly mounts?: readonly BindMount[];
  /** The cgroup parent; default `/<nodeName>/system`. A relative path nests under the shim's own cgroups. */
  readonly cgroupParent?: string;
  /** Capabilities (bounding, effective, permitted); default {@link DEFAULT_CAPABILITIES}. */
  readonly capabilities?: readonly string[];
  /**
   * RLIMIT_NOFILE (soft and hard); default: inherited from containerd. Raising it above containerd's hard limit needs
   * CAP_SYS_RESOURCE, which a node in a test sandbox may lack: runc then fails the task create.
   */
  readonly maxOpenFiles?: number;
}

/** The subset of the OCI runtime spec written here (runtime-spec 1.0.2). */
export interface OciSpec {
  readonly ociVersion: string;
  readonly process: {
    readonly terminal: boolean;
    readonly user: { readonly uid: number; readonly gid: number };
    readonly args: readonly string[];
    readonly env: readonly string[];
    readonly cwd: string;
    readonly capabilities: Readonly<Record<'bounding' | 'effective' | 'permitted', readonly string[]>>;
    readonly rlimits: readonly { readonly type: string; readonly hard: number; readonly soft: number }[];
    readonly noNewPrivileges: boolean;
  };
  readonly root: { readonly path: string; readonly readonly: boolean };
  readonly mounts: readonly {
    readonly destination: string;
    readonly type: string;
    readonly source: string;
    readonly options: readonly string[];
  }[];
  readonly linux: {
    readonly cgroupsPath: string;
    readonly namespaces: readonly { readonly type: string }[];
    readonly resources: {
      readonly devices: readonly {
        readonly allow: boolean;
        readonly type?: string;
        readonly major?: number;
        readonly minor?: number;
        readonly access: string;
      }[];
    };
    readonly maskedPaths: readonly string[];
    readonly readonlyPaths: readonly string[];
  };
}

/** Docker's and containerd's default capability set: enough for daemons that bind ports and drop privileges. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** runc's (and containerd's) defaults: kernel interfaces a container must not read or write. */
const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Character devices the container may use (the nodes runc creates in /dev, the console and ptys); all else is denied. */
const DEVICES: OciSpec['linux']['resources']['devices'] = [
  { allow: false, access: 'rwm' },
  ...(
    [
      [1, 3],
      [1, 5],
      [1, 7],
      [1, 8],
      [1, 9],
      [5, 0],
      [5, 1],
      [5, 2],
    ] as const
  ).map(([major, minor]) => ({ allow: true, type: 'c', major, minor, access: 'rwm' })),
  { allow: true, type: 'c', major: 136, access: 'rwm' }, // /dev/pts/*
];

const ID = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

function check(ok: boolean, field: string, value: unknown, want: string): void {
  if (!ok) throw new InvalidArgumentError(`container spec ${field}=${JSON.stringify(value)}: ${want}`);
}

/** The cgroup path of container `id` of node `nodeName`: `/<nodeName>/system/<id>` unless a parent is given. */
export function cgroupPath(nodeName: string, id: string, cgroupParent?: string): string {
  const parent = cgroupParent ?? `/${nodeName}/system`;
  return `${parent.replace(/\/+$/, '')}/${id}`;
}

/** Builds the spec; throws InvalidArgumentError naming the field for an id, node name, command or mount that cannot work. */
export function serviceSpec(o: ServiceSpecOptions): OciSpec {
  check(
    ID.test(o.id) && o.id.length <= 76,
    'id',
    o.id,
    'need letters and digits separated by single . _ or -, at most 76',
  );
  check(
    ID.test(o.nodeName),
    'nodeName',
    o.nodeName,
    'need letters and digits separated by single . _ or - (it is a cgroup path element)',
  );
  check(isAbsolute(o.rootfs), 'rootfs', o.rootfs, 'need an absolute path');
  check(
    o.args.length > 0 && isAbsolute(o.args[0] ?? ''),
    'args[0]',
    o.args[0],
    'need an absolute path inside the root filesystem',
  );
  for (const [i, m] of (o.mounts ?? []).entries()) {
    check(isAbsolute(m.destination), `mounts[${i}].destination`, m.destination, 'need an absolute path');
    check(isAbsolute(m.source), `mounts[${i}].source`, m.source, 'need an absolute host path');
  }
  const caps = [...(o.capabilities ?? DEFAULT_CAPABILITIES)];
  const nosuid = ['nosuid', 'noexec', 'nodev'];
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [...o.args],
      env: o.env === undefined ? [DEFAULT_PATH] : [...o.env],
      cwd: o.cwd ?? '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits:
        o.maxOpenFiles === undefined ? [] : [{ type: 'RLIMIT_NOFILE', hard: o.maxOpenFiles, soft: o.maxOpenFiles }],
      noNewPrivileges: true,
    },
    root: { path: o.rootfs, readonly: true },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: nosuid },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: [...nosuid, 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: nosuid },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: [...nosuid, 'ro'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] },
      { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=755'] },
      ...(o.mounts ?? []).map((m) => ({
        destination: m.destination,
        type: 'bind',
        source: m.source,
        options: ['rbind', 'rprivate', m.readonly === true ? 'ro' : 'rw'],
      })),
    ],
    linux: {
      cgroupsPath: cgroupPath(o.nodeName, o.id, o.cgroupParent),
      // No network and no uts entry: those namespaces are the node's (see the top of this file).
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'mount' }],
      resources: { devices: DEVICES },
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}
