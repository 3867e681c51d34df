// RouteSpecController: installs the merged RouteSpecs' routes, removes the ones it installed whose spec is gone, and reports NetworkConditions.
import { NETWORK_NAMESPACE, NetworkConditionType, RouteSpecType, type RouteSpecSpec } from '../../resources/index.js';
import {
  isNetlinkError,
  type Controller,
  type ControllerContext,
  type NetlinkRoute,
  type NetlinkRouteSpec,
} from '../../runtime/index.js';
import { APPLIED, ConditionWriter, pending, refusal, type Outcome } from './conditions.js';
import { LazyNetlink, watchKernel, type KernelNetwork } from './kernel.js';
import { perObject } from './memo.js';
import { canonicalIp, parsePrefix, protocolNumber, routeTypeNumber, scopeNumber, tableNumber } from './kernel-names.js';

/** A route as the kernel is asked for it, with the out link by name and the priority the kernel will report. */
interface Wanted extends NetlinkRouteSpec {
  readonly family: 4 | 6;
  readonly oif?: string;
  readonly priority: number;
  readonly table: number;
  readonly protocol: number;
  readonly type: number;
}

/** The priority as the kernel reports it: IPv6 turns 0 into 1024 (IP6_RT_PRIO_USER). */
function effectivePriority(family: 4 | 6, p: number | null): number {
  return family === 6 && (p === null || p === 0) ? 1024 : (p ?? 0);
}

/** Specs are immutable: each is turned into its kernel request once, not on every pass. */
const wanted = perObject(computeWanted);

function computeWanted(s: RouteSpecSpec): Wanted {
  const { ip, length } = parsePrefix('destination', s.destination);
  const family = ip.includes(':') ? 6 : 4;
  const scope = scopeNumber(s.scope);
  return {
    family,
    dst: ip,
    dstLen: length,
    priority: effectivePriority(family, s.metric),
    table: tableNumber(s.table),
    protocol: protocolNumber(s.protocol),
    type: routeTypeNumber(s.type),
    ...(s.gateway === '' ? {} : { gateway: canonicalIp(s.gateway) }),
    ...(s.outLinkName === '' ? {} : { oif: s.outLinkName }),
    ...(s.source === '' ? {} : { prefsrc: canonicalIp(s.source) }),
    ...(s.mtu > 0 ? { mtu: s.mtu } : {}),
    // The kernel keeps IPv6 routes at universe scope whatever is asked; only IPv4 takes a scope.
    ...(family === 4 && s.scope !== '' ? { scope } : {}),
  };
}

/** The table number of a spec (main when the name is unknown: that spec fails on its own later). */
function wantedTable(s: RouteSpecSpec): number {
  try {
    return wanted(s).table;
  } catch {
    return 254;
  }
}

/** True when the kernel route `r` is the route `w` asks for (oif is the out link's index, if one is named). */
function matches(r: NetlinkRoute, w: Wanted, oif: number | undefined): boolean {
  return (
    r.family === w.family &&
    r.table === w.table &&
    r.dst === w.dst &&
    r.dstLen === w.dstLen &&
    effectivePriority(r.family, r.priority) === w.priority &&
    (r.gateway ?? undefined) === w.gateway &&
    (oif === undefined || r.oif === oif) &&
    (r.prefsrc ?? undefined) === w.prefsrc &&
    (r.mtu ?? undefined) === w.mtu &&
    r.type === w.type &&
    r.protocol === w.protocol &&
    (w.scope === undefined || r.scope === w.scope)
  );
}

/** The kernel's key of a route: replacing one with the same key replaces the route; deleting by it deletes it. */
const sameKey = (a: Wanted, b: Wanted): boolean =>
  a.family === b.family && a.table === b.table && a.dst === b.dst && a.dstLen === b.dstLen && a.priority === b.priority;

