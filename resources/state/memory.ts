// The in-memory State: typed collections with event history; optionally journals chosen namespaces to disk before acknowledging.
import { ConflictError, InvalidArgumentError, InvariantError, NotFoundError } from '../errors.js';
import { deepEqual, deepFreeze } from '../equal.js';
import { compileSelector } from '../query.js';
import { ResourceDefinitionType, META_NAMESPACE } from '../meta/resource-definition.js';
import { NamespaceType } from '../meta/namespace.js';
import {
  kindString,
  pointerString,
  type Kind,
  type Metadata,
  type Phase,
  type Pointer,
  type Resource,
  type ResourceInput,
  type StringMap,
} from '../resource.js';
import type { ResourceType } from '../resource-type.js';
import { BookmarkCodec } from './bookmark.js';
import { Collection, DEFAULT_HISTORY, type HistoryOptions } from './collection.js';
import { checkSpec } from './spec-check.js';
import { cursorStart } from './watch-start.js';
import { observeBatches, observeEvents } from './observe.js';
import type {
  CallOptions,
  ListOptions,
  State,
  UpdateOptions,
  WatchCursor,
  WatchOptions,
  WriteOptions,
} from './state.js';

/** Durable storage for some namespaces: a write is acknowledged only after `write` resolves. */
export interface Journal {
  /** True when writes to `namespace` must be journaled. */
  covers(namespace: string): boolean;
  /** Makes `next` durable (null: the resource at `ptr` is gone). */
  write(ptr: Pointer, next: Resource | null): Promise<void>;
}

/** Options of {@link InMemoryState}. */
export interface InMemoryStateOptions {
  readonly history?: Partial<HistoryOptions>;
  /** Milliseconds since the epoch; injected for tests. */
  readonly now?: () => number;
  readonly journal?: Journal;
}

/** A validated change, checked against the stored state, not yet applied. */
interface Plan<T> {
  readonly ptr: Pointer;
  /** The resource after the change; null when it is destroyed; `unchanged` when nothing is to be written. */
  readonly next: Resource | null | 'unchanged';
  commit(): T;
}

/** The rejection of a promise-returning method whose synchronous part threw (our checks throw Errors only). */
function rejection<T>(e: unknown): Promise<T> {
  return Promise.reject(e instanceof Error ? e : new Error(String(e)));
}

const EMPTY_MAP: StringMap = Object.freeze({});
const EMPTY_LIST: readonly string[] = Object.freeze([]);
const STORE_OWNER = '';

function freezeMap(m: StringMap | undefined, field: string, where: string): StringMap {
  if (m === undefined) return EMPTY_MAP;
  const keys = Object.keys(m);
  if (keys.length === 0) return EMPTY_MAP;
  for (const k of keys) {
    if (typeof m[k] !== 'string') {
      throw new InvalidArgumentError(
        `${where}: metadata.${field}.${k}: value must be a string, got ${JSON.stringify(m[k])}`,
      );
    }
  }
  return Object.freeze({ ...m });
}

function checkField(p: Pointer, f: 'namespace' | 'type' | 'id'): void {
  if (typeof p[f] !== 'string' || p[f] === '') {
    throw new InvalidArgumentError(`metadata.${f} must be a non-empty string, got ${JSON.stringify(p[f])}`);
  }
}

function checkPointer(p: Pointer): void {
  // Unrolled: this runs on every write, and a loop over a fresh array of names costs an allocation each time.
  checkField(p, 'namespace');
  checkField(p, 'type');
  checkField(p, 'id');
}

/** The typed resource store held in memory; every rule of the State conformance suite holds here. */
export class InMemoryState implements State {
  private readonly types = new Map<string, ResourceType>();
  private readonly collections = new Map<string, Collection>();
  /** The same collections by namespace, then type. */
  private readonly byNamespace = new Map<string, Map<string, Collection>>();
  private readonly history: HistoryOptions;
  private readonly now: () => number;
  private readonly journal: Journal | undefined;
  private readonly bookmarks = new BookmarkCodec();

  constructor(opts: InMemoryStateOptions = {}) {
    this.history = { ...DEFAULT_HISTORY, ...opts.history };
    if (this.history.initial < 1 || this.history.max < this.history.initial) {
      throw new InvalidArgumentError(
        `history sizes initial=${this.history.initial} max=${this.history.max}: need 1 <= initial <= max`,
      );
    }
    this.now = opts.now ?? Date.now;
    this.journal = opts.journal;
    // The meta types describe themselves, so both must be known before either is described.
    this.types.set(ResourceDefinitionType.type, ResourceDefinitionType);
    this.types.set(NamespaceType.type, NamespaceType);
    this.describe(ResourceDefinitionType);
    this.describe(NamespaceType);
  }

