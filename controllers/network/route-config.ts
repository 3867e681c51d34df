// RouteConfigController: produces layered RouteSpecs in `network-config` from the `ip=` gateway and machine.network routes.
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  RouteSpecType,
  layeredId,
  type Layer,
  type MachineConfigSpec,
  type RouteSpecSpec,
} from '../../resources/index.js';
import { formatCidr, formatIp, networkOf, parseCidr, parseIp } from '../../resources/config/v1alpha1/net.js';
import { silentLogger, type Controller, type ControllerContext, type Logger } from '../../runtime/index.js';
import { cmdlineNetworkOnce, type CmdlineNetwork } from './cmdline.js';
import { routeStatusId } from './route-status.js';
import { syncOutputs } from './sync.js';

/** The metric of routes that do not set one (the kernel's default for IPv6). */
export const DEFAULT_ROUTE_METRIC = 1024;

/**
 * The merged RouteSpec id, exactly the RouteStatus id of the route it installs:
 * `<table>/<family>/<gateway>/<destination>/<metric>/<link>`, e.g. `main/inet4/10.5.0.1/0.0.0.0/0/1024/eth0`.
 */
export function routeSpecId(spec: RouteSpecSpec): string {
  return routeStatusId(spec);
}

/** A route as the config states it. */
interface RouteText {
  readonly network: string;
  readonly gateway?: string | undefined;
  readonly source?: string | undefined;
  readonly metric?: number | undefined;
  readonly mtu?: number | undefined;
}

const canonicalIp = (s: string | undefined): string => {
  const ip = s === undefined ? undefined : parseIp(s);
  return ip === undefined ? '' : formatIp(ip);
};

/** The spec of `r` through `link`: the destination normalized (a bare address is a host route); undefined when it does not parse. */
function routeSpec(r: RouteText, link: string, layer: Layer): RouteSpecSpec | undefined {
  const dst = parseCidr(r.network, true);
  if (dst === undefined) return undefined;
  const gateway = canonicalIp(r.gateway);
  return {
    family: dst.ip.family === 4 ? 'inet4' : 'inet6',
    destination: formatCidr(networkOf(dst)),
    source: canonicalIp(r.source),
    gateway,
    outLinkName: link,
    table: 'main',
    metric: r.metric ?? DEFAULT_ROUTE_METRIC,
    scope: gateway === '' ? 'link' : 'global',
    type: 'unicast',
    protocol: 'static',
    mtu: r.mtu ?? 0,
    layer,
  };
}

/** The configuration layer's routes: interfaces[].routes and vlans[].routes (through `<link>.<vlanId>`). */
export function configuredRoutes(doc: MachineConfigSpec): RouteSpecSpec[] {
  const out: RouteSpecSpec[] = [];
  const add = (routes: readonly RouteText[] | undefined, link: string): void => {
    for (const r of routes ?? []) {
      const spec = routeSpec(r, link, 'configuration');
      if (spec !== undefined) out.push(spec);
    }
  };
  for (const i of doc.machine.network?.interfaces ?? []) {
    if (i.ignore === true) continue;
    add(i.routes, i.interface);
    for (const v of i.vlans ?? []) add(v.routes, `${i.interface}.${v.vlanId}`);
  }
  return out;
}

function desiredRoutes(
  net: CmdlineNetwork | undefined,
  doc: MachineConfigSpec | undefined,
): Map<string, RouteSpecSpec> {
  const specs: RouteSpecSpec[] = [];
  // Like the address, the default route of `ip=` is bound to its device: without one there is none.
  if (net?.gateway !== undefined && net.device !== undefined) {
    const network = parseIp(net.gateway)?.family === 6 ? '::/0' : '0.0.0.0/0';
    const spec = routeSpec({ network, gateway: net.gateway }, net.device, 'cmdline');
    if (spec !== undefined) specs.push(spec);
  }
  if (doc !== undefined) specs.push(...configuredRoutes(doc));
  return new Map(specs.map((s) => [layeredId(s.layer, routeSpecId(s)), s]));
}

/**
 * Keeps `network-config/RouteSpec/<layer>/<route id>` equal to the routes of each layer: cmdline (a default route via
 * the `ip=` gateway on its device, metric 1024) and configuration; no default layer. Output kind `shared`: the merge
 * controller writes RouteSpec too (in `network`).
 */
export class RouteConfigController implements Controller {
  readonly name = 'network.RouteConfigController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: RouteSpecType.type, kind: 'shared' as const }];
  private readonly cmdline: () => CmdlineNetwork | undefined;

  /** `cmdline` is the kernel command line text; a bad `ip=` is logged once to `logger` and ignored. */
  constructor(cmdline: string, logger: Logger = silentLogger) {
    this.cmdline = cmdlineNetworkOnce(cmdline, logger, this.name);
  }

  async reconcile(ctx: ControllerContext): Promise<void> {
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const doc = cfg?.metadata.phase === 'running' ? cfg.spec : undefined;
    await syncOutputs(ctx, RouteSpecType, NETWORK_CONFIG_NAMESPACE, desiredRoutes(this.cmdline(), doc));
  }
}
