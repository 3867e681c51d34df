// IP addresses and CIDR prefixes for the config checks: parsing (IPv4 and IPv6), containment and canonical forms.
import { isIP } from 'node:net';

/** A parsed IP address: its family and its bytes in network order (4 or 16). */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

/** A parsed `address/prefix`; `bare` is true when the text had no prefix (a host address). */
export interface Cidr {
  readonly ip: IpAddress;
  readonly prefix: number;
  readonly bare: boolean;
}

/** Parses an IPv4 or IPv6 address without a zone; undefined when `s` is not one. */
export function parseIp(s: string): IpAddress | undefined {
  const v4 = dottedQuad(s);
  if (v4 !== undefined) return { family: 4, bytes: v4 };
  if (s.includes('%')) return undefined; // zones (fe80::1%eth0) name a link, which the config says otherwise
  const family = isIP(s);
  if (family === 4) return { family: 4, bytes: Uint8Array.from(s.split('.').map(Number)) };
  if (family === 6) return { family: 6, bytes: ipv6Bytes(s) };
  return undefined;
}

/**
 * The bytes of a dotted quad in the strict form isIP accepts (no leading zeros, each part 0-255), read without a
 * regular expression: configs hold thousands of addresses and every apply parses each of them several times.
 */
function dottedQuad(s: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i === s.length ? 46 /* . */ : s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 3) return undefined;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return undefined; // a leading zero
      value = value * 10 + (c - 48);
      if (value > 255) return undefined;
      digits++;
    } else return undefined;
  }
  return part === 4 ? out : undefined;
}

function ipv6Bytes(s: string): Uint8Array {
  // isIP has accepted `s`, so only the shape is left to decode: groups, one `::`, maybe a dotted tail.
  const out = new Uint8Array(16);
  let text = s;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail.push(
      ...text
        .slice(lastColon + 1)
        .split('.')
        .map(Number),
    );
    text = `${text.slice(0, lastColon + 1)}0:0`; // placeholder groups, overwritten below
  }
  const [head = '', rest] = text.split('::');
  const groups = (part: string | undefined): number[] =>
    part === undefined || part === '' ? [] : part.split(':').map((g) => parseInt(g, 16));
  const left = groups(head);
  const right = groups(rest);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  if (tail.length === 4) out.set(tail, 12);
  return out;
}

const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

/** Parses `address/prefix` (or a bare address when `allowBare`); undefined when malformed or out of range. */
export function parseCidr(s: string, allowBare = false): Cidr | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) {
    const ip = allowBare ? parseIp(s) : undefined;
    return ip === undefined ? undefined : { ip, prefix: ip.family === 4 ? 32 : 128, bare: true };
  }
  const ip = parseIp(s.slice(0, slash));
  const p = s.slice(slash + 1);
  if (ip === undefined || !PREFIX.test(p)) return undefined;
  const prefix = Number(p);
  if (prefix > maxPrefix(ip)) return undefined;
  return { ip, prefix, bare: false };
}

/** 32 for IPv4, 128 for IPv6. */
export function maxPrefix(ip: IpAddress): number {
  return ip.family === 4 ? 32 : 128;
}

/** True when `ip` lies inside the network of `cidr` (same family, same leading `prefix` bits). */
export function contains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.ip.family !== ip.family) return false;
  for (let bit = 0; bit < cidr.prefix; bit += 8) {
    const i = bit / 8;
    const bits = Math.min(8, cidr.prefix - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    if (((cidr.ip.bytes[i] ?? 0) & mask) !== ((ip.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** The network of `cidr` with its host bits cleared, e.g. 10.244.0.0/16 for 10.244.3.1/16. */
export function networkOf(cidr: Cidr): Cidr {
  const bytes = cidr.ip.bytes.map((b, i) => {
    const bits = Math.max(0, Math.min(8, cidr.prefix - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
  return { ip: { family: cidr.ip.family, bytes }, prefix: cidr.prefix, bare: false };
}

/** True when `cidr` has host bits set (10.244.3.1/16 rather than 10.244.0.0/16). */
export function hasHostBits(cidr: Cidr): boolean {
  const net = networkOf(cidr);
  return net.ip.bytes.some((b, i) => b !== cidr.ip.bytes[i]);
}

/** True for IPv6 link-local addresses (fe80::/10), which are always on-link. */
export function isLinkLocal6(ip: IpAddress): boolean {
  return ip.family === 6 && ip.bytes[0] === 0xfe && ((ip.bytes[1] ?? 0) & 0xc0) === 0x80;
}

/** The usual text form: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as `::`). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return Array.from(ip.bytes).join('.');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((ip.bytes[i] ?? 0) << 8) | (ip.bytes[i + 1] ?? 0));
  let best = -1;
  let bestLen = 1; // a single zero group is not shortened
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** `address/prefix` text of `cidr`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.ip)}/${cidr.prefix}`;
}
