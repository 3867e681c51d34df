// ResolverConfigController: produces layered ResolverSpecs in `network-config` (defaults, `ip=` DNS servers, machine.network nameservers).
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  RESOLVERS_ID,
  ResolverSpecType,
  layeredId,
  type ResolverSpecSpec,
} from '../../resources/index.js';
import { silentLogger, type Controller, type ControllerContext, type Logger } from '../../runtime/index.js';
import { cmdlineNetworkOnce, type CmdlineNetwork } from './cmdline.js';
import { syncOutputs } from './sync.js';

/** The name servers of the default layer, as in Talos. */
export const DEFAULT_DNS_SERVERS: readonly string[] = ['1.1.1.1', '8.8.8.8'];

/**
 * Keeps `network-config/ResolverSpec/<layer>/resolvers` equal to the resolvers of each layer: default (1.1.1.1,
 * 8.8.8.8), cmdline (the `ip=` dns0 and dns1 fields) and configuration (machine.network nameservers and
 * searchDomains). The merge takes the whole spec of the highest layer, so a configuration that sets only search
 * domains carries the servers of the layers below it here (cmdline, else default). Output kind `shared`: the merge
 * controller writes ResolverSpec too (in `network`).
 */
export class ResolverConfigController implements Controller {
  readonly name = 'network.ResolverConfigController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: ResolverSpecType.type, kind: 'shared' as const }];
  private readonly cmdline: () => CmdlineNetwork | undefined;

  /** `cmdline` is the kernel command line text; a bad `ip=` is logged once to `logger` and ignored. */
  constructor(cmdline: string, logger: Logger = silentLogger) {
    this.cmdline = cmdlineNetworkOnce(cmdline, logger, this.name);
  }

  async reconcile(ctx: ControllerContext): Promise<void> {
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const doc = cfg?.metadata.phase === 'running' ? cfg.spec : undefined;
    const desired = new Map<string, ResolverSpecSpec>();
    let below = [...DEFAULT_DNS_SERVERS];
    desired.set(layeredId('default', RESOLVERS_ID), { dnsServers: below, searchDomains: [], layer: 'default' });
    const dns = this.cmdline()?.dns ?? [];
    if (dns.length > 0) {
      below = [...dns];
      desired.set(layeredId('cmdline', RESOLVERS_ID), { dnsServers: below, searchDomains: [], layer: 'cmdline' });
    }
    const { nameservers, searchDomains } = doc?.machine.network ?? {};
    if ((nameservers?.length ?? 0) > 0 || (searchDomains?.length ?? 0) > 0) {
      desired.set(layeredId('configuration', RESOLVERS_ID), {
        dnsServers: nameservers !== undefined && nameservers.length > 0 ? [...nameservers] : below,
        searchDomains: [...(searchDomains ?? [])],
        layer: 'configuration',
      });
    }
    await syncOutputs(ctx, ResolverSpecType, NETWORK_CONFIG_NAMESPACE, desired);
  }
}
