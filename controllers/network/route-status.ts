// RouteStatusController: produces RouteStatus resources from the kernel's routes of every table (dumps, woken by route and link events).
import { NETWORK_NAMESPACE, RouteStatusType, type RouteStatusSpec } from '../../resources/index.js';
import type { Controller, ControllerContext, NetlinkRoute } from '../../runtime/index.js';
import { LazyNetlink, watchKernel, type KernelNetwork } from './kernel.js';
import { familyName, protocolName, routeTypeName, scopeName, tableName } from './names.js';
import { syncOutputs } from './sync.js';

/**
 * The RouteStatus id: `<table>/<family>/<gateway>/<destination>/<metric>/<link>`, e.g. `main/inet4/10.5.0.1/0.0.0.0/0/1024/eth0`.
 * The link is part of it because IPv6 keeps one `ff00::/8` route per link in the local table with the same metric.
 */
export function routeStatusId(spec: RouteStatusSpec): string {
  return `${spec.table}/${spec.family}/${spec.gateway}/${spec.destination}/${spec.metric}/${spec.outLinkName}`;
}

/** The RouteStatus spec of one kernel route; `linkName` names its out link (empty when it has none). */
export function routeStatusSpec(r: NetlinkRoute, linkName: string): RouteStatusSpec {
  return {
    family: familyName(r.family),
    destination: `${r.dst}/${r.dstLen}`,
    source: r.prefsrc ?? '',
    gateway: r.gateway ?? '',
    outLinkName: linkName,
    table: tableName(r.table),
    metric: r.priority ?? 0,
    scope: scopeName(r.scope),
    type: routeTypeName(r.type),
    protocol: protocolName(r.protocol),
  };
}

/** Keeps `network/RouteStatus/<id>` equal to the kernel's routes in every table (see {@link routeStatusId}). */
export class RouteStatusController implements Controller {
  readonly name = 'network.RouteStatusController';
  readonly inputs = [];
  readonly outputs = [{ type: RouteStatusType.type, kind: 'exclusive' as const }];

  constructor(private readonly kernel: KernelNetwork = new LazyNetlink()) {}

  async reconcile(ctx: ControllerContext): Promise<void> {
    const links = await this.kernel.links({ signal: ctx.signal });
    const names = new Map(links.map((l) => [l.index, l.name] as const));
    const desired = new Map<string, RouteStatusSpec>();
    for (const r of await this.kernel.routes({ signal: ctx.signal })) {
      const link = r.oif === null ? '' : (names.get(r.oif) ?? String(r.oif));
      // Routes the id cannot tell apart (multipath, TOS) collapse into the last one dumped.
      const spec = routeStatusSpec(r, link);
      desired.set(routeStatusId(spec), spec);
    }
    await syncOutputs(ctx, RouteStatusType, NETWORK_NAMESPACE, desired);
  }

  watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    // Link events too: a renamed link renames the out link of its routes.
    return watchKernel(this.kernel, ['route', 'link'], signal, changed);
  }
}
