// Links, addresses and routes: the typed objects, their decoding from rtnetlink payloads and the family headers.
import { AF_INET6, anyAddress, bytesToIp } from './ip.js';
import { attrString, attrU32, attrU8, decodeAttrs, get32, get16 } from './messages.js';

/** IFLA_* attribute types (linux/if_link.h). */
export const IFLA = { ADDRESS: 1, IFNAME: 3, MTU: 4, MASTER: 10, OPERSTATE: 16, LINKINFO: 18, CARRIER: 33 } as const;
/** IFLA_INFO_* attributes nested in IFLA_LINKINFO. */
export const IFLA_INFO = { KIND: 1, DATA: 2 } as const;
/** VETH_INFO_PEER, nested in IFLA_INFO_DATA of a veth. */
export const VETH_INFO_PEER = 1;
/** IFA_* attribute types (linux/if_addr.h). */
export const IFA = { ADDRESS: 1, LOCAL: 2, LABEL: 3, FLAGS: 8 } as const;
/** RTA_* attribute types (linux/rtnetlink.h). */
export const RTA = { DST: 1, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, METRICS: 8, TABLE: 15 } as const;
/** RTAX_MTU, nested in RTA_METRICS. */
export const RTAX_MTU = 2;
/** IFF_UP in ifinfomsg.ifi_flags. */
export const IFF_UP = 0x1;

/** RFC 2863 operational states, indexed by IF_OPER_*. */
const OPER_STATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'] as const;
/** A link's operational state as the kernel reports it. */
export type OperState = (typeof OPER_STATES)[number];

/** A network link as the kernel reports it. */
export interface Link {
  readonly index: number;
  readonly name: string;
  /** ifi_type, the ARPHRD_* hardware type: 1 ether, 772 loopback, 65534 none. */
  readonly type: number;
  /** IFLA_CARRIER: the physical link has carrier; null when the kernel did not say. */
  readonly carrier: boolean | null;
  readonly mtu: number;
  /** Administratively up (IFF_UP). */
  readonly up: boolean;
  readonly operState: OperState;
  /** Hardware address as `aa:bb:cc:dd:ee:ff`; null for links without one. */
  readonly mac: string | null;
  /** IFLA_INFO_KIND (`bridge`, `veth`); null for kindless links such as loopback. */
  readonly kind: string | null;
  /** Index of the master (bridge, bond); null when enslaved to none. */
  readonly master: number | null;
}

/** An address assigned to a link. */
export interface Address {
  readonly linkIndex: number;
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefixLength: number;
  /** rt_scope: 0 universe, 253 link, 254 host. */
  readonly scope: number;
  /** IFA_F_* flags (IFA_FLAGS when present, else the 8-bit header flags). */
  readonly flags: number;
  readonly label: string | null;
}

/** A route in any table. `dst` is the zero address of the family for a default route. */
export interface Route {
  readonly family: 4 | 6;
  readonly dst: string;
  readonly dstLen: number;
  readonly gateway: string | null;
  readonly oif: number | null;
  readonly priority: number | null;
  readonly table: number;
  readonly scope: number;
  readonly protocol: number;
  readonly type: number;
  readonly prefsrc: string | null;
  /** The route MTU (RTAX_MTU in RTA_METRICS); null when the route has none (the link's MTU applies). */
  readonly mtu: number | null;
}

/** An ifinfomsg (16 bytes): family, type, index, flags, change mask. */
export function ifinfomsg(index: number, flags = 0, change = 0): Buffer {
  // Every byte is written: allocUnsafe takes a slice of Node's pool instead of a new zeroed ArrayBuffer.
  const b = Buffer.allocUnsafe(16);
  b.writeUInt32LE(0, 0); // family, pad, type
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags >>> 0, 8);
  b.writeUInt32LE(change >>> 0, 12);
  return b;
}

/** An ifaddrmsg (8 bytes): family, prefix length, flags, scope, index. */
export function ifaddrmsg(family: number, prefixLength: number, scope: number, index: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt8(family, 0);
  b.writeUInt8(prefixLength, 1);
  b.writeUInt8(0, 2); // flags: IFA_FLAGS carries them
  b.writeUInt8(scope, 3);
  b.writeUInt32LE(index, 4);
  return b;
}

/** Fields of an rtmsg (12 bytes). */
export interface RtmsgFields {
  family: number;
  dstLen: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
}

/** An rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags. */
export function rtmsg(f: RtmsgFields): Buffer {
  const b = Buffer.allocUnsafe(12);
  b.writeUInt8(f.family, 0);
  b.writeUInt8(f.dstLen, 1);
  b.writeUInt16LE(0, 2); // src_len, tos
  b.writeUInt32LE(0, 8); // flags
  b.writeUInt8(f.table < 256 ? f.table : 0, 4); // larger table ids travel in RTA_TABLE only
  b.writeUInt8(f.protocol, 5);
  b.writeUInt8(f.scope, 6);
  b.writeUInt8(f.type, 7);
  return b;
}

