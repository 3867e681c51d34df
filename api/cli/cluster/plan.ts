// A local cluster's plan, from its name, sizes, CIDR and state root: node names, roles, addresses, link and namespace names, paths.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { ClusterError } from './errors.js';

/** The role of a node in a local cluster. */
export type NodeRole = 'controlplane' | 'worker';

/** An IPv4 prefix as numbers. */
export interface Ipv4Prefix {
  /** The network address as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefixLength: number;
}

/** One node of the plan. */
export interface NodePlan {
  /** controlplane-1.., worker-1..: the node's hostname and the name of its state directory. */
  readonly name: string;
  readonly role: NodeRole;
  /** Its IPv4 address on the bridge (without prefix length). */
  readonly address: string;
  /** Its network namespace (`ip netns`), e.g. osnode-demo-cp1. */
  readonly netns: string;
  /** The host side of its veth pair, on the bridge (the node side is eth0 in its namespace). */
  readonly hostVeth: string;
  /** Its machined state directory (absolute). */
  readonly stateDir: string;
}

/** Everything a cluster is made of, named before anything is made. */
export interface ClusterPlan {
  readonly name: string;
  /** The CIDR as given, normalized (e.g. 10.5.0.0/24). */
  readonly cidr: string;
  readonly prefixLength: number;
  /** The bridge's address on this machine: the first host address of the CIDR, and the nodes' default gateway. */
  readonly gateway: string;
  readonly bridge: string;
  /** `<state root>/<name>`: the record, generated configs and the nodes' state directories. */
  readonly clusterDir: string;
  /** The Kubernetes control-plane endpoint: the first control plane on port 6443. */
  readonly endpoint: string;
  readonly nodes: readonly NodePlan[];
}

/** What a plan is made from. */
export interface PlanInput {
  readonly name: string;
  readonly controlPlanes: number;
  readonly workers: number;
  readonly cidr: string;
  /** The directory holding every cluster's directory (default ~/.talos/clusters). */
  readonly stateRoot: string;
}

/** Linux interface names hold at most 15 bytes. */
const IFNAMSIZ = 15;

/** A unix socket path holds at most 107 bytes; containerd's longest one under a node's state directory. */
const MAX_SOCKET_PATH = 107;
const LONGEST_SOCKET = join('containerd', 'containerd.sock.ttrpc');

/** Parses `a.b.c.d`; undefined when it is not a dotted IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** `n` as a dotted IPv4 address. */
export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => String(Math.floor(n / 2 ** s) % 256)).join('.');
}

/** Parses an IPv4 CIDR; `flag` names where it came from in errors. Host bits must be zero. */
export function parseCidr(text: string, flag = '--cidr'): Ipv4Prefix {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  const address = m?.[1] === undefined ? undefined : parseIpv4(m[1]);
  const prefixLength = Number(m?.[2]);
  if (address === undefined || !(prefixLength <= 32)) {
    throw new ClusterError(`${flag} ${JSON.stringify(text)} is not an IPv4 CIDR such as 10.5.0.0/24`);
  }
  const size = 2 ** (32 - prefixLength);
  const network = address - (address % size);
  if (network !== address) {
    throw new ClusterError(`${flag} ${text} has host bits set: use ${formatIpv4(network)}/${prefixLength}`);
  }
  return { network, prefixLength };
}

/** True when two prefixes share an address (one contains the other). */
export function overlaps(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  const shorter = Math.min(a.prefixLength, b.prefixLength);
  const size = 2 ** (32 - shorter);
  return Math.floor(a.network / size) === Math.floor(b.network / size);
}

/** Checks a local cluster's name: it names its directory, network namespaces and talosconfig context. */
export function checkLocalClusterName(name: string): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(name)) {
    throw new ClusterError(
      `--name ${JSON.stringify(name)}: a local cluster's name must be 1-32 lowercase letters, digits or "-", starting and ending with a letter or digit`,
    );
  }
  return name;
}

/** A short tag of the cluster for interface names: the name itself when it fits, else a prefix and a hash. */
export function linkTag(name: string): string {
  if (name.length <= 7) return name;
  return `${name.slice(0, 3)}${createHash('sha256').update(name).digest('hex').slice(0, 4)}`;
}

