// Sysctl names: the canonical dotted form (a resource id) and the /proc/sys path of a name written either way.

/** Where the kernel exposes its sysctls. */
export const PROC_SYS = '/proc/sys';

/**
 * The canonical name of a sysctl as sysctl(8) prints it: dot-separated path components, where a component that itself
 * holds a dot (a VLAN link `eth0.100`) is written with a slash. A name whose first separator is a slash is read as a
 * path (`net/ipv4/conf/eth0.100/forwarding`), anything else as dotted (`net.ipv4.conf.eth0/100.forwarding`); both give
 * `net.ipv4.conf.eth0/100.forwarding`.
 */
export function canonicalSysctlName(name: string): string {
  return sysctlComponents(name)
    .map((c) => c.replaceAll('.', '/'))
    .join('.');
}

/** The path components of a sysctl name written either way, e.g. [net, ipv4, conf, eth0.100, forwarding]. */
export function sysctlComponents(name: string): string[] {
  const trimmed = name.replace(/^\/+|\/+$/g, '');
  const slash = trimmed.indexOf('/');
  const dot = trimmed.indexOf('.');
  const asPath = slash >= 0 && (dot < 0 || slash < dot);
  if (asPath) return trimmed.split('/').filter((c) => c !== '');
  return trimmed
    .split('.')
    .filter((c) => c !== '')
    .map((c) => c.replaceAll('/', '.'));
}

/** The file of a sysctl under `procSys` (default /proc/sys), e.g. /proc/sys/net/ipv4/ip_forward. */
export function sysctlPath(name: string, procSys: string = PROC_SYS): string {
  return [procSys, ...sysctlComponents(name)].join('/');
}

/**
 * True when the kernel keeps the sysctl per network namespace, so that writing it in a node's own namespace never
 * touches the host's value. Everything under net. is, except the few tables the kernel registers for the initial
 * namespace only (the BPF JIT switches, net.core.* of older kernels): inside another namespace those do not exist.
 */
export function isNetworkNamespaced(name: string): boolean {
  const c = canonicalSysctlName(name);
  return c.startsWith('net.') && !GLOBAL_NET.some((prefix) => c.startsWith(prefix));
}

/** net.* sysctls that are global: the kernel shows them in the initial network namespace only. */
const GLOBAL_NET: readonly string[] = ['net.core.bpf_jit_', 'net.core.netdev_', 'net.core.message_'];
