// EtcdSpec: how this control-plane node runs etcd (namespace `etcd`, id `etcd`): its member name, the addresses it
// advertises and listens on, extra flags, and whether it bootstraps the cluster or joins it; derived from the config
// and the node's live addresses.
import { z } from 'zod';
import { defineResource } from '../resource-type.js';

/** The namespace of etcd's resources. */
export const ETCD_NAMESPACE = 'etcd';

/** The id of the one EtcdSpec. */
export const ETCD_SPEC_ID = 'etcd';

/** etcd's client port. */
export const ETCD_CLIENT_PORT = 2379;

/** etcd's peer port. */
export const ETCD_PEER_PORT = 2380;

/** Spec of EtcdSpec. */
export const EtcdSpecSchema = z.object({
  name: z.string().min(1).describe('The member name: the node hostname, e.g. controlplane-1.'),
  advertisedAddresses: z
    .array(z.string())
    .min(1)
    .describe('The IPs etcd advertises to peers and clients, e.g. [10.5.0.2] (cluster.etcd.advertisedSubnets).'),
  listenAddresses: z
    .array(z.string())
    .min(1)
    .describe('The IPs etcd listens on: the advertised ones, or those of cluster.etcd.listenSubnets, and 127.0.0.1.'),
  extraArgs: z.record(z.string(), z.string()).describe('Extra etcd flags from cluster.etcd.extraArgs.'),
  bootstrap: z
    .boolean()
    .describe(
      'Whether this node starts a new etcd cluster when it has no etcd data: true on the node whose address (or ' +
        'hostname) is the host of cluster.controlPlane.endpoint, or when that host is a loopback address.',
    ),
  joinEndpoints: z
    .array(z.string())
    .describe(
      'The etcd client URLs a node that does not bootstrap asks to add it as a member on its first start, e.g. ' +
        '[https://10.5.0.2:2379] (the host of cluster.controlPlane.endpoint); empty when it bootstraps.',
    ),
});

/** The inferred spec type. */
export type EtcdSpecSpec = z.infer<typeof EtcdSpecSchema>;

/** The EtcdSpec type. */
export const EtcdSpecType = defineResource({
  type: 'EtcdSpec',
  schema: EtcdSpecSchema,
  defaultNamespace: ETCD_NAMESPACE,
  aliases: ['etcdspecs'],
  printColumns: [
    { name: 'Name', jsonPath: '{.name}' },
    { name: 'Advertised', jsonPath: '{.advertisedAddresses}' },
    { name: 'Listen', jsonPath: '{.listenAddresses}' },
    { name: 'Bootstrap', jsonPath: '{.bootstrap}' },
    { name: 'Join', jsonPath: '{.joinEndpoints}' },
  ],
});
