// Address and route change requests, written straight into the datagram that carries them: no buffer per attribute.
import { AF_INET, AF_INET6, familyOf, writeIp } from './ip.js';
import { put16, put32 } from './messages.js';
import { IFA, RTA, RTAX_MTU } from './objects.js';

/** A link by kernel index or by name. */
export type LinkRef = number | string;

/** An address to add or delete. */
export interface AddressSpec {
  readonly link: LinkRef;
  readonly address: string;
  readonly prefixLength: number;
  readonly label?: string;
  /** IFA_F_* flags, e.g. IFA_F_NODAD (0x02) for IPv6. */
  readonly flags?: number;
  readonly scope?: number;
}

/** A route to add, replace or delete; defaults: main table, static protocol, unicast, scope link without gateway. */
export interface RouteSpec {
  readonly dst: string;
  readonly dstLen: number;
  readonly gateway?: string;
  readonly oif?: LinkRef;
  readonly priority?: number;
  readonly table?: number;
  readonly scope?: number;
  readonly protocol?: number;
  readonly type?: number;
  readonly prefsrc?: string;
  /** The route MTU (RTAX_MTU); leave it out for the link's MTU. */
  readonly mtu?: number;
}

/** One change request, as the socket sends it (alone or in a batch). */
export interface ChangeRequest {
  readonly type: number;
  readonly flags: number;
  /** Bytes after the nlmsghdr: the family header and the attributes. */
  readonly length: number;
  /** Writes the family header and the attributes at `at` of `out` (which has `length` bytes there). */
  write(out: Buffer, at: number): void;
  /** What it does, for its error, e.g. `address add 10.0.0.1/24 dev eth0`. */
  readonly op: string;
}

const RT_TABLE_MAIN = 254;
const RTPROT_STATIC = 4;
const RTN_UNICAST = 1;
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_LINK = 253;
const NLA_F_NESTED = 0x8000;

type Family = typeof AF_INET | typeof AF_INET6;

const ipLength = (family: Family): number => (family === AF_INET ? 4 : 16);

/** Writes an attribute header for `length` data bytes; returns where the data goes. */
function header(out: Buffer, at: number, type: number, length: number): number {
  put16(out, at, 4 + length);
  put16(out, at + 2, type);
  return at + 4;
}

function u32(out: Buffer, at: number, type: number, value: number): number {
  put32(out, header(out, at, type, 4), value);
  return at + 8;
}

function ip(out: Buffer, at: number, type: number, address: string, family: Family): number {
  writeIp(address, family, out, header(out, at, type, ipLength(family)));
  return at + 4 + ipLength(family);
}

/** A NUL-terminated string attribute from its bytes (NUL included), zero-padded to 4. */
function str(out: Buffer, at: number, type: number, bytes: Buffer): number {
  const data = header(out, at, type, bytes.length);
  bytes.copy(out, data);
  const end = data + bytes.length;
  const padded = (end + 3) & ~3;
  out.fill(0, end, padded);
  return padded;
}

/** An RTM_NEWADDR/RTM_DELADDR request: ifaddrmsg, IFA_LOCAL, IFA_ADDRESS, then IFA_LABEL and IFA_FLAGS when given. */
export class AddressRequest implements ChangeRequest {
  readonly length: number;
  private readonly family: Family;
  private readonly label: Buffer | undefined;

  private readonly index: number;

  /** `index` resolves a link to its kernel index; `verb` starts the op, e.g. `address add`. */
  constructor(
    readonly type: number,
    readonly flags: number,
    private readonly a: AddressSpec,
    index: (ref: LinkRef) => number,
    private readonly verb: string,
  ) {
    this.family = familyOf(a.address);
    this.index = index(a.link);
    this.label = a.label === undefined ? undefined : Buffer.from(`${a.label}\0`, 'utf8');
    const labelLength = this.label === undefined ? 0 : (4 + this.label.length + 3) & ~3;
    this.length = 8 + 2 * (4 + ipLength(this.family)) + labelLength + (a.flags === undefined ? 0 : 8);
  }