/** The bridge of cluster `name` on this machine. */
export function bridgeName(name: string): string {
  return `osb-${linkTag(name)}`;
}

/** The network namespace of a node: osnode-<cluster>-cp<N> or -w<N>. */
export function netnsName(cluster: string, role: NodeRole, index: number): string {
  return `osnode-${cluster}-${role === 'controlplane' ? 'cp' : 'w'}${index}`;
}

/** A pattern matching every network namespace of cluster `name`. */
export function netnsPattern(name: string): RegExp {
  return new RegExp(`^osnode-${name.replace(/[.-]/g, '\\$&')}-(cp|w)\\d+$`);
}

/** A pattern matching the host sides of the veth pairs of cluster `name`. */
export function vethPattern(name: string): RegExp {
  return new RegExp(`^os-${linkTag(name)}-[cw]\\d+$`);
}

/** Plans a cluster; throws a {@link ClusterError} naming the flag when the sizes, CIDR or paths cannot work. */
export function planCluster(input: PlanInput): ClusterPlan {
  const name = checkLocalClusterName(input.name);
  for (const [flag, n, min] of [
    ['--controlplanes', input.controlPlanes, 1],
    ['--workers', input.workers, 0],
  ] as const) {
    if (!Number.isInteger(n) || n < min || n > 99) {
      throw new ClusterError(`${flag} ${n}: expected a whole number from ${min} to 99`);
    }
  }
  const prefix = parseCidr(input.cidr);
  const count = input.controlPlanes + input.workers;
  // The network and broadcast addresses are not usable; the first host address is the bridge's.
  const usable = prefix.prefixLength >= 31 ? 0 : 2 ** (32 - prefix.prefixLength) - 2;
  if (usable < count + 1) {
    throw new ClusterError(
      `--cidr ${input.cidr} holds ${usable} host addresses; ${count} nodes and the bridge need ${count + 1}: use a larger network such as /24`,
    );
  }
  // Absolute: machined runs from / and resolves its state directory, and its cgroups are named after that path.
  const clusterDir = join(resolve(input.stateRoot), name);
  const roles: NodeRole[] = [
    ...Array<NodeRole>(input.controlPlanes).fill('controlplane'),
    ...Array<NodeRole>(input.workers).fill('worker'),
  ];
  const nodes = roles.map((role, i): NodePlan => {
    const index = role === 'controlplane' ? i + 1 : i + 1 - input.controlPlanes;
    const nodeName = `${role}-${index}`;
    const stateDir = join(clusterDir, nodeName);
    return {
      name: nodeName,
      role,
      address: formatIpv4(prefix.network + 2 + i),
      netns: netnsName(name, role, index),
      hostVeth: `os-${linkTag(name)}-${role === 'controlplane' ? 'c' : 'w'}${index}`,
      stateDir,
    };
  });
  const longest = nodes.map((n) => join(n.stateDir, LONGEST_SOCKET)).sort((a, b) => b.length - a.length)[0] ?? '';
  if (Buffer.byteLength(longest) > MAX_SOCKET_PATH) {
    throw new ClusterError(
      `the state directory ${input.stateRoot} is too long: a node's containerd socket ${longest} would exceed the ${MAX_SOCKET_PATH} bytes a unix socket path holds; use a shorter --state`,
    );
  }
  const plan: ClusterPlan = {
    name,
    cidr: `${formatIpv4(prefix.network)}/${prefix.prefixLength}`,
    prefixLength: prefix.prefixLength,
    gateway: formatIpv4(prefix.network + 1),
    bridge: bridgeName(name),
    clusterDir,
    endpoint: `https://${nodes[0]?.address ?? ''}:6443`,
    nodes,
  };
  for (const l of [plan.bridge, ...nodes.map((n) => n.hostVeth)]) {
    // A broken invariant of the naming above, never bad input.
    if (l.length > IFNAMSIZ) throw new Error(`interface name ${l} is longer than ${IFNAMSIZ} bytes`);
  }
  return plan;
}
