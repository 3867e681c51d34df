// The direct WatchResponse decoder against the generic protobuf path: same events for any input, lazily decoded `old`,
// unknown fields skipped, and truncated bytes refused with a typed error.
import { expect } from 'chai';
import fc from 'fast-check';
import type { Resource, WatchEvent } from '../../resources/index.js';
import { STATE_SERVICE } from '../proto/load.js';
import type { PbWatchResponse } from '../proto/types.js';
import { eventFromPb, eventToPb } from './resource.js';
import { decodeWatchResponse, WatchDecodeError } from './watch-decode.js';

const watch = STATE_SERVICE['Watch'];
if (watch === undefined) throw new Error('State.Watch missing from the .proto files');
const encode = (events: readonly WatchEvent[]): Buffer => watch.responseSerialize({ event: events.map(eventToPb) });
const generic = (buf: Buffer): WatchEvent[] =>
  (watch.responseDeserialize(buf) as PbWatchResponse).event.flatMap((p) => {
    const e = eventFromPb(p);
    return e === undefined ? [] : [e];
  });

/** Events as plain data (the lazily decoded `old` read through its getter), for deep comparison. */
const plain = (events: readonly WatchEvent[]): unknown[] =>
  events.map((e) => {
    switch (e.type) {
      case 'errored':
        return { type: e.type, message: e.error.message };
      case 'bootstrapped':
        return { type: e.type, bookmark: e.bookmark === undefined ? undefined : [...e.bookmark] };
      default:
        return { type: e.type, resource: e.resource, old: e.old, bookmark: [...e.bookmark] };
    }
  });

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
// The generic decoder assigns map entries, so a `__proto__` key is lost there; it is tested on its own below.
const key = fc.string({ minLength: 1, maxLength: 10 }).filter((k) => k !== '__proto__');
const dict = fc.dictionary(key, text, { maxKeys: 3 });
const resourceArb: fc.Arbitrary<Resource> = fc
  .record({
    namespace: fc.string({ minLength: 1, maxLength: 20 }),
    type: fc.string({ minLength: 1, maxLength: 40 }),
    id: text.filter((s) => s !== ''),
    version: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    owner: text,
    phase: fc.constantFrom('running' as const, 'tearingDown' as const),
    created: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    updated: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    finalizers: fc.array(text, { maxLength: 3 }),
    labels: dict,
    annotations: dict,
    spec: fc.oneof(fc.jsonValue(), fc.constant(null)),
  })
  .map(({ spec, ...metadata }) => ({ metadata, spec }));
const bookmarkArb = fc.uint8Array({ minLength: 1, maxLength: 24 });
const eventArb: fc.Arbitrary<WatchEvent> = fc.oneof(
  fc.record({
    type: fc.constantFrom('created' as const, 'updated' as const, 'destroyed' as const),
    resource: resourceArb,
    bookmark: bookmarkArb,
  }),
  fc.record({ type: fc.constant('updated' as const), resource: resourceArb, old: resourceArb, bookmark: bookmarkArb }),
  fc.record({ type: fc.constant('bootstrapped' as const) }),
  fc.record({ type: fc.constant('bootstrapped' as const), bookmark: bookmarkArb }),
  text.map((m) => ({ type: 'errored' as const, error: new Error(m === '' ? 'x' : m) })),
);

describe('decodeWatchResponse', () => {
  it('decodes any response exactly as the generic protobuf decoder does', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 6 }), (events) => {
        const buf = encode(events);
        expect(plain(decodeWatchResponse(buf))).to.deep.equal(plain(generic(buf)));
      }),
      { numRuns: 300 },
    );
  });

  it('gives frozen resources, like the store, and decodes `old` only when it is read', () => {
    const r = (v: number): Resource => ({
      metadata: {
        namespace: 'ns',
        type: 'T',
        id: 'a',
        version: v,
        owner: '',
        phase: 'running',
        created: 1,
        updated: 2,
        finalizers: [],
        labels: {},
        annotations: {},
      },
      spec: { v },
    });
    const [e] = decodeWatchResponse(
      encode([{ type: 'updated', resource: r(2), old: r(1), bookmark: new Uint8Array([1]) }]),
    );
    if (e?.type !== 'updated') throw new Error('expected an updated event');
    expect(Object.isFrozen(e.resource)).to.equal(true);
    expect(Object.isFrozen(e.resource.metadata)).to.equal(true);
    expect(e.resource.spec).to.deep.equal({ v: 2 });
    expect(e.old?.spec).to.deep.equal({ v: 1 });
    expect(e.old).to.equal(e.old, 'decoded once, then the same object');
  });

  it('keeps a label called __proto__ as a label', () => {
    const labels = Object.defineProperty({}, '__proto__', { value: 'x', enumerable: true }) as Record<string, string>;
    const r: Resource = { metadata: { ...emptyMeta(), id: 'a', labels }, spec: null };
    const [e] = decodeWatchResponse(encode([{ type: 'created', resource: r, bookmark: new Uint8Array([1]) }]));
    if (e?.type !== 'created') throw new Error('expected a created event');
    expect(Object.getPrototypeOf(e.resource.metadata.labels)).to.equal(Object.prototype);
    expect(Object.entries(e.resource.metadata.labels)).to.deep.equal([['__proto__', 'x']]);
  });

  it('skips fields it does not know (a newer server) and drops NOOP events', () => {
    const base = encode([{ type: 'bootstrapped' }]);
    // Field 15, varint 1, at the top level; then an Event with only event_type NOOP (5).
    const extra = Buffer.concat([base, Buffer.from([0x78, 0x01]), Buffer.from([0x0a, 0x02, 0x10, 0x05])]);
    expect(plain(decodeWatchResponse(extra))).to.deep.equal([{ type: 'bootstrapped', bookmark: undefined }]);
  });

  it('refuses truncated bytes with a WatchDecodeError', () => {
    const buf = encode([
      {
        type: 'created',
        resource: { metadata: { ...emptyMeta(), id: 'x' }, spec: { a: 1 } },
        bookmark: new Uint8Array([7]),
      },
    ]);
    for (const cut of [1, 5, buf.length - 1]) {
      expect(() => decodeWatchResponse(buf.subarray(0, cut)), `cut at ${String(cut)}`).to.throw(WatchDecodeError);
    }
  });
});

function emptyMeta(): Resource['metadata'] {
  return {
    namespace: 'ns',
    type: 'T',
    id: '',
    version: 1,
    owner: '',
    phase: 'running',
    created: 0,
    updated: 0,
    finalizers: [],
    labels: {},
    annotations: {},
  };
}
