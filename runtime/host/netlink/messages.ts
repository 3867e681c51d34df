// Netlink framing: nlmsghdr, rtattr (4-byte aligned, nested), the NLMSG_ERROR payload, and rtnetlink's constants.

/** Message types (linux/netlink.h, linux/rtnetlink.h). */
export const NLMSG_ERROR = 2;
/** End of a multipart (dump) reply. */
export const NLMSG_DONE = 3;
/** rtnetlink message types. */
export const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWROUTE: 24,
  DELROUTE: 25,
  GETROUTE: 26,
} as const;

/** nlmsghdr flags. */
export const NLM_F = {
  REQUEST: 0x1,
  MULTI: 0x2,
  ACK: 0x4,
  DUMP_INTR: 0x10,
  DUMP: 0x300,
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  /** On NLMSG_ERROR: the original request was capped to its header. */
  CAPPED: 0x100,
  /** On NLMSG_ERROR: extended-ack attributes follow. */
  ACK_TLVS: 0x200,
} as const;

/** Multicast groups (enum rtnetlink_groups) an event socket joins. */
export const RTNLGRP = { LINK: 1, IPV4_IFADDR: 5, IPV4_ROUTE: 7, IPV6_IFADDR: 9, IPV6_ROUTE: 11 } as const;

/** Length of the nlmsghdr every message starts with. */
export const NLMSG_HDRLEN = 16;
const NLA_HDRLEN = 4;
const NLA_TYPE_MASK = 0x3fff;
const NLA_F_NESTED = 0x8000;
const NLMSGERR_ATTR_MSG = 1;

/** Rounds up to netlink's 4-byte alignment. */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** One decoded netlink message; `payload` views the receive buffer and is only valid until the next recv. */
export interface RawMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  readonly payload: Buffer;
}

/**
 * Little-endian reads and writes by index. Buffer's own methods check their arguments on every call, which loops over
 * thousands of messages feel (before the process is warm most of all); callers stay within the bounds they checked.
 */
export function get16(b: Uint8Array, at: number): number {
  return (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
}

/** A little-endian u32 read by index (see {@link get16}). */
export function get32(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16)) + (b[at + 3] ?? 0) * 0x1000000;
}

/** A little-endian u16 write by index (see {@link get16}). */
export function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
}

/** A little-endian u32 write by index (see {@link get16}); negative values are written as their two's complement. */
export function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

/** Writes an nlmsghdr at `at` of `out`. */
export function writeHeader(out: Buffer, at: number, length: number, type: number, flags: number, seq: number): void {
  put32(out, at, length);
  put16(out, at + 4, type);
  put16(out, at + 6, flags);
  put32(out, at + 8, seq);
  put32(out, at + 12, 0);
}

/** Encodes one message: header, fixed family header, then attributes. */
export function encodeMessage(
  type: number,
  flags: number,
  seq: number,
  body: Buffer,
  attrs: readonly Buffer[],
): Buffer {
  let length = NLMSG_HDRLEN + body.length;
  for (const a of attrs) length += a.length;
  const msg = Buffer.allocUnsafe(length);
  writeHeader(msg, 0, length, type, flags, seq);
  let at = NLMSG_HDRLEN + body.copy(msg, NLMSG_HDRLEN);
  for (const a of attrs) at += a.copy(msg, at);
  return msg;
}

/** Splits a received datagram into its messages; stops at a truncated one. */
export function decodeMessages(buf: Buffer, length: number): RawMessage[] {
  const out: RawMessage[] = [];
  let at = 0;
  while (at + NLMSG_HDRLEN <= length) {
    const len = get32(buf, at);
    if (len < NLMSG_HDRLEN || at + len > length) break;
    out.push({
      type: get16(buf, at + 4),
      flags: get16(buf, at + 6),
      seq: get32(buf, at + 8),
      pid: get32(buf, at + 12),
      payload: buf.subarray(at + NLMSG_HDRLEN, at + len),
    });
    at += align4(len);
  }
  return out;
}

/**
 * An attribute of `length` data bytes with its header and zeroed padding written; the caller writes the data at 4.
 * From Node's shared pool rather than a new ArrayBuffer each: a batch of a thousand addresses makes thousands.
 */
export function attrBuffer(type: number, length: number): Buffer {
  const used = NLA_HDRLEN + length;
  const b = Buffer.allocUnsafe(align4(used));
  b.writeUInt16LE(used, 0);
  b.writeUInt16LE(type, 2);
  for (let i = used; i < b.length; i++) b[i] = 0;
  return b;
}

/** An attribute holding raw bytes, padded to 4 bytes. */
export function attr(type: number, data: Buffer): Buffer {
  const b = attrBuffer(type, data.length);
  data.copy(b, NLA_HDRLEN);
  return b;
}

/** A u32 attribute (host order, little-endian here). */
export function u32Attr(type: number, value: number): Buffer {
  const b = attrBuffer(type, 4);
  b.writeUInt32LE(value >>> 0, NLA_HDRLEN);
  return b;
}

/** A NUL-terminated string attribute. */
export function strAttr(type: number, value: string): Buffer {
  return attr(type, Buffer.from(`${value}\0`, 'utf8'));
}

/** A nested attribute holding other attributes (or a family header followed by attributes). */
export function nestedAttr(type: number, children: readonly Buffer[]): Buffer {
  return attr(type | NLA_F_NESTED, Buffer.concat(children));
}

/** Decodes the attributes in `buf` from `offset`; a repeated type keeps the last value. */
export function decodeAttrs(buf: Buffer, offset = 0): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let at = offset;
  while (at + NLA_HDRLEN <= buf.length) {
    const len = buf.readUInt16LE(at);
    if (len < NLA_HDRLEN || at + len > buf.length) break;
    out.set(buf.readUInt16LE(at + 2) & NLA_TYPE_MASK, buf.subarray(at + NLA_HDRLEN, at + len));
    at += align4(len);
  }
  return out;
}

/** A string attribute without its NUL terminator. */
export function attrString(b: Buffer | undefined): string | undefined {
  if (b === undefined) return undefined;
  const nul = b.indexOf(0);
  return b.toString('utf8', 0, nul < 0 ? b.length : nul);
}

/** A u32 attribute's value. */
export function attrU32(b: Buffer | undefined): number | undefined {
  return b !== undefined && b.length >= 4 ? b.readUInt32LE(0) : undefined;
}

/** A u8 attribute's value. */
export function attrU8(b: Buffer | undefined): number | undefined {
  return b !== undefined && b.length >= 1 ? b.readUInt8(0) : undefined;
}

/** The NLMSG_ERROR or NLMSG_DONE payload: errno (0 for success) and the kernel's extended-ack message, if any. */
export function decodeError(msg: RawMessage): { errno: number; message: string | undefined } {
  if (msg.payload.length < 4) return { errno: 0, message: undefined };
  const errno = -msg.payload.readInt32LE(0);
  if ((msg.flags & NLM_F.ACK_TLVS) === 0) return { errno, message: undefined };
  // NLMSG_ERROR echoes the request after the errno (only its header when capped); NLMSG_DONE echoes nothing.
  const done = msg.type === NLMSG_DONE;
  if (!done && msg.payload.length < 4 + NLMSG_HDRLEN) return { errno, message: undefined };
  const echoed = done ? 0 : (msg.flags & NLM_F.CAPPED) !== 0 ? NLMSG_HDRLEN : msg.payload.readUInt32LE(4);
  const tlvs = decodeAttrs(msg.payload, 4 + align4(echoed));
  return { errno, message: attrString(tlvs.get(NLMSGERR_ATTR_MSG)) };
}
