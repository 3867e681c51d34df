// A direct decoder of cosi.resource.WatchResponse bytes into store watch events, for clients.
//
// The generic path (protobufjs decode, then toObject with defaults, then eventFromPb) builds three object trees per
// event; a client with 100 watchers spends most of its CPU there. This reads the wire format once, straight into the
// frozen resources the store's own watchers get. Field numbers: api/proto/resource.proto (those of COSI).
import { parse } from 'yaml';
import type { Metadata, Resource, WatchEvent } from '../../resources/index.js';

/** A malformed message: the stream that carried it is broken, not the node's state. */
export class WatchDecodeError extends Error {}

const EMPTY_BOOKMARK = new Uint8Array();
const EMPTY_BUFFER = Buffer.alloc(0);
const NO_STRINGS: readonly string[] = Object.freeze([]);
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

// The decoder's position: one message is decoded synchronously at a time, so plain module state serves, and no
// reader object is allocated per field (allocation and GC were most of a busy client's decoding time).
let buf: Buffer = EMPTY_BUFFER;
let pos = 0;

function varint(end: number): number {
  if (pos >= end) throw new WatchDecodeError('truncated varint');
  const first = buf[pos++] ?? 0;
  if (first < 0x80) return first;
  let result = first & 0x7f;
  let scale = 128;
  for (;;) {
    if (pos >= end) throw new WatchDecodeError('truncated varint');
    const b = buf[pos++] ?? 0;
    // Up to 2^53 exactly: multiply instead of shifting past 31 bits.
    result += (b & 0x7f) * scale;
    if (b < 0x80) return result;
    scale *= 128;
    if (scale > 2 ** 63) throw new WatchDecodeError('varint too long');
  }
}

/** The end of the length-delimited field at `pos` (whose start is then `pos`). */
function fieldEnd(end: number): number {
  const len = varint(end);
  const e = pos + len;
  if (e > end) throw new WatchDecodeError('truncated field');
  return e;
}

function string(end: number): string {
  const e = fieldEnd(end);
  const s = pos;
  pos = e;
  if (e - s > 32) return buf.toString('utf8', s, e);
  // Names, ids and versions are short ASCII: building them here beats a call into the UTF-8 decoder.
  let out = '';
  for (let i = s; i < e; i++) {
    const c = buf[i] ?? 0;
    if (c >= 0x80) return buf.toString('utf8', s, e);
    out += String.fromCharCode(c);
  }
  return out;
}

function skip(wireType: number, end: number): void {
  switch (wireType) {
    case 0:
      varint(end);
      return;
    case 1:
      pos += 8;
      return;
    case 2:
      pos = fieldEnd(end);
      return;
    case 5:
      pos += 4;
      return;
    default:
      throw new WatchDecodeError(`unsupported wire type ${String(wireType)}`);
  }
}

function timestampMs(end: number): number {
  let seconds = 0;
  let nanos = 0;
  while (pos < end) {
    const tag = varint(end);
    if (tag === 0x08) seconds = varint(end);
    else if (tag === 0x10) nanos = varint(end);
    else skip(tag & 7, end);
  }
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

function mapEntry(end: number, into: Record<string, string>): void {
  let key = '';
  let value = '';
  while (pos < end) {
    const tag = varint(end);
    if (tag === 0x0a) key = string(end);
    else if (tag === 0x12) value = string(end);
    else skip(tag & 7, end);
  }
  // An own property even for `__proto__` (an assignment would replace the object's prototype instead).
  Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
}

function metadata(end: number): Metadata {
  let namespace = '';
  let type = '';
  let id = '';
  let version = 0;
  let owner = '';
  let phase: Metadata['phase'] = 'running';
  let created = 0;
  let updated = 0;
  let finalizers: string[] | undefined;
  let labels: Record<string, string> | undefined;
  let annotations: Record<string, string> | undefined;
  while (pos < end) {
    const tag = varint(end);
    switch (tag) {
      case 0x0a:
        namespace = string(end);
        break;
      case 0x12:
        type = string(end);
        break;
      case 0x1a:
        id = string(end);
        break;
      case 0x22:
        version = Number(string(end));
        break;
      case 0x2a:
        owner = string(end);
        break;
      case 0x32:
        phase = string(end) === 'tearingDown' ? 'tearingDown' : 'running';
        break;
      case 0x3a:
        created = timestampMs(fieldEnd(end));
        break;
      case 0x42:
        updated = timestampMs(fieldEnd(end));
        break;
      case 0x4a:
        (finalizers ??= []).push(string(end));
        break;
      case 0x52:
        mapEntry(fieldEnd(end), (labels ??= {}));
        break;
      case 0x5a:
        mapEntry(fieldEnd(end), (annotations ??= {}));
        break;
      default:
        skip(tag & 7, end);
    }
  }
  return Object.freeze({
    namespace,
    type,
    id,
    version,
    owner,
    phase,
    finalizers: finalizers ?? NO_STRINGS,
    labels: labels ?? NO_LABELS,
    annotations: annotations ?? NO_LABELS,
    created,
    updated,
  });
}

/** The spec from `yaml_spec`: JSON when it is (what our nodes send), else YAML (what other servers may send). */
export function parseSpecText(text: string): unknown {
  if (text === '') return null;
  const c = text.charCodeAt(0);
  if (c === 123 /* { */ || c === 91 /* [ */ || c === 34 /* " */) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not JSON after all: fall through to YAML.
    }
  }
  return parse(text) as unknown;
}

