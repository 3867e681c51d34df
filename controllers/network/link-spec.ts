// LinkSpecController: makes the kernel's links match the merged LinkSpecs (create logical links, master, MTU, up) and reports NetworkConditions.
import {
  LinkSpecType,
  NETWORK_NAMESPACE,
  NetworkConditionType,
  type LinkSpecSpec,
  type Resource,
} from '../../resources/index.js';
import { isNetlinkError, type Controller, type ControllerContext, type NetlinkLink } from '../../runtime/index.js';
import { APPLIED, ConditionWriter, pending, refusal, type Outcome } from './conditions.js';
import { LazyNetlink, watchKernel, type KernelNetwork, type LinkCreate } from './kernel.js';

/** The link to create for a logical spec; undefined for a physical one. */
function creation(s: LinkSpecSpec): LinkCreate | undefined {
  switch (s.kind) {
    case '':
      return undefined;
    case 'veth':
      return { kind: 'veth', name: s.name, peer: s.vethPeer };
    case 'vlan':
      return { kind: 'vlan', name: s.name, parent: s.parent, vlanId: s.vlanId };
    case 'bond':
      return { kind: 'bond', name: s.name, mode: s.bondMode };
    default:
      return { kind: s.kind, name: s.name };
  }
}

/**
 * Keeps links equal to `network/LinkSpec`: creates missing logical links, then sets master, MTU and up/down, issuing
 * only the changes the dump shows are needed. Woken by link events, so a change made by hand is put back. A kind the
 * kernel lacks is reported Unsupported and not asked again until the spec changes; logical links it created (or whose
 * spec it saw) are deleted when their spec goes. Links without a spec are never touched.
 */
export class LinkSpecController implements Controller {
  readonly name = 'network.LinkSpecController';
  readonly inputs = [{ namespace: NETWORK_NAMESPACE, type: LinkSpecType.type, kind: 'weak' as const }];
  readonly outputs = [{ type: NetworkConditionType.type, kind: 'shared' as const }];

  private readonly conditions = new ConditionWriter(LinkSpecType.type);
  /** Creations the kernel refused as unsupported, by `<spec id>@<version>`: not asked again for that version. */
  private readonly unsupported = new Map<string, Outcome>();
  /** Logical links whose spec this controller saw (and may have created), by name, with their kind. */
  private readonly logical = new Map<string, string>();

  constructor(private readonly kernel: KernelNetwork = new LazyNetlink()) {}

  async reconcile(ctx: ControllerContext): Promise<void> {
    const opts = { signal: ctx.signal };
    const specs = (await ctx.list(LinkSpecType, NETWORK_NAMESPACE)).filter((r) => r.metadata.phase === 'running');
    let links = await this.kernel.links(opts);
    const outcomes = new Map<string, Outcome>();

    await this.deleteOrphans(ctx, specs, links);
    let created = false;
    const names = new Set(links.map((l) => l.name));
    for (const r of specs) {
      const outcome = await this.create(ctx, r, names);
      if (outcome === 'created') created = true;
      else if (outcome !== undefined) outcomes.set(r.metadata.id, outcome);
    }
    if (created) links = await this.kernel.links(opts);

    const byName = new Map(links.map((l) => [l.name, l] as const));
    for (const r of specs) {
      if (outcomes.has(r.metadata.id)) continue;
      outcomes.set(r.metadata.id, await this.configure(ctx, r.spec, byName));
    }
    const current = new Set(specs.map((r) => `${r.metadata.id}@${r.metadata.version}`));
    for (const key of this.unsupported.keys()) if (!current.has(key)) this.unsupported.delete(key);
    await this.conditions.write(ctx, outcomes);
  }

  watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    return watchKernel(this.kernel, ['link'], signal, changed);
  }

  /**
   * Creates the spec's link when logical and missing from `names` (the links known to exist, updated with what it
   * creates): 'created', an outcome that ends the spec's pass, or undefined when the link exists.
   */
  private async create(
    ctx: ControllerContext,
    r: Resource<LinkSpecSpec>,
    names: Set<string>,
  ): Promise<'created' | Outcome | undefined> {
    const s = r.spec;
    if (names.has(s.name)) return undefined;
    const make = s.logical ? creation(s) : undefined;
    if (make === undefined) return pending(`waiting for link ${s.name} to appear`);
    this.logical.set(s.name, s.kind);
    const key = `${r.metadata.id}@${r.metadata.version}`;
    const known = this.unsupported.get(key);
    if (known !== undefined) return known;
    if (make.kind === 'vlan' && !names.has(make.parent)) {
      return pending(`waiting for parent link ${make.parent} to appear`);
    }
    try {
      await this.kernel.createLink(make, { signal: ctx.signal });
      // A veth comes with its peer: the peer's own spec must not create it again in this pass.
      names.add(make.name);
      if (make.kind === 'veth') names.add(make.peer);
      return 'created';
    } catch (e) {
      // Created by someone else (or the veth peer's spec) since the dump: configure it on the next pass.
      if (isNetlinkError(e, 'Exists')) return 'created';
      const o = refusal(e);
      if (o.state === 'Unsupported') this.unsupported.set(key, o);
      return o;
    }
  }

  /** Sets master, MTU and up/down where the link differs from the spec. */
  private async configure(
    ctx: ControllerContext,
    s: LinkSpecSpec,
    byName: ReadonlyMap<string, NetlinkLink>,
  ): Promise<Outcome> {
    const opts = { signal: ctx.signal };
    const link = byName.get(s.name);
    if (link === undefined) return pending(`waiting for link ${s.name} to appear`);
    try {
      if (s.master === '' && link.master !== null) {
        await this.kernel.setMaster(link.name, null, opts);
      } else if (s.master !== '') {
        const master = byName.get(s.master);
        if (master === undefined) return pending(`waiting for master link ${s.master} to appear`);
        if (link.master !== master.index) await this.kernel.setMaster(link.name, master.name, opts);
      }
      if (s.mtu > 0 && link.mtu !== s.mtu) await this.kernel.setMtu(link.name, s.mtu, opts);
      if (link.up !== s.up) await this.kernel.setLinkUp(link.name, s.up, opts);
      return APPLIED;
    } catch (e) {
      return refusal(e);
    }
  }

  /** Deletes logical links whose spec is gone (or no longer logical), if the kernel still has them with that kind. */
  private async deleteOrphans(
    ctx: ControllerContext,
    specs: readonly Resource<LinkSpecSpec>[],
    links: readonly NetlinkLink[],
  ): Promise<void> {
    const wanted = new Set(specs.filter((r) => r.spec.logical).map((r) => r.spec.name));
    for (const [name, kind] of this.logical) {
      if (wanted.has(name)) continue;
      const link = links.find((l) => l.name === name);
      if (link === undefined || link.kind !== kind) {
        this.logical.delete(name);
        continue;
      }
      try {
        await this.kernel.deleteLink(name, { signal: ctx.signal });
        this.logical.delete(name);
      } catch (e) {
        // Gone already (a veth whose peer was deleted first): nothing left to do. Another refusal: tried again on
        // the next pass (the next link event), as there is no spec left to carry a condition.
        if (!isNetlinkError(e)) throw e;
        if (e.code === 'NotFound') this.logical.delete(name);
      }
    }
  }
}
