// The resource model: addresses (kind, pointer), metadata assigned by the store, and immutable resources.

/** Lifecycle phase: `running` until a teardown starts, then `tearingDown` until destroyed. */
export type Phase = 'running' | 'tearingDown';

/** A collection of resources: one type in one namespace. */
export interface Kind {
  readonly namespace: string;
  readonly type: string;
}

/** The immutable address of one resource. */
export interface Pointer extends Kind {
  readonly id: string;
}

/** String key/value pairs attached to a resource (labels, annotations). */
export type StringMap = Readonly<Record<string, string>>;

/** Metadata of a stored resource. Versions and timestamps are assigned by the store only. */
export interface Metadata extends Pointer {
  /** 1 at create, +1 on every write that changes something. */
  readonly version: number;
  /** The controller (or client) that created the resource; only it may update or destroy it. */
  readonly owner: string;
  readonly phase: Phase;
  readonly finalizers: readonly string[];
  readonly labels: StringMap;
  readonly annotations: StringMap;
  /** Milliseconds since the Unix epoch. */
  readonly created: number;
  /** Milliseconds since the Unix epoch. */
  readonly updated: number;
}

/** A stored resource: deeply frozen, never mutated in place. */
export interface Resource<S = unknown> {
  readonly metadata: Metadata;
  readonly spec: S;
}

/** What a caller hands to create or update: the address, labels, annotations and spec; `version` is the one read (for update). */
export interface ResourceInput<S = unknown> {
  readonly metadata: Pointer & {
    readonly version?: number;
    readonly labels?: StringMap;
    readonly annotations?: StringMap;
  };
  readonly spec: S;
}

/** `namespace/type/id`, for messages and map keys. */
export function pointerString(p: Pointer): string {
  return `${p.namespace}/${p.type}/${p.id}`;
}

/** `namespace/type`, for messages and map keys. */
export function kindString(k: Kind): string {
  return `${k.namespace}/${k.type}`;
}

/** The pointer part of a resource's metadata. */
export function pointerOf(r: { readonly metadata: Pointer }): Pointer {
  const { namespace, type, id } = r.metadata;
  return { namespace, type, id };
}

/** A copy of `r` to hand to update: same address and version, with `spec` (and optionally labels/annotations) replaced. */
export function withSpec<S>(
  r: Resource<S>,
  spec: S,
  changes: { labels?: StringMap; annotations?: StringMap } = {},
): ResourceInput<S> {
  const m = r.metadata;
  return {
    metadata: {
      namespace: m.namespace,
      type: m.type,
      id: m.id,
      version: m.version,
      labels: changes.labels ?? m.labels,
      annotations: changes.annotations ?? m.annotations,
    },
    spec,
  };
}