  /** Registers a type (idempotent) and stores its ResourceDefinition and its default Namespace in `meta`. */
  async registerType(t: ResourceType): Promise<void> {
    this.registerTypeSync(t);
    return Promise.resolve();
  }

  /** Registers a namespace with a description (idempotent). */
  async registerNamespace(name: string, description: string): Promise<void> {
    this.putMeta(NamespaceType.type, name, { description });
    return Promise.resolve();
  }

  /** The registered type named `type`; NotFound naming it otherwise. */
  resourceType(type: string): ResourceType {
    const t = this.types.get(type);
    if (t === undefined) throw new NotFoundError(`resource type ${JSON.stringify(type)} is not registered`);
    return t;
  }

  /** Counts for observability and leak checks. */
  stats(): { collections: number; resources: number; watchers: number } {
    let resources = 0;
    let watchers = 0;
    for (const c of this.collections.values()) {
      resources += c.items.size;
      watchers += c.watchers;
    }
    return { collections: this.collections.size, resources, watchers };
  }

  /** Puts back resources read from a journal at start-up, with their versions; no events are recorded. */
  restore(resources: readonly Resource[]): void {
    for (const r of resources) {
      const t = this.resourceType(r.metadata.type);
      const spec = deepFreeze(checkSpec(t, r.spec, pointerString(r.metadata)));
      this.collection(r.metadata).items.set(r.metadata.id, deepFreeze({ metadata: { ...r.metadata }, spec }));
    }
  }

  get(ptr: Pointer, _opts?: CallOptions): Promise<Resource> {
    try {
      const r = this.collection(ptr).items.get(ptr.id);
      if (r === undefined) throw new NotFoundError(`resource ${pointerString(ptr)} does not exist`);
      return Promise.resolve(r);
    } catch (e) {
      return rejection(e);
    }
  }

  find(ptr: Pointer, _opts?: CallOptions): Promise<Resource | undefined> {
    try {
      return Promise.resolve(this.collection(ptr).items.get(ptr.id));
    } catch (e) {
      return rejection(e);
    }
  }

  async list(kind: Kind, opts: ListOptions = {}): Promise<Resource[]> {
    const filter = compileSelector(opts);
    const items = this.collection(kind).items;
    // Sorting the ids with the built-in string order (the order of `<`) is several times faster than sorting the
    // resources with a comparator; a kind may hold thousands.
    const ids = [...items.keys()].sort();
    const out: Resource[] = [];
    for (const id of ids) {
      const r = items.get(id);
      if (r !== undefined && (filter === undefined || filter(r.metadata))) out.push(r);
    }
    return Promise.resolve(out);
  }

  create<S>(input: ResourceInput<S>, opts: WriteOptions = {}): Promise<Resource<S>> {
    // A namespace kept in memory only is written at once, without the plan a journaled write needs: controllers create
    // thousands of resources in a pass.
    try {
      const ptr = input.metadata;
      checkPointer(ptr);
      if (this.journaled(ptr.namespace)) return this.write(ptr, (col) => this.planCreate(col, input, opts));
      const col = this.collection(ptr);
      const r = this.newResource(col, input, opts);
      col.items.set(ptr.id, r);
      col.append('created', r, undefined);
      return Promise.resolve(r as Resource<S>);
    } catch (e) {
      return rejection(e);
    }
  }

  update<S>(input: ResourceInput<S>, opts: UpdateOptions = {}): Promise<Resource<S>> {
    return this.write(input.metadata, (col) => this.planUpdate(col, input, opts));
  }

  private planCreate<S>(col: Collection, input: ResourceInput<S>, opts: WriteOptions): Plan<Resource<S>> {
    const r = this.newResource(col, input, opts);
    return {
      ptr: input.metadata,
      next: r,
      commit: () => {
        col.items.set(r.metadata.id, r);
        col.append('created', r, undefined);
        return r as Resource<S>;
      },
    };
  }

  /** True when writes to `namespace` go to the journal before they are applied. */
  private journaled(namespace: string): boolean {
    return this.journal !== undefined && this.journal.covers(namespace);
  }

  /** The resource a create of `input` makes in `col`; throws when it is invalid or the id is taken. */
  private newResource<S>(col: Collection, input: ResourceInput<S>, opts: WriteOptions): Resource {
    const ptr = input.metadata;
    const where = pointerString(ptr);
    const t = this.resourceType(ptr.type);
    const spec = deepFreeze(checkSpec(t, input.spec, where));
    if (col.items.has(ptr.id)) throw new ConflictError('exists', `resource ${where} already exists`);
    const now = this.now();
    const metadata: Metadata = Object.freeze({
      namespace: ptr.namespace,
      type: ptr.type,
      id: ptr.id,
      version: 1,
      owner: opts.owner ?? STORE_OWNER,
      phase: 'running',
      finalizers: EMPTY_LIST,
      labels: freezeMap(input.metadata.labels, 'labels', where),
      annotations: freezeMap(input.metadata.annotations, 'annotations', where),
      created: now,
      updated: now,
    });
    return Object.freeze({ metadata, spec });
  }

