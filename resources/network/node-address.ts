// NodeAddress: the node's own addresses (ids `default`, `current`, `accumulative`), what certificates and peers use.
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { NETWORK_NAMESPACE } from './link-status.js';

/** The ids: the one address to advertise, the addresses now, and every address the node has had since it started. */
export const NODE_ADDRESS_IDS = ['default', 'current', 'accumulative'] as const;

/** Spec of NodeAddress. */
export const NodeAddressSpecSchema = z.object({
  addresses: z.array(z.string()).describe('Addresses with prefix length, sorted (IPv4 first), e.g. [10.5.0.2/24].'),
});

/** The inferred spec type. */
export type NodeAddressSpec = z.infer<typeof NodeAddressSpecSchema>;

/** The NodeAddress type. */
export const NodeAddressType = defineResource({
  type: 'NodeAddress',
  schema: NodeAddressSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['nodeaddresses'],
  printColumns: [{ name: 'Addresses', jsonPath: '{.addresses}' }],
});
