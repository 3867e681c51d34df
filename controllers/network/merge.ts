// Merge controllers: produce each network spec in `network` from its layered specs in `network-config`, the highest layer winning.
import {
  AddressSpecType,
  deepEqual,
  HostnameSpecType,
  LinkSpecType,
  NETWORK_CONFIG_NAMESPACE,
  NETWORK_NAMESPACE,
  ResolverSpecType,
  RouteSpecType,
  TimeServerSpecType,
  layerRank,
  splitLayeredId,
  type AddressSpecSpec,
  type HostnameSpecSpec,
  type Layer,
  type LinkSpecSpec,
  type ResolverSpecSpec,
  type ResourceType,
  type RouteSpecSpec,
  type TimeServerSpecSpec,
} from '../../resources/index.js';
import type { Controller, ControllerContext, Input, Output } from '../../runtime/index.js';
import { WriteBatch, createOrModify } from './sync.js';

/**
 * Keeps `network/<type>/<id>` equal to the spec of the highest layer among `network-config/<type>/<layer>/<id>` (the
 * whole spec, its `layer` telling which won). Layered specs tearing down are ignored; merged specs whose id no longer
 * has a layered spec are torn down and destroyed once consumers release their finalizers (the controller watches its
 * outputs as destroyReady to learn when). Output kind `shared`, since config controllers write the same type in
 * `network-config`; each merged resource is owned by this controller.
 */
export class MergeController<S extends { readonly layer: Layer }> implements Controller {
  readonly inputs: readonly Input[];
  readonly outputs: readonly Output[];

  /** Merges `type`; `name` is the runtime name, e.g. `network.LinkMergeController`. */
  constructor(
    private readonly type: ResourceType<S>,
    readonly name: string,
  ) {
    this.inputs = [
      { namespace: NETWORK_CONFIG_NAMESPACE, type: type.type, kind: 'weak' },
      { namespace: NETWORK_NAMESPACE, type: type.type, kind: 'destroyReady' },
    ];
    this.outputs = [{ type: type.type, kind: 'shared' }];
  }

  async reconcile(ctx: ControllerContext): Promise<void> {
    const t = this.type;
    const merged = new Map<string, S>();
    for (const r of await ctx.list(t, NETWORK_CONFIG_NAMESPACE)) {
      if (r.metadata.phase === 'tearingDown') continue;
      const id = splitLayeredId(r.metadata.id)?.id;
      if (id === undefined) continue;
      const best = merged.get(id);
      if (best === undefined || layerRank(r.spec.layer) > layerRank(best.layer)) merged.set(id, r.spec);
    }
    const existing = new Map((await ctx.list(t, NETWORK_NAMESPACE)).map((r) => [r.metadata.id, r] as const));
    const writes = new WriteBatch();
    for (const [id, spec] of merged) {
      const cur = existing.get(id);
      // A merged spec still tearing down from an earlier removal is destroyed first, then made again.
      if (cur?.metadata.phase === 'tearingDown') {
        if (cur.metadata.owner !== this.name) continue;
        if (!(await ctx.teardownAndDestroy(t, NETWORK_NAMESPACE, id))) continue;
      }
      // Listed above: an equal one needs no write, a new one only a create (modify re-reads, for anything else).
      if (cur?.metadata.phase === 'running' && cur.metadata.owner === this.name && deepEqual(cur.spec, spec)) continue;
      if (cur === undefined) writes.add(createOrModify(ctx, t, NETWORK_NAMESPACE, id, spec));
      else writes.add(ctx.modify(t, NETWORK_NAMESPACE, id, () => spec));
      if (writes.full) await writes.flush();
    }
    await writes.flush();
    await ctx.cleanupOutputs(t, NETWORK_NAMESPACE, new Set(merged.keys()));
  }
}

/** Merges LinkSpec. */
export class LinkMergeController extends MergeController<LinkSpecSpec> {
  constructor() {
    super(LinkSpecType, 'network.LinkMergeController');
  }
}

/** Merges AddressSpec. */
export class AddressMergeController extends MergeController<AddressSpecSpec> {
  constructor() {
    super(AddressSpecType, 'network.AddressMergeController');
  }
}

/** Merges RouteSpec. */
export class RouteMergeController extends MergeController<RouteSpecSpec> {
  constructor() {
    super(RouteSpecType, 'network.RouteMergeController');
  }
}

/** Merges HostnameSpec. */
export class HostnameMergeController extends MergeController<HostnameSpecSpec> {
  constructor() {
    super(HostnameSpecType, 'network.HostnameMergeController');
  }
}

/** Merges ResolverSpec. */
export class ResolverMergeController extends MergeController<ResolverSpecSpec> {
  constructor() {
    super(ResolverSpecType, 'network.ResolverMergeController');
  }
}

/** Merges TimeServerSpec. */
export class TimeServerMergeController extends MergeController<TimeServerSpecSpec> {
  constructor() {
    super(TimeServerSpecType, 'network.TimeServerMergeController');
  }
}