function macOf(b: Buffer | undefined): string | null {
  if (b === undefined || b.length === 0) return null;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Decodes an RTM_NEWLINK/RTM_DELLINK payload. */
export function decodeLink(p: Buffer): Link {
  const attrs = decodeAttrs(p, 16);
  const info = attrs.get(IFLA.LINKINFO);
  const master = attrU32(attrs.get(IFLA.MASTER));
  const carrier = attrU8(attrs.get(IFLA.CARRIER));
  return {
    index: p.readInt32LE(4),
    name: attrString(attrs.get(IFLA.IFNAME)) ?? '',
    type: p.readUInt16LE(2),
    carrier: carrier === undefined ? null : carrier !== 0,
    mtu: attrU32(attrs.get(IFLA.MTU)) ?? 0,
    up: (p.readUInt32LE(8) & IFF_UP) !== 0,
    operState: OPER_STATES[attrU8(attrs.get(IFLA.OPERSTATE)) ?? 0] ?? 'unknown',
    mac: macOf(attrs.get(IFLA.ADDRESS)),
    kind: info === undefined ? null : (attrString(decodeAttrs(info).get(IFLA_INFO.KIND)) ?? null),
    master: master === undefined || master === 0 ? null : master,
  };
}

/**
 * Where each attribute of a payload starts (its data) and how long it is, by type, for types below ATTR_TYPES; -1 where
 * absent. One table reused by every decode of an address or route, read at once: a dump or an event burst decodes
 * thousands, and a Map of buffer views per object was most of what that cost.
 */
const ATTR_TYPES = 32;
const attrAt = new Int32Array(ATTR_TYPES);
const attrLen = new Int32Array(ATTR_TYPES);

/** Fills attrAt/attrLen with the attributes of `p` from `offset`; a repeated type keeps the last, as decodeAttrs does. */
function indexAttrs(p: Buffer, offset: number): void {
  attrAt.fill(-1);
  let at = offset;
  while (at + 4 <= p.length) {
    const len = get16(p, at);
    if (len < 4 || at + len > p.length) break;
    const type = get16(p, at + 2) & 0x3fff;
    if (type < ATTR_TYPES) {
      attrAt[type] = at + 4;
      attrLen[type] = len - 4;
    }
    at += (len + 3) & ~3;
  }
}

/** The indexed attribute `type` as IP text, or null when absent. */
function ipAttrAt(p: Buffer, type: number): string | null {
  const at = attrAt[type] ?? -1;
  if (at < 0) return null;
  const len = attrLen[type] ?? 0;
  // An IPv4 address is most of what is decoded: read it in place rather than through a view of it.
  if (len === 4) return `${String(p[at])}.${String(p[at + 1])}.${String(p[at + 2])}.${String(p[at + 3])}`;
  return bytesToIp(p.subarray(at, at + len));
}

/** The indexed u32 attribute `type`, or undefined when absent or short. */
function u32At(p: Buffer, type: number): number | undefined {
  const at = attrAt[type] ?? -1;
  return at >= 0 && (attrLen[type] ?? 0) >= 4 ? get32(p, at) : undefined;
}

/** Decodes an RTM_NEWADDR/RTM_DELADDR payload. */
export function decodeAddress(p: Buffer): Address {
  indexAttrs(p, 8);
  // For IPv4, IFA_LOCAL is the address and IFA_ADDRESS the peer; IPv6 sends IFA_ADDRESS (IFA_LOCAL with a peer).
  const address = ipAttrAt(p, IFA.LOCAL) ?? ipAttrAt(p, IFA.ADDRESS);
  const family = p.readUInt8(0) === AF_INET6 ? 6 : 4;
  const labelAt = attrAt[IFA.LABEL] ?? -1;
  return {
    linkIndex: p.readUInt32LE(4),
    family,
    address: address ?? anyAddress(p.readUInt8(0)),
    prefixLength: p.readUInt8(1),
    scope: p.readUInt8(3),
    flags: u32At(p, IFA.FLAGS) ?? p.readUInt8(2),
    label: labelAt < 0 ? null : (attrString(p.subarray(labelAt, labelAt + (attrLen[IFA.LABEL] ?? 0))) ?? null),
  };
}

function routeMtu(metrics: Buffer | undefined): number | null {
  if (metrics === undefined) return null;
  return attrU32(decodeAttrs(metrics).get(RTAX_MTU)) ?? null;
}

/** The table of an RTM_NEWROUTE payload without decoding the rest (rtm_table, or RTA_TABLE for ids above 255). */
export function routeTable(p: Buffer): number {
  const t = p.readUInt8(4);
  return t === 252 /* RT_TABLE_COMPAT */ || t === 0 ? (attrU32(decodeAttrs(p, 12).get(RTA.TABLE)) ?? t) : t;
}

/** Decodes an RTM_NEWROUTE/RTM_DELROUTE payload. */
export function decodeRoute(p: Buffer): Route {
  indexAttrs(p, 12);
  const family = p.readUInt8(0);
  const metricsAt = attrAt[RTA.METRICS] ?? -1;
  return {
    family: family === AF_INET6 ? 6 : 4,
    dst: ipAttrAt(p, RTA.DST) ?? anyAddress(family),
    dstLen: p.readUInt8(1),
    gateway: ipAttrAt(p, RTA.GATEWAY),
    oif: u32At(p, RTA.OIF) ?? null,
    priority: u32At(p, RTA.PRIORITY) ?? null,
    table: u32At(p, RTA.TABLE) ?? p.readUInt8(4),
    scope: p.readUInt8(6),
    protocol: p.readUInt8(5),
    type: p.readUInt8(7),
    prefsrc: ipAttrAt(p, RTA.PREFSRC),
    mtu: metricsAt < 0 ? null : routeMtu(p.subarray(metricsAt, metricsAt + (attrLen[RTA.METRICS] ?? 0))),
  };
}
