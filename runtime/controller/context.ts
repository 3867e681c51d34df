// The ControllerContext handed to reconcile: typed reads and writes of the store, checked against the controller's declaration.
import {
  InvariantError,
  deepEqual,
  isConflict,
  isNotFound,
  withSpec,
  type Kind,
  type Resource,
  type ResourceType,
  type Selector,
  type State,
  type StringMap,
} from '../../resources/index.js';
import { Access } from './access.js';
import type { ControllerDeclaration } from './declaration.js';

/** Labels and annotations to set on a write; a field left out keeps what is stored. */
export interface MetadataChanges {
  readonly labels?: StringMap;
  readonly annotations?: StringMap;
}

/**
 * What a reconcile sees of the store. Reads are limited to declared inputs and outputs, writes to declared outputs,
 * finalizers to strong inputs (each breach throws InvariantError). Every write is stamped with the controller's name as
 * owner, so the store refuses changes to resources another controller owns.
 */
export interface ControllerContext {
  /** The controller's runtime name (also the finalizer it holds by default). */
  readonly name: string;
  /** Aborts when the runtime stops; every store call is passed this signal. */
  readonly signal: AbortSignal;
  /** One resource, or undefined when it does not exist. */
  get<S>(t: ResourceType<S>, namespace: string, id: string): Promise<Resource<S> | undefined>;
  /** The resources of a kind, sorted by id, filtered by `selector`. */
  list<S>(t: ResourceType<S>, namespace: string, selector?: Selector): Promise<Resource<S>[]>;
  /** Creates a resource owned by this controller; Conflict(exists) if the id is taken. */
  create<S>(t: ResourceType<S>, namespace: string, id: string, spec: S, meta?: MetadataChanges): Promise<Resource<S>>;
  /** Compare-and-swap update of `current` (as read) to `spec`; Conflict(version) if it changed since. */
  update<S>(t: ResourceType<S>, current: Resource<S>, spec: S, meta?: MetadataChanges): Promise<Resource<S>>;
  /**
   * Create-or-update: `fn` gets the current resource (undefined if absent) and returns the spec it should have, or
   * undefined to leave it as is. Retried on version conflicts; nothing is written when nothing changes.
   */
  modify<S>(
    t: ResourceType<S>,
    namespace: string,
    id: string,
    fn: (current: Resource<S> | undefined) => S | undefined,
    meta?: MetadataChanges,
  ): Promise<Resource<S> | undefined>;
  /** Starts the two-phase delete; true when no finalizers remain (ready to destroy). */
  teardown<S>(t: ResourceType<S>, namespace: string, id: string): Promise<boolean>;
  /** Removes a resource; Conflict(finalizers) while finalizers remain. */
  destroy<S>(t: ResourceType<S>, namespace: string, id: string): Promise<void>;
  /** Tears down, then destroys once no finalizers remain: true once destroyed (or absent), false while finalizers remain. */
  teardownAndDestroy<S>(t: ResourceType<S>, namespace: string, id: string): Promise<boolean>;
  /** Adds `finalizer` (default: the controller's name) to a strong input. */
  addFinalizer<S>(t: ResourceType<S>, namespace: string, id: string, finalizer?: string): Promise<void>;
  /** Removes `finalizer` (default: the controller's name) from a strong input; absent resources are ignored. */
  removeFinalizer<S>(t: ResourceType<S>, namespace: string, id: string, finalizer?: string): Promise<void>;
  /**
   * Tears down and destroys this controller's own resources of the kind whose ids are not in `keep`; returns the ids
   * still held by finalizers (the caller is woken again through a destroyReady input when they are released).
   */
  cleanupOutputs<S>(t: ResourceType<S>, namespace: string, keep: ReadonlySet<string>): Promise<Set<string>>;
}

/** The rejection of a promise-returning method whose synchronous part threw (our checks throw Errors only). */
function rejection<T>(e: unknown): Promise<T> {
  return Promise.reject(e instanceof Error ? e : new Error(String(e)));
}

const MODIFY_ATTEMPTS = 8;

function kindOf(t: ResourceType, namespace: string): Kind {
  return { namespace, type: t.type };
}

class Context implements ControllerContext {
  private readonly access: Access;
  readonly name: string;
  /** Options of every write and read: made once, not per call. */
  private readonly writeOpts: { readonly owner: string; readonly signal: AbortSignal };
  private readonly callOpts: { readonly signal: AbortSignal };

  constructor(
    private readonly state: State,
    decl: ControllerDeclaration,
    readonly signal: AbortSignal,
  ) {
    this.name = decl.name;
    this.access = new Access(decl);
    this.writeOpts = { owner: this.name, signal };
    this.callOpts = { signal };
  }

  async get<S>(t: ResourceType<S>, namespace: string, id: string): Promise<Resource<S> | undefined> {
    const ptr = { namespace, type: t.type, id };
    this.access.checkRead(ptr, id);
    const r = await this.state.find(ptr, this.callOpts);
    return r === undefined ? undefined : this.typed(t, r);
  }

  async list<S>(t: ResourceType<S>, namespace: string, selector: Selector = {}): Promise<Resource<S>[]> {
    const kind = kindOf(t, namespace);
    this.access.checkRead(kind, undefined);
    const rs = await this.state.list(kind, { ...selector, signal: this.signal });
    return rs.map((r) => this.typed(t, r));
  }

