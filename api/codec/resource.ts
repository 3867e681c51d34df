// Resources, queries and watch events between the store's types and the protocol's messages.
import type {
  Bookmark,
  LabelOp,
  LabelQuery,
  Metadata,
  Resource,
  Selector,
  WatchEvent,
  WatchOptions,
} from '../../resources/index.js';
import type {
  PbEvent,
  PbIdQuery,
  PbLabelOp,
  PbLabelQuery,
  PbResource,
  PbTimestamp,
  PbWatchOptions,
} from '../proto/types.js';
import { parseSpecText } from './watch-decode.js';

const EMPTY = Buffer.alloc(0);
const toTs = (ms: number): PbTimestamp => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
const fromTs = (t: PbTimestamp | null): number => (t === null ? 0 : t.seconds * 1000 + Math.floor(t.nanos / 1e6));

/**
 * The spec as `yaml_spec` text. We write JSON, which is YAML too (YAML 1.2 is a superset), so any COSI client
 * reads it while ours parses it with JSON.parse: several times cheaper than a YAML round trip per event.
 */
function specText(spec: unknown): string {
  // JSON.stringify returns undefined for an undefined spec, whatever its declared type says.
  return spec === undefined ? 'null' : JSON.stringify(spec);
}

const encoded = new WeakMap<Resource, PbResource>();

/** A stored resource as a protocol message; resources are immutable, so each is encoded once for all watchers. */
export function resourceToPb(r: Resource): PbResource {
  const hit = encoded.get(r);
  if (hit !== undefined) return hit;
  const pb = encodeResource(r);
  encoded.set(r, pb);
  return pb;
}

function encodeResource(r: Resource): PbResource {
  const m = r.metadata;
  return {
    metadata: {
      namespace: m.namespace,
      type: m.type,
      id: m.id,
      version: String(m.version),
      owner: m.owner,
      phase: m.phase,
      created: toTs(m.created),
      updated: toTs(m.updated),
      finalizers: [...m.finalizers],
      labels: { ...m.labels },
      annotations: { ...m.annotations },
    },
    spec: { protoSpec: EMPTY, yamlSpec: specText(r.spec) },
  };
}

/** A protocol resource back as a (frozen) resource. */
export function resourceFromPb(p: PbResource): Resource {
  const m = p.metadata;
  if (m === null) throw new Error('resource without metadata');
  const metadata: Metadata = {
    namespace: m.namespace,
    type: m.type,
    id: m.id,
    version: Number(m.version),
    owner: m.owner,
    phase: m.phase === 'tearingDown' ? 'tearingDown' : 'running',
    finalizers: m.finalizers,
    labels: m.labels,
    annotations: m.annotations,
    created: fromTs(m.created),
    updated: fromTs(m.updated),
  };
  const spec: unknown = p.spec === null ? null : parseSpecText(p.spec.yamlSpec);
  return Object.freeze({ metadata: Object.freeze(metadata), spec });
}

const OPS: Record<LabelOp, PbLabelOp> = {
  exists: 'EXISTS',
  equal: 'EQUAL',
  in: 'IN',
  lt: 'LT',
  lte: 'LTE',
  ltNumeric: 'LT_NUMERIC',
  lteNumeric: 'LTE_NUMERIC',
};

/** Label queries as protocol messages. */
export function labelQueriesToPb(qs: readonly LabelQuery[] | undefined): PbLabelQuery[] {
  return (qs ?? []).map((q) => ({
    terms: q.terms.map((t) => ({ key: t.key, op: OPS[t.op], value: [...(t.values ?? [])], invert: t.invert === true })),
  }));
}

/** Protocol label queries back (NOT_EXISTS, the deprecated operator, is an inverted EXISTS). */
export function labelQueriesFromPb(qs: readonly PbLabelQuery[]): LabelQuery[] {
  const back = new Map(Object.entries(OPS).map(([k, v]) => [v, k as LabelOp]));
  return qs.map((q) => ({
    terms: q.terms.map((t) =>
      t.op === 'NOT_EXISTS'
        ? { key: t.key, op: 'exists' as const, invert: !t.invert }
        : { key: t.key, op: back.get(t.op) ?? 'exists', values: t.value, invert: t.invert },
    ),
  }));
}

