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
/** IFA_F_* flags as a comma-separated list of names, in bit order. */
export function addressFlagNames(flags: number): string {
  return ADDRESS_FLAGS.filter(([bit]) => (flags & bit) !== 0)
    .map(([, name]) => name)
    .join(',');
}

/**
 * The link type. The adapter does not decode ifi_type yet, so it is derived from the hardware address: an all-zero
 * one on a kindless link is loopback, a 6-byte one is ether, none is `none`.
 */
export function linkTypeName(link: NetlinkLink): string {
  if (link.mac === null) return 'none';
  if (link.kind === null && /^(00:){5}00$/.test(link.mac)) return 'loopback';
  return link.mac.split(':').length === 6 ? 'ether' : 'none';
}