function spec(end: number): unknown {
  let text = '';
  while (pos < end) {
    const tag = varint(end);
    if (tag === 0x12) text = string(end);
    else skip(tag & 7, end);
  }
  return parseSpecText(text);
}

function resource(end: number): Resource {
  let meta: Metadata | undefined;
  let s: unknown = null;
  while (pos < end) {
    const tag = varint(end);
    if (tag === 0x0a) meta = metadata(fieldEnd(end));
    else if (tag === 0x12) s = spec(fieldEnd(end));
    else skip(tag & 7, end);
  }
  if (meta === undefined) throw new WatchDecodeError('resource without metadata');
  return Object.freeze({ metadata: meta, spec: s });
}

/** Decodes the resource in `bytes` on its own (the lazily decoded `old` of an event). */
function resourceFrom(bytes: Buffer): Resource {
  const [savedBuf, savedPos] = [buf, pos];
  buf = bytes;
  pos = 0;
  try {
    return resource(bytes.length);
  } finally {
    buf = savedBuf;
    pos = savedPos;
  }
}

/**
 * A change event whose previous version is decoded only if someone reads `old` (most consumers never do). Until then
 * the event holds those bytes, a slice of the message the transport allocated for it.
 */
class EventWithOld {
  private decoded: Resource | undefined;
  constructor(
    readonly type: 'created' | 'updated' | 'destroyed',
    readonly resource: Resource,
    readonly bookmark: Uint8Array,
    private readonly oldBytes: Buffer,
  ) {}

  get old(): Resource {
    return (this.decoded ??= resourceFrom(this.oldBytes));
  }
}

/** A copy of bytes [s, e): a bookmark is often kept long after its event and must not pin the whole message. */
function copy(s: number, e: number): Uint8Array {
  const out = new Uint8Array(e - s);
  for (let i = s; i < e; i++) out[i - s] = buf[i] ?? 0;
  return out;
}

const TYPES = ['created', 'updated', 'destroyed', 'bootstrapped', 'errored', 'noop'] as const;

/** One Event; undefined for NOOP (and for event types newer than this client). */
function event(end: number): WatchEvent | undefined {
  let resStart = -1;
  let resEnd = -1;
  let oldStart = -1;
  let oldEnd = -1;
  let kind = 0;
  let error: string | undefined;
  let bookmark: Uint8Array | undefined;
  while (pos < end) {
    const tag = varint(end);
    switch (tag) {
      case 0x0a:
        resEnd = fieldEnd(end);
        resStart = pos;
        pos = resEnd;
        break;
      case 0x10:
        kind = varint(end);
        break;
      case 0x1a:
        oldEnd = fieldEnd(end);
        oldStart = pos;
        pos = oldEnd;
        break;
      case 0x22:
        error = string(end);
        break;
      case 0x2a: {
        const e = fieldEnd(end);
        if (e > pos) bookmark = copy(pos, e);
        pos = e;
        break;
      }
      default:
        skip(tag & 7, end);
    }
  }
  const type = TYPES[kind];
  switch (type) {
    case undefined:
    case 'noop':
      return undefined;
    case 'bootstrapped':
      return bookmark === undefined ? { type } : { type, bookmark };
    case 'errored':
      return { type, error: new Error(error ?? 'watch errored') };
    default: {
      if (resStart < 0) throw new WatchDecodeError(`${type} event without a resource`);
      const after = pos;
      pos = resStart;
      const res = resource(resEnd);
      pos = after;
      const mark = bookmark ?? EMPTY_BOOKMARK;
      if (oldStart < 0) return { type, resource: res, bookmark: mark };
      return new EventWithOld(type, res, mark, buf.subarray(oldStart, oldEnd));
    }
  }
}

/** The events of one WatchResponse message (NOOP events dropped). */
export function decodeWatchResponse(message: Buffer): WatchEvent[] {
  buf = message;
  pos = 0;
  const end = message.length;
  const out: WatchEvent[] = [];
  try {
    while (pos < end) {
      const tag = varint(end);
      if (tag === 0x0a) {
        const e = fieldEnd(end);
        const ev = event(e);
        pos = e;
        if (ev !== undefined) out.push(ev);
      } else skip(tag & 7, end);
    }
  } finally {
    // Do not keep the last message alive through module state.
    buf = EMPTY_BUFFER;
  }
  return out;
}
