// NetworkStatusController: produces NetworkStatus (address, connectivity, hostname, etc files ready) from their statuses.
import {
  EtcFileStatusType,
  HOSTNAME_ID,
  HostnameSpecType,
  HostnameStatusType,
  NETWORK_NAMESPACE,
  NETWORK_STATUS_ID,
  NetworkStatusType,
  NodeAddressType,
  RouteStatusType,
  type NetworkStatusSpec,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';

const DEFAULT_DESTINATIONS = new Set(['0.0.0.0/0', '::/0']);
const ETC_FILES = ['resolv.conf', 'hosts'];

/** Keeps `network/NetworkStatus/status` saying which parts of the node's network are ready. */
export class NetworkStatusController implements Controller {
  readonly name = 'network.NetworkStatusController';
  readonly inputs = [
    { namespace: NETWORK_NAMESPACE, type: NodeAddressType.type, id: 'current', kind: 'weak' as const },
    { namespace: NETWORK_NAMESPACE, type: RouteStatusType.type, kind: 'weak' as const },
    { namespace: NETWORK_NAMESPACE, type: HostnameSpecType.type, id: HOSTNAME_ID, kind: 'weak' as const },
    { namespace: NETWORK_NAMESPACE, type: HostnameStatusType.type, id: HOSTNAME_ID, kind: 'weak' as const },
    { namespace: NETWORK_NAMESPACE, type: EtcFileStatusType.type, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: NetworkStatusType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const current = await ctx.get(NodeAddressType, NETWORK_NAMESPACE, 'current');
    const routes = await ctx.list(RouteStatusType, NETWORK_NAMESPACE);
    const want = (await ctx.get(HostnameSpecType, NETWORK_NAMESPACE, HOSTNAME_ID))?.spec;
    const have = (await ctx.get(HostnameStatusType, NETWORK_NAMESPACE, HOSTNAME_ID))?.spec;
    const etc = new Set((await ctx.list(EtcFileStatusType, NETWORK_NAMESPACE)).map((r) => r.metadata.id));
    const spec: NetworkStatusSpec = {
      addressReady: (current?.spec.addresses.length ?? 0) > 0,
      connectivityReady: routes.some((r) => r.spec.table === 'main' && DEFAULT_DESTINATIONS.has(r.spec.destination)),
      hostnameReady:
        want === undefined ||
        (have !== undefined && have.hostname === want.hostname && have.domainname === want.domainname),
      etcFilesReady: ETC_FILES.every((id) => etc.has(id)),
    };
    await ctx.modify(NetworkStatusType, NETWORK_NAMESPACE, NETWORK_STATUS_ID, () => spec);
  }
}