/**
 * Keeps the routes of `network/RouteSpec` installed: adds or replaces the ones the dump lacks (woken by route, address
 * and link events, so a route deleted by hand is put back and an unreachable gateway is retried when the addresses
 * change), and deletes a route only when this controller installed it and its spec is gone.
 */
export class RouteSpecController implements Controller {
  readonly name = 'network.RouteSpecController';
  readonly inputs = [{ namespace: NETWORK_NAMESPACE, type: RouteSpecType.type, kind: 'weak' as const }];
  readonly outputs = [{ type: NetworkConditionType.type, kind: 'shared' as const }];

  private readonly conditions = new ConditionWriter(RouteSpecType.type);
  /** Routes this controller installed, by spec id. */
  private readonly added = new Map<string, Wanted>();

  constructor(private readonly kernel: KernelNetwork = new LazyNetlink()) {}

  async reconcile(ctx: ControllerContext): Promise<void> {
    const opts = { signal: ctx.signal };
    const specs = (await ctx.list(RouteSpecType, NETWORK_NAMESPACE)).filter((r) => r.metadata.phase === 'running');
    const links = new Map((await this.kernel.links(opts)).map((l) => [l.name, l.index] as const));
    // Only the tables the specs use: the local table alone holds two routes per address of the node.
    const tables = new Set(specs.map((r) => wantedTable(r.spec)));
    const routes = await this.kernel.routes({ ...opts, tables });
    const outcomes = new Map<string, Outcome>();
    const desired = new Map<string, Wanted>();

    for (const r of specs) {
      try {
        desired.set(r.metadata.id, wanted(r.spec));
      } catch (e) {
        outcomes.set(r.metadata.id, refusal(e));
      }
    }
    await this.removeStale(ctx, desired);

    // Index the dump by destination so that 200 specs against a full table stay cheap.
    const byDst = new Map<string, NetlinkRoute[]>();
    for (const r of routes) {
      const k = `${r.dst}/${r.dstLen}`;
      byDst.set(k, [...(byDst.get(k) ?? []), r]);
    }
    const missing: [string, Wanted][] = [];
    for (const [id, w] of desired) {
      const oif = w.oif === undefined ? undefined : links.get(w.oif);
      if (w.oif !== undefined && oif === undefined) {
        outcomes.set(id, pending(`waiting for link ${w.oif} to appear`));
      } else if ((byDst.get(`${w.dst}/${w.dstLen}`) ?? []).some((r) => matches(r, w, oif))) {
        outcomes.set(id, APPLIED);
      } else {
        missing.push([id, w]);
      }
    }
    // One batch for all that is missing (the kernel handles the routes in order, as one by one).
    const results = await this.kernel.addRoutes(
      missing.map(([, w]) => w),
      opts,
    );
    missing.forEach(([id, w], i) => {
      const e = results[i];
      if (e === undefined) {
        this.added.set(id, w);
        outcomes.set(id, APPLIED);
      } else outcomes.set(id, refusal(e));
    });
    await this.conditions.write(ctx, outcomes);
  }

  watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    // Address and link events too: a gateway becomes reachable when an address of its subnet appears.
    return watchKernel(this.kernel, ['route', 'address', 'link'], signal, changed);
  }

  /** Deletes the routes this controller installed whose spec is gone or now has another kernel key. */
  private async removeStale(ctx: ControllerContext, desired: ReadonlyMap<string, Wanted>): Promise<void> {
    for (const [id, w] of this.added) {
      const now = desired.get(id);
      if (now !== undefined && sameKey(now, w)) continue;
      // Another spec still asks for a route with this key (it replaced ours, or will): keep it.
      if ([...desired.values()].some((d) => sameKey(d, w))) {
        this.added.delete(id);
        continue;
      }
      try {
        await this.kernel.deleteRoute(w, { signal: ctx.signal });
        this.added.delete(id);
      } catch (e) {
        if (!isNetlinkError(e)) throw e;
        if (e.code === 'NotFound') this.added.delete(id);
      }
    }
  }
}
