// Names in specs (tables, scopes, route types, protocols, address flags) turned back into the kernel's numbers; the inverse of names.ts.
import { bytesToIp, ipToBytes } from '../../runtime/index.js';

const TABLES: Readonly<Record<string, number>> = { default: 253, main: 254, local: 255 };
const SCOPES: Readonly<Record<string, number>> = {
  global: 0,
  universe: 0,
  site: 200,
  link: 253,
  host: 254,
  nowhere: 255,
};
const ROUTE_TYPES: Readonly<Record<string, number>> = {
  unspec: 0,
  unicast: 1,
  local: 2,
  broadcast: 3,
  anycast: 4,
  multicast: 5,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
  throw: 9,
  nat: 10,
  xresolve: 11,
};
const PROTOCOLS: Readonly<Record<string, number>> = {
  unspec: 0,
  redirect: 1,
  kernel: 2,
  boot: 3,
  static: 4,
  dhcp: 16,
  babel: 42,
  bgp: 186,
  isis: 187,
  ospf: 188,
  rip: 189,
};
const ADDRESS_FLAGS: Readonly<Record<string, number>> = {
  secondary: 0x01,
  nodad: 0x02,
  optimistic: 0x04,
  dadfailed: 0x08,
  homeaddress: 0x10,
  deprecated: 0x20,
  tentative: 0x40,
  permanent: 0x80,
  managetempaddr: 0x100,
  noprefixroute: 0x200,
  mcautojoin: 0x400,
  'stable-privacy': 0x800,
};

/** Thrown for a name the kernel has no number for; the message names the field, the value and what is accepted. */
export class UnknownNameError extends Error {
  override readonly name = 'UnknownNameError';
}

function lookup(what: string, names: Readonly<Record<string, number>>, name: string, max: number): number {
  const known = names[name];
  if (known !== undefined) return known;
  if (/^\d+$/.test(name) && Number(name) <= max) return Number(name);
  throw new UnknownNameError(`unknown ${what} '${name}': use one of ${Object.keys(names).join(', ')} or a number`);
}

/** A routing table name (main, local, default) or number as its id; empty means main. */
export function tableNumber(name: string): number {
  return name === '' ? 254 : lookup('routing table', TABLES, name, 0xffffffff);
}

/** An rt_scope name (global, site, link, host) or number; empty means global. */
export function scopeNumber(name: string): number {
  return name === '' ? 0 : lookup('scope', SCOPES, name, 255);
}

/** An rtm_type name (unicast, blackhole, ...) or number; empty means unicast. */
export function routeTypeNumber(name: string): number {
  return name === '' ? 1 : lookup('route type', ROUTE_TYPES, name, 255);
}

/** An rtm_protocol name (static, dhcp, ...) or number; empty means static. */
export function protocolNumber(name: string): number {
  return name === '' ? 4 : lookup('route protocol', PROTOCOLS, name, 255);
}

/** Comma-separated IFA_F_* flag names (as names.ts prints them) as a bit mask. */
export function addressFlagsNumber(names: string): number {
  let flags = 0;
  for (const n of names.split(',')) {
    const name = n.trim();
    if (name !== '') flags |= lookup('address flag', ADDRESS_FLAGS, name, 0xffffffff);
  }
  return flags;
}

/** An address in the kernel's textual form (IPv6 compressed as the dumps print it); unchanged when unparsable. */
export function canonicalIp(ip: string): string {
  // Dotted quads without leading zeros are already canonical: the common case, and called for every spec on every pass.
  if (DOTTED_QUAD.test(ip)) return ip;
  try {
    return bytesToIp(ipToBytes(ip));
  } catch {
    return ip;
  }
}

const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** `10.5.0.0/24` as its address (canonical) and prefix length; throws UnknownNameError when malformed. */
export function parsePrefix(what: string, cidr: string): { readonly ip: string; readonly length: number } {
  const slash = cidr.lastIndexOf('/');
  const ip = slash < 0 ? cidr : cidr.slice(0, slash);
  const max = ip.includes(':') ? 128 : 32;
  const length = slash < 0 ? max : Number(cidr.slice(slash + 1));
  if (!Number.isInteger(length) || length < 0 || length > max || ip === '') {
    throw new UnknownNameError(
      `malformed ${what} '${cidr}': expected an address with a prefix length, e.g. 10.5.0.0/24`,
    );
  }
  return { ip: canonicalIp(ip), length };
}