  write(out: Buffer, at: number): void {
    const a = this.a;
    out[at] = this.family;
    out.writeUInt8(a.prefixLength, at + 1);
    out[at + 2] = 0; // ifa_flags: IFA_FLAGS carries them
    out.writeUInt8(a.scope ?? 0, at + 3);
    put32(out, at + 4, this.index);
    let p = ip(out, at + 8, IFA.LOCAL, a.address, this.family);
    p = ip(out, p, IFA.ADDRESS, a.address, this.family);
    if (this.label !== undefined) p = str(out, p, IFA.LABEL, this.label);
    if (a.flags !== undefined) u32(out, p, IFA.FLAGS, a.flags);
  }

  get op(): string {
    return `${this.verb} ${this.a.address}/${String(this.a.prefixLength)} dev ${String(this.a.link)}`;
  }
}

/**
 * An RTM_NEWROUTE/RTM_DELROUTE request: rtmsg, RTA_TABLE, then RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PRIORITY,
 * RTA_PREFSRC and RTA_METRICS (RTAX_MTU) as given.
 */
export class RouteRequest implements ChangeRequest {
  readonly length: number;
  private readonly family: Family;
  private readonly table: number;
  private readonly oif: number | undefined;

  /** `index` resolves a link (the route's oif) to its kernel index; `verb` starts the op, e.g. `route add`. */
  constructor(
    readonly type: number,
    readonly flags: number,
    private readonly r: RouteSpec,
    index: (ref: LinkRef) => number,
    private readonly verb: string,
  ) {
    this.family = familyOf(r.dst);
    this.table = r.table ?? RT_TABLE_MAIN;
    this.oif = r.oif === undefined ? undefined : index(r.oif);
    let n = 12 + 8;
    if (r.dstLen > 0) n += 4 + ipLength(this.family);
    if (r.gateway !== undefined) n += 4 + ipLength(familyOf(r.gateway));
    if (this.oif !== undefined) n += 8;
    if (r.priority !== undefined) n += 8;
    if (r.prefsrc !== undefined) n += 4 + ipLength(familyOf(r.prefsrc));
    if (r.mtu !== undefined && r.mtu > 0) n += 12;
    this.length = n;
  }

  write(out: Buffer, at: number): void {
    const r = this.r;
    const table = this.table;
    out[at] = this.family;
    out.writeUInt8(r.dstLen, at + 1);
    put16(out, at + 2, 0); // src_len, tos
    out.writeUInt8(table < 256 ? table : 0, at + 4); // larger table ids travel in RTA_TABLE only
    out.writeUInt8(r.protocol ?? RTPROT_STATIC, at + 5);
    out.writeUInt8(r.scope ?? (r.gateway === undefined ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE), at + 6);
    out.writeUInt8(r.type ?? RTN_UNICAST, at + 7);
    put32(out, at + 8, 0); // rtm_flags
    let p = u32(out, at + 12, RTA.TABLE, table);
    if (r.dstLen > 0) p = ip(out, p, RTA.DST, r.dst, this.family);
    if (r.gateway !== undefined) p = ip(out, p, RTA.GATEWAY, r.gateway, familyOf(r.gateway));
    if (this.oif !== undefined) p = u32(out, p, RTA.OIF, this.oif);
    if (r.priority !== undefined) p = u32(out, p, RTA.PRIORITY, r.priority);
    if (r.prefsrc !== undefined) p = ip(out, p, RTA.PREFSRC, r.prefsrc, familyOf(r.prefsrc));
    if (r.mtu !== undefined && r.mtu > 0) u32(out, header(out, p, RTA.METRICS | NLA_F_NESTED, 8), RTAX_MTU, r.mtu);
  }

  get op(): string {
    const r = this.r;
    const via = r.gateway === undefined ? '' : ` via ${r.gateway}`;
    return `${this.verb} ${r.dst}/${String(r.dstLen)}${via} table ${String(this.table)}`;
  }
}
