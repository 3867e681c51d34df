// Member: one node of the cluster (namespace `cluster`, id = its hostname): role, addresses, etcd member; mirrored by
// control-plane nodes from the cluster's etcd, where each control plane records itself.
import { z } from 'zod';
import { defineResource } from '../resource-type.js';

/** The namespace of the cluster's shared view. */
export const CLUSTER_NAMESPACE = 'cluster';

/** Spec of Member. */
export const MemberSpecSchema = z.object({
  hostname: z.string().min(1).describe('The node hostname, e.g. controlplane-1.'),
  role: z.enum(['controlplane', 'worker']).describe('What the node runs: controlplane (etcd, API server) or worker.'),
  addresses: z.array(z.string()).describe("The node's IP addresses, without prefix length, e.g. [10.5.0.2]."),
  operatingSystem: z.string().describe('The operating system and its version, e.g. osnode (v0.1.0).'),
  etcdMemberId: z
    .string()
    .describe("The node's etcd member ID in hex as etcdctl prints it; empty on a worker (it runs no etcd)."),
});

/** The inferred spec type. */
export type MemberSpec = z.infer<typeof MemberSpecSchema>;

/** The Member type: `osctl get members`. */
export const MemberType = defineResource({
  type: 'Member',
  schema: MemberSpecSchema,
  defaultNamespace: CLUSTER_NAMESPACE,
  aliases: ['members'],
  printColumns: [
    { name: 'Hostname', jsonPath: '{.hostname}' },
    { name: 'Machine Type', jsonPath: '{.role}' },
    { name: 'OS', jsonPath: '{.operatingSystem}' },
    { name: 'Addresses', jsonPath: '{.addresses}' },
  ],
});
