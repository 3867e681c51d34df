// Kernel numbers (families, scopes, flags, tables, route types and protocols) turned into the names talosctl prints.
import type { NetlinkLink } from '../../runtime/index.js';

/** `inet4` or `inet6`. */
export function familyName(family: 4 | 6): 'inet4' | 'inet6' {
  return family === 4 ? 'inet4' : 'inet6';
}

const SCOPES: Readonly<Record<number, string>> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };
/** rt_scope as a name (the number when unnamed). */
export function scopeName(scope: number): string {
  return SCOPES[scope] ?? String(scope);
}

const TABLES: Readonly<Record<number, string>> = { 253: 'default', 254: 'main', 255: 'local' };
/** A routing table id as a name (the number when unnamed). */
export function tableName(table: number): string {
  return TABLES[table] ?? String(table);
}

const ROUTE_TYPES = [
  'unspec',
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
] as const;
/** rtm_type as a name (the number when unnamed). */
export function routeTypeName(type: number): string {
  return ROUTE_TYPES[type] ?? String(type);
}

const PROTOCOLS: Readonly<Record<number, string>> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  16: 'dhcp',
  42: 'babel',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
};
/** rtm_protocol as a name (the number when unnamed). */
export function protocolName(protocol: number): string {
  return PROTOCOLS[protocol] ?? String(protocol);
}

const ADDRESS_FLAGS: readonly (readonly [number, string])[] = [
  [0x01, 'secondary'],
  [0x02, 'nodad'],
  [0x04, 'optimistic'],
  [0x08, 'dadfailed'],
  [0x10, 'homeaddress'],
  [0x20, 'deprecated'],
  [0x40, 'tentative'],
  [0x80, 'permanent'],
  [0x100, 'managetempaddr'],
  [0x200, 'noprefixroute'],
  [0x400, 'mcautojoin'],
  [0x800, 'stable-privacy'],
];
/** Flag sets seen so far: a node's addresses share a handful, and each status pass names every address's flags. */
const addressFlagText = new Map<number, string>();

/** IFA_F_* flags as a comma-separated list of names, in bit order. */
export function addressFlagNames(flags: number): string {
  let text = addressFlagText.get(flags);
  if (text === undefined) {
    text = ADDRESS_FLAGS.filter(([bit]) => (flags & bit) !== 0)
      .map(([, name]) => name)
      .join(',');
    // Bounded: only the 12 known bits are named, but a kernel could report others; keep the cache small regardless.
    if (addressFlagText.size < 256) addressFlagText.set(flags, text);
  }
  return text;
}

const LINK_TYPES: Readonly<Record<number, string>> = {
  1: 'ether',
  24: 'ieee1394',
  32: 'infiniband',
  768: 'tunnel',
  769: 'tunnel6',
  772: 'loopback',
  776: 'sit',
  778: 'gre',
  823: 'ip6gre',
  65534: 'none',
};
/** The ARPHRD_* hardware type (ifi_type) as the name `ip link` prints (the number when unnamed). */
export function linkTypeName(link: NetlinkLink): string {
  return LINK_TYPES[link.type] ?? String(link.type);
}
