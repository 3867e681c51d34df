// This machine as the provisioner sees it: `ip` run as a process, its links, namespaces, routes and addresses.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { ClusterError } from './errors.js';
import { formatIpv4, overlaps, parseIpv4, type Ipv4Prefix } from './plan.js';

/** Where `ip netns add` keeps its namespaces. */
export const NETNS_DIR = '/run/netns';

/** Runs `ip` with `args`; resolves with its stdout, or throws a {@link ClusterError} with its stderr. */
export function ip(args: readonly string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: 15_000, ...(signal === undefined ? {} : { signal }) }, (err, stdout, stderr) => {
      if (err === null) {
        resolve(stdout);
        return;
      }
      if (err.name === 'AbortError') {
        reject(signal?.reason instanceof Error ? signal.reason : new Error(`ip ${args.join(' ')}: aborted`));
        return;
      }
      const why = stderr.trim() || err.message;
      reject(new ClusterError(`ip ${args.join(' ')} failed: ${why}`));
    });
  });
}

/** The names of the links of this network namespace. */
export async function linkNames(signal?: AbortSignal): Promise<Set<string>> {
  const links = JSON.parse(await ip(['-json', 'link', 'show'], signal)) as { ifname?: string }[];
  return new Set(links.flatMap((l) => (l.ifname === undefined ? [] : [l.ifname])));
}

/** The named network namespaces (`ip netns list`). */
export async function netnsNames(): Promise<Set<string>> {
  return new Set(await readdir(NETNS_DIR).catch(() => [] as string[]));
}

interface IpRoute {
  dst?: string;
  dev?: string;
  type?: string;
  table?: string;
}

interface IpAddr {
  ifname?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

/** `10.0.0.0/8`, `10.1.2.3` (a host route) or `default` as a prefix; undefined for what is not IPv4. */
function routePrefix(dst: string): Ipv4Prefix | undefined {
  if (dst === 'default') return { network: 0, prefixLength: 0 };
  const [addr = '', len = '32'] = dst.split('/');
  const n = parseIpv4(addr);
  const prefixLength = Number(len);
  if (n === undefined || !(prefixLength >= 0 && prefixLength <= 32)) return undefined;
  const size = 2 ** (32 - prefixLength);
  return { network: n - (n % size), prefixLength };
}

/** A network in use on this machine: a route's destination or an address's subnet. */
export interface UsedNetwork {
  readonly prefix: Ipv4Prefix;
  /** What it is, as a person reads it: `route 10.5.0.0/16 dev eth0` or `address 10.5.0.7/24 on eth0`. */
  readonly what: string;
}

/**
 * The networks of this machine's network namespace: the destinations of its routes in every table (default routes
 * aside: they cover everything) and the subnets of its addresses.
 */
export async function usedNetworks(signal?: AbortSignal): Promise<UsedNetwork[]> {
  const [routes, addrs] = await Promise.all([
    ip(['-json', '-4', 'route', 'show', 'table', 'all'], signal).then((t) => JSON.parse(t) as IpRoute[]),
    ip(['-json', '-4', 'address', 'show'], signal).then((t) => JSON.parse(t) as IpAddr[]),
  ]);
  const used: UsedNetwork[] = [];
  for (const r of routes) {
    // Local and broadcast routes mirror this machine's own addresses, which are taken below with their prefixes.
    if (r.dst === undefined || r.dst === 'default' || r.type === 'local' || r.type === 'broadcast') continue;
    const prefix = routePrefix(r.dst);
    if (prefix === undefined) continue;
    const table = r.table === undefined || r.table === 'main' ? '' : ` table ${r.table}`;
    used.push({ prefix, what: `route ${r.dst}${r.dev === undefined ? '' : ` dev ${r.dev}`}${table}` });
  }
  for (const link of addrs) {
    for (const a of link.addr_info ?? []) {
      const n = a.local === undefined ? undefined : parseIpv4(a.local);
      if (n === undefined || a.prefixlen === undefined) continue;
      const size = 2 ** (32 - a.prefixlen);
      used.push({
        prefix: { network: n - (n % size), prefixLength: a.prefixlen },
        what: `address ${a.local ?? ''}/${a.prefixlen} on ${link.ifname ?? '?'}`,
      });
    }
  }
  return used;
}

/** The used networks that overlap `net`. */
export function collisions(net: Ipv4Prefix, used: readonly UsedNetwork[]): UsedNetwork[] {
  return used.filter((u) => overlaps(u.prefix, net));
}

/** A network of `prefixLength` in 10.5-10.254.x that nothing in `used` overlaps, to suggest in an error. */
export function freeCidr(used: readonly UsedNetwork[], prefixLength: number): string | undefined {
  if (prefixLength < 16) return undefined;
  for (let second = 5; second < 255; second++) {
    const net = { network: parseIpv4(`10.${second}.0.0`) ?? 0, prefixLength };
    if (collisions(net, used).length === 0) return `${formatIpv4(net.network)}/${prefixLength}`;
  }
  return undefined;
}
