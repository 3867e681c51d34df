// EtcdSpecController: produces EtcdSpec (how this control plane runs etcd, and whether it bootstraps or joins the
// cluster) from the active MachineConfig, the node's live addresses (NodeAddress current) and hostname (HostnameStatus).
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  ETCD_CLIENT_PORT,
  ETCD_NAMESPACE,
  ETCD_SPEC_ID,
  EtcdSpecType,
  HOSTNAME_ID,
  HostnameStatusType,
  MachineConfigType,
  NETWORK_NAMESPACE,
  NETWORK_STATUS_ID,
  NetworkStatusType,
  NodeAddressType,
  cidrContains,
  parseCidr,
  parseIp,
  type EtcdSpecSpec,
  type MachineConfigDocument,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';

/** Whether `ip` passes `filters` (cluster.etcd.advertisedSubnets style: CIDRs, `!CIDR` excludes). */
export function matchesSubnets(ip: string, filters: readonly string[]): boolean {
  const addr = parseIp(ip);
  if (addr === undefined) return false;
  const include = filters.filter((f) => !f.startsWith('!'));
  const excluded = filters
    .filter((f) => f.startsWith('!'))
    .some((f) => {
      const c = parseCidr(f.slice(1), true);
      return c !== undefined && cidrContains(c, addr);
    });
  if (excluded) return false;
  return (
    include.length === 0 ||
    include.some((f) => {
      const c = parseCidr(f, true);
      return c !== undefined && cidrContains(c, addr);
    })
  );
}

/** The host of an https URL without IPv6 brackets, lower-cased; undefined when `url` does not parse. */
function urlHost(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1)$/;

/**
 * Who starts the etcd cluster: the node whose address or hostname is the host of `endpoint`
 * (cluster.controlPlane.endpoint) bootstraps it; every other control plane joins through that host's etcd. An endpoint
 * on loopback means a cluster of one: each node bootstraps. A load-balancer or DNS endpoint matches no node, so all
 * join through it and none bootstraps (such a cluster needs its first member started some other way).
 */
export function etcdBootstrap(
  endpoint: string | undefined,
  ips: readonly string[],
  hostname: string,
): { bootstrap: boolean; joinEndpoints: string[] } {
  const host = urlHost(endpoint);
  if (host === undefined || LOOPBACK.test(host) || host === hostname.toLowerCase() || ips.includes(host)) {
    return { bootstrap: true, joinEndpoints: [] };
  }
  return {
    bootstrap: false,
    joinEndpoints: [`https://${host.includes(':') ? `[${host}]` : host}:${ETCD_CLIENT_PORT}`],
  };
}

/**
 * The spec for `config` on a node with `addresses` (a/prefix) and `hostname`; undefined on a worker, without a config,
 * or while no address is in the advertised subnets (etcd waits: a member's peer URL is fixed when it first starts).
 */
export function etcdSpec(
  config: MachineConfigDocument | undefined,
  addresses: readonly string[],
  hostname: string,
): EtcdSpecSpec | undefined {
  if (config?.machine.type !== 'controlplane') return undefined;
  const etcd = config.cluster?.etcd;
  const ips = addresses.map((a) => a.split('/')[0] ?? a);
  const advertised = ips.filter((ip) => matchesSubnets(ip, etcd?.advertisedSubnets ?? []));
  const listenFilter = etcd?.listenSubnets ?? etcd?.advertisedSubnets;
  const listen = listenFilter === undefined ? advertised : ips.filter((ip) => matchesSubnets(ip, listenFilter));
  if (advertised.length === 0) return undefined;
  const advertisedAddresses = advertised.slice(0, 1);
  return {
    name: hostname,
    advertisedAddresses,
    listenAddresses: [...new Set([...(listen.length > 0 ? listen : advertisedAddresses), '127.0.0.1'])],
    extraArgs: { ...(etcd?.extraArgs ?? {}) },
    ...etcdBootstrap(config.cluster?.controlPlane?.endpoint, ips, hostname),
  };
}

/** Keeps `etcd/EtcdSpec/etcd` equal to {@link etcdSpec} of the inputs once the network is ready; none on a worker. */
export class EtcdSpecController implements Controller {
  readonly name = 'etcd.EtcdSpecController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
    { namespace: NETWORK_NAMESPACE, type: NodeAddressType.type, id: 'current', kind: 'weak' as const },
    { namespace: NETWORK_NAMESPACE, type: HostnameStatusType.type, id: HOSTNAME_ID, kind: 'weak' as const },
    { namespace: NETWORK_NAMESPACE, type: NetworkStatusType.type, id: NETWORK_STATUS_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: EtcdSpecType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const config = cfg?.metadata.phase === 'running' ? cfg.spec : undefined;
    const addresses = (await ctx.get(NodeAddressType, NETWORK_NAMESPACE, 'current'))?.spec.addresses ?? [];
    const host = await ctx.get(HostnameStatusType, NETWORK_NAMESPACE, HOSTNAME_ID);
    const hostname = host?.spec.hostname ?? config?.machine.network?.hostname?.split('.')[0] ?? 'etcd';
    // The member name and peer URL are fixed at its first start: wait until the node's address and hostname are set.
    const net = (await ctx.get(NetworkStatusType, NETWORK_NAMESPACE, NETWORK_STATUS_ID))?.spec;
    const ready = net?.addressReady === true && net.hostnameReady;
    const spec = ready ? etcdSpec(config, addresses, hostname) : undefined;
    if (spec === undefined) {
      await ctx.teardownAndDestroy(EtcdSpecType, ETCD_NAMESPACE, ETCD_SPEC_ID);
      return;
    }
    await ctx.modify(EtcdSpecType, ETCD_NAMESPACE, ETCD_SPEC_ID, () => spec);
  }
}