  // create and update are not async functions: they hand back the store's promise as it is, rather than one that
  // takes extra turns to adopt it (a pass may write thousands of resources). A refused access still rejects.
  create<S>(
    t: ResourceType<S>,
    namespace: string,
    id: string,
    spec: S,
    meta: MetadataChanges = {},
  ): Promise<Resource<S>> {
    try {
      const metadata = { namespace, type: t.type, id, ...meta };
      this.access.checkWrite(metadata);
      return this.state.create<S>({ metadata, spec }, this.writeOpts);
    } catch (e) {
      return rejection(e);
    }
  }

  update<S>(t: ResourceType<S>, current: Resource<S>, spec: S, meta: MetadataChanges = {}): Promise<Resource<S>> {
    try {
      if (current.metadata.type !== t.type) {
        throw new InvariantError(`controller ${this.name} updated a ${current.metadata.type} as a ${t.type}`);
      }
      this.access.checkWrite(current.metadata);
      return this.state.update<S>(withSpec(current, spec, meta), this.writeOpts);
    } catch (e) {
      return rejection(e);
    }
  }

  async modify<S>(
    t: ResourceType<S>,
    namespace: string,
    id: string,
    fn: (current: Resource<S> | undefined) => S | undefined,
    meta: MetadataChanges = {},
  ): Promise<Resource<S> | undefined> {
    this.access.checkWrite({ namespace, type: t.type });
    for (let attempt = 1; ; attempt++) {
      const cur = await this.get(t, namespace, id);
      const spec = fn(cur);
      if (spec === undefined) return cur;
      try {
        if (cur === undefined) return await this.create(t, namespace, id, spec, meta);
        if (unchanged(cur, spec, meta)) return cur;
        return await this.update(t, cur, spec, meta);
      } catch (e) {
        // Someone wrote in between: read again and recompute, a bounded number of times.
        if (attempt >= MODIFY_ATTEMPTS || !(isConflict(e, 'version') || isConflict(e, 'exists') || isNotFound(e))) {
          throw e;
        }
      }
    }
  }

  async teardown<S>(t: ResourceType<S>, namespace: string, id: string): Promise<boolean> {
    const ptr = { namespace, type: t.type, id };
    this.access.checkWrite(ptr);
    return this.state.teardown(ptr, this.writeOpts);
  }

  async destroy<S>(t: ResourceType<S>, namespace: string, id: string): Promise<void> {
    const ptr = { namespace, type: t.type, id };
    this.access.checkWrite(ptr);
    return this.state.destroy(ptr, this.writeOpts);
  }

  async teardownAndDestroy<S>(t: ResourceType<S>, namespace: string, id: string): Promise<boolean> {
    try {
      if (!(await this.teardown(t, namespace, id))) return false;
      await this.destroy(t, namespace, id);
      return true;
    } catch (e) {
      if (isNotFound(e)) return true;
      // A consumer added a finalizer between teardown and destroy: it is not ready yet.
      if (isConflict(e, 'finalizers')) return false;
      throw e;
    }
  }

  async addFinalizer<S>(t: ResourceType<S>, namespace: string, id: string, finalizer = this.name): Promise<void> {
    const ptr = { namespace, type: t.type, id };
    this.access.checkFinalizer(ptr, id);
    await this.state.addFinalizer(ptr, [finalizer], this.callOpts);
  }

  async removeFinalizer<S>(t: ResourceType<S>, namespace: string, id: string, finalizer = this.name): Promise<void> {
    const ptr = { namespace, type: t.type, id };
    this.access.checkFinalizer(ptr, id);
    try {
      await this.state.removeFinalizer(ptr, [finalizer], this.callOpts);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async cleanupOutputs<S>(t: ResourceType<S>, namespace: string, keep: ReadonlySet<string>): Promise<Set<string>> {
    const kind = kindOf(t, namespace);
    this.access.checkWrite(kind);
    const held = new Set<string>();
    for (const r of await this.state.list(kind, this.callOpts)) {
      const id = r.metadata.id;
      if (r.metadata.owner !== this.name || keep.has(id)) continue;
      if (!(await this.teardownAndDestroy(t, namespace, id))) held.add(id);
    }
    return held;
  }

  private typed<S>(t: ResourceType<S>, r: Resource): Resource<S> {
    if (!t.is(r)) throw new InvariantError(`store returned a ${r.metadata.type} for a read of ${t.type}`);
    return r;
  }
}

function unchanged<S>(cur: Resource<S>, spec: S, meta: MetadataChanges): boolean {
  return (
    deepEqual(cur.spec, spec) &&
    (meta.labels === undefined || deepEqual(cur.metadata.labels, meta.labels)) &&
    (meta.annotations === undefined || deepEqual(cur.metadata.annotations, meta.annotations))
  );
}

/** The context of one controller over `state`; the runtime makes one per controller, tests may make their own. */
export function createControllerContext(
  state: State,
  decl: ControllerDeclaration,
  signal: AbortSignal,
): ControllerContext {
  return new Context(state, decl, signal);
}