  private planUpdate<S>(col: Collection, input: ResourceInput<S>, opts: UpdateOptions): Plan<Resource<S>> {
    const ptr = input.metadata;
    const where = pointerString(ptr);
    const t = this.resourceType(ptr.type);
    const cur = this.current(col, ptr);
    this.checkOwner(cur, opts.owner, 'update');
    const expected = opts.expectedPhase ?? 'running';
    if (expected !== 'any' && cur.metadata.phase !== expected) {
      throw new ConflictError('phase', `resource ${where} is ${cur.metadata.phase}, expected ${expected}`);
    }
    if (input.metadata.version !== cur.metadata.version) {
      throw new ConflictError(
        'version',
        `resource ${where} is at version ${cur.metadata.version}, the update was based on version ${String(input.metadata.version)}`,
      );
    }
    const spec = checkSpec(t, input.spec, where);
    const labels = freezeMap(input.metadata.labels ?? cur.metadata.labels, 'labels', where);
    const annotations = freezeMap(input.metadata.annotations ?? cur.metadata.annotations, 'annotations', where);
    if (
      deepEqual(spec, cur.spec) &&
      deepEqual(labels, cur.metadata.labels) &&
      deepEqual(annotations, cur.metadata.annotations)
    ) {
      return { ptr, next: 'unchanged', commit: () => cur as Resource<S> };
    }
    const next = this.revise(cur, { labels, annotations }, deepFreeze(spec));
    return this.replacePlan(col, cur, next) as Plan<Resource<S>>;
  }

  teardown(ptr: Pointer, opts: WriteOptions = {}): Promise<boolean> {
    return this.write(ptr, (col) => {
      const cur = this.current(col, ptr);
      this.checkOwner(cur, opts.owner, 'tear down');
      const ready = cur.metadata.finalizers.length === 0;
      if (cur.metadata.phase === 'tearingDown') return { ptr, next: 'unchanged', commit: () => ready };
      const plan = this.replacePlan(col, cur, this.revise(cur, { phase: 'tearingDown' }));
      return { ...plan, commit: () => (plan.commit(), ready) };
    });
  }

  destroy(ptr: Pointer, opts: WriteOptions = {}): Promise<void> {
    return this.write(ptr, (col) => {
      const cur = this.current(col, ptr);
      this.checkOwner(cur, opts.owner, 'destroy');
      if (cur.metadata.finalizers.length > 0) {
        throw new ConflictError(
          'finalizers',
          `resource ${pointerString(ptr)} still has finalizers ${cur.metadata.finalizers.join(', ')}`,
        );
      }
      return {
        ptr,
        next: null,
        commit: () => {
          col.items.delete(ptr.id);
          col.append('destroyed', cur, undefined);
        },
      };
    });
  }

  addFinalizer(ptr: Pointer, finalizers: readonly string[], _opts?: CallOptions): Promise<Resource> {
    return this.write(ptr, (col) => {
      const cur = this.current(col, ptr);
      const missing = finalizers.filter((f) => !cur.metadata.finalizers.includes(f));
      if (missing.length === 0) return { ptr, next: 'unchanged', commit: () => cur };
      if (cur.metadata.phase !== 'running') {
        throw new ConflictError('phase', `resource ${pointerString(ptr)} is tearing down: no finalizer may be added`);
      }
      const next = this.revise(cur, { finalizers: Object.freeze([...cur.metadata.finalizers, ...missing]) });
      return this.replacePlan(col, cur, next);
    });
  }

  removeFinalizer(ptr: Pointer, finalizers: readonly string[], _opts?: CallOptions): Promise<Resource> {
    return this.write(ptr, (col) => {
      const cur = this.current(col, ptr);
      const rest = cur.metadata.finalizers.filter((f) => !finalizers.includes(f));
      if (rest.length === cur.metadata.finalizers.length) return { ptr, next: 'unchanged', commit: () => cur };
      const next = this.revise(cur, { finalizers: rest.length === 0 ? EMPTY_LIST : Object.freeze(rest) });
      return this.replacePlan(col, cur, next);
    });
  }

  watch(ptr: Pointer, opts: WatchOptions = {}): ReturnType<State['watch']> {
    const escaped = ptr.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return this.watchKind(ptr, {
      bootstrapContents: opts.tailEvents === undefined && opts.startFromBookmark === undefined,
      ...opts,
      idQuery: { regexp: `^${escaped}$` },
    });
  }