/** A selector from protocol label and id queries. */
export function selectorFromPb(labelQuery: readonly PbLabelQuery[], idQuery: PbIdQuery | null): Selector {
  const out: { labelQueries?: LabelQuery[]; idQuery?: { regexp: string } } = {};
  if (labelQuery.length > 0) out.labelQueries = labelQueriesFromPb(labelQuery);
  if (idQuery !== null && idQuery.regexp !== '') out.idQuery = { regexp: idQuery.regexp };
  return out;
}

/** Watch options as the protocol carries them. */
export function watchOptionsToPb(o: WatchOptions, aggregated: boolean): PbWatchOptions {
  return {
    bootstrapContents: o.bootstrapContents === true,
    tailEvents: o.tailEvents ?? 0,
    labelQuery: labelQueriesToPb(o.labelQueries),
    idQuery: o.idQuery === undefined ? null : { regexp: o.idQuery.regexp },
    aggregated,
    startFromBookmark: o.startFromBookmark === undefined ? Buffer.alloc(0) : Buffer.from(o.startFromBookmark),
    bootstrapBookmark: o.bootstrapBookmark === true,
  };
}

/** Protocol watch options back (tail_events 0 means none, as in COSI). */
export function watchOptionsFromPb(p: PbWatchOptions | null): WatchOptions {
  if (p === null) return {};
  const out: {
    bootstrapContents?: boolean;
    bootstrapBookmark?: boolean;
    tailEvents?: number;
    startFromBookmark?: Bookmark;
  } & Selector = { ...selectorFromPb(p.labelQuery, p.idQuery) };
  if (p.bootstrapContents) out.bootstrapContents = true;
  if (p.bootstrapBookmark) out.bootstrapBookmark = true;
  if (p.tailEvents > 0) out.tailEvents = p.tailEvents;
  if (p.startFromBookmark.length > 0) out.startFromBookmark = p.startFromBookmark;
  return out;
}

const encodedEvents = new WeakMap<WatchEvent, PbEvent>();

/** A watch event as a protocol message; the store shares event objects between watchers, so each is encoded once. */
export function eventToPb(e: WatchEvent): PbEvent {
  const hit = encodedEvents.get(e);
  if (hit !== undefined) return hit;
  const pb = encodeEvent(e);
  encodedEvents.set(e, pb);
  return pb;
}

function encodeEvent(e: WatchEvent): PbEvent {
  switch (e.type) {
    case 'bootstrapped':
      return {
        resource: null,
        old: null,
        eventType: 'BOOTSTRAPPED',
        ...(e.bookmark === undefined ? {} : { bookmark: Buffer.from(e.bookmark) }),
      };
    case 'errored':
      return { resource: null, old: null, eventType: 'ERRORED', error: e.error.message };
    default:
      return {
        resource: resourceToPb(e.resource),
        old: e.old === undefined ? null : resourceToPb(e.old),
        eventType: e.type === 'created' ? 'CREATED' : e.type === 'updated' ? 'UPDATED' : 'DESTROYED',
        bookmark: Buffer.from(e.bookmark),
      };
  }
}

/** A protocol event back as a watch event; undefined for NOOP. */
export function eventFromPb(p: PbEvent): WatchEvent | undefined {
  const bookmark = p.bookmark !== undefined && p.bookmark.length > 0 ? p.bookmark : undefined;
  switch (p.eventType) {
    case 'NOOP':
      return undefined;
    case 'BOOTSTRAPPED':
      return bookmark === undefined ? { type: 'bootstrapped' } : { type: 'bootstrapped', bookmark };
    case 'ERRORED':
      return { type: 'errored', error: new Error(p.error ?? 'watch errored') };
    default: {
      if (p.resource === null) throw new Error(`${p.eventType} event without a resource`);
      const type = p.eventType === 'CREATED' ? 'created' : p.eventType === 'UPDATED' ? 'updated' : 'destroyed';
      const base = { type, resource: resourceFromPb(p.resource), bookmark: bookmark ?? new Uint8Array() } as const;
      return p.old === null ? base : { ...base, old: resourceFromPb(p.old) };
    }
  }
}
