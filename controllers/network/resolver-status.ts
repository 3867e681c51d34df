// ResolverSpecController: produces ResolverStatus (the resolvers in effect) from the merged ResolverSpec.
import { NETWORK_NAMESPACE, RESOLVERS_ID, ResolverSpecType, ResolverStatusType } from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { syncOutputs } from './sync.js';

/**
 * Copies `network/ResolverSpec/resolvers` (without its layer) to `network/ResolverStatus/resolvers`, and removes the
 * status when the spec goes. EtcFileController renders /etc/resolv.conf from the status.
 */
export class ResolverSpecController implements Controller {
  readonly name = 'network.ResolverSpecController';
  readonly inputs = [
    { namespace: NETWORK_NAMESPACE, type: ResolverSpecType.type, id: RESOLVERS_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: ResolverStatusType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const spec = (await ctx.get(ResolverSpecType, NETWORK_NAMESPACE, RESOLVERS_ID))?.spec;
    const desired = new Map<string, { dnsServers: string[]; searchDomains: string[] }>();
    if (spec !== undefined) {
      desired.set(RESOLVERS_ID, { dnsServers: [...spec.dnsServers], searchDomains: [...spec.searchDomains] });
    }
    await syncOutputs(ctx, ResolverStatusType, NETWORK_NAMESPACE, desired);
  }
}