  watchKind(kind: Kind, opts: WatchOptions = {}): ReturnType<State['watchKind']> {
    return observeEvents(() => this.cursor(kind, opts));
  }

  watchKindAggregated(kind: Kind, opts: WatchOptions = {}): ReturnType<State['watchKindAggregated']> {
    return observeBatches(() => this.cursor(kind, opts));
  }

  async cursor(kind: Kind, opts: WatchOptions = {}): Promise<WatchCursor> {
    const col = this.collection(kind);
    return Promise.resolve(col.open(cursorStart(col, this.bookmarks, opts)));
  }

  private registerTypeSync(t: ResourceType): void {
    const known = this.types.get(t.type);
    if (known !== undefined) {
      if (known !== t)
        throw new InvariantError(`resource type ${t.type} is registered twice with different definitions`);
      return;
    }
    this.types.set(t.type, t);
    this.describe(t);
  }

  private describe(t: ResourceType): void {
    this.putMeta(ResourceDefinitionType.type, t.type, { ...t.definition });
    if (
      !this.collection({ namespace: META_NAMESPACE, type: NamespaceType.type }).items.has(t.definition.defaultNamespace)
    ) {
      this.putMeta(NamespaceType.type, t.definition.defaultNamespace, { description: '' });
    }
  }

  /** Writes a `meta` resource at once (meta is never journaled: it is rebuilt at every start). */
  private putMeta(type: string, id: string, spec: unknown): void {
    const col = this.collection({ namespace: META_NAMESPACE, type });
    const ptr = { namespace: META_NAMESPACE, type, id };
    const cur = col.items.get(id);
    if (cur === undefined) this.planCreate(col, { metadata: ptr, spec }, {}).commit();
    else this.planUpdate(col, { metadata: { ...ptr, version: cur.metadata.version }, spec }, {}).commit();
  }

  private collection(k: Kind): Collection {
    // Found by namespace, then type: every read and write comes here, and a joined key would be a new string each time.
    const c = this.byNamespace.get(k.namespace)?.get(k.type);
    return c ?? this.addCollection(k);
  }

  private addCollection(k: Kind): Collection {
    checkPointer({ ...k, id: '-' });
    this.resourceType(k.type);
    const c = new Collection(this.collections.size + 1, this.history, this.bookmarks);
    this.collections.set(kindString(k), c);
    let types = this.byNamespace.get(k.namespace);
    if (types === undefined) {
      types = new Map();
      this.byNamespace.set(k.namespace, types);
    }
    types.set(k.type, c);
    return c;
  }

  private current(col: Collection, ptr: Pointer): Resource {
    const cur = col.items.get(ptr.id);
    if (cur === undefined) throw new NotFoundError(`resource ${pointerString(ptr)} does not exist`);
    return cur;
  }

  private checkOwner(cur: Resource, owner: string | undefined, verb: string): void {
    const who = owner ?? STORE_OWNER;
    if (cur.metadata.owner !== who) {
      throw new ConflictError(
        'owner',
        `resource ${pointerString(cur.metadata)} is owned by ${JSON.stringify(cur.metadata.owner)}: ${JSON.stringify(who)} may not ${verb} it`,
      );
    }
  }

  private revise(
    cur: Resource,
    change: { phase?: Phase; finalizers?: readonly string[]; labels?: StringMap; annotations?: StringMap },
    spec: unknown = cur.spec,
  ): Resource {
    const metadata: Metadata = Object.freeze({
      ...cur.metadata,
      ...change,
      version: cur.metadata.version + 1,
      updated: this.now(),
    });
    return Object.freeze({ metadata, spec });
  }

  private replacePlan(col: Collection, cur: Resource, next: Resource): Plan<Resource> {
    return {
      ptr: cur.metadata,
      next,
      commit: () => {
        col.items.set(next.metadata.id, next);
        col.append('updated', next, cur);
        return next;
      },
    };
  }

  /**
   * Plans and applies a write; journaled namespaces are written to disk before the change is applied and acknowledged.
   * Not an async function: a write to memory settles its promise at once, without the extra turns an async function
   * takes to adopt a returned promise (a controller pass may make thousands of writes).
   */
  private write<T>(ptr: Pointer, plan: (col: Collection) => Plan<T>): Promise<T> {
    try {
      checkPointer(ptr);
      const col = this.collection(ptr);
      const journal = this.journal;
      if (journal === undefined || !journal.covers(ptr.namespace)) return Promise.resolve(plan(col).commit());
      return col.locked(async () => {
        const p = plan(col);
        if (p.next !== 'unchanged') await journal.write(p.ptr, p.next);
        return p.commit();
      });
    } catch (e) {
      return rejection(e);
    }
  }
}
