// NetworkStatus: whether the node's network is ready, in parts (id `status`); MachineStatus reads it.
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { NETWORK_NAMESPACE } from './link-status.js';

/** The id of the one NetworkStatus. */
export const NETWORK_STATUS_ID = 'status';

/** Spec of NetworkStatus. */
export const NetworkStatusSpecSchema = z.object({
  addressReady: z.boolean().describe('The node has a global address (NodeAddress current is not empty).'),
  connectivityReady: z.boolean().describe('The node has a default route.'),
  hostnameReady: z.boolean().describe('The hostname spec is applied to the kernel.'),
  etcFilesReady: z.boolean().describe('/etc/resolv.conf and /etc/hosts are written under the node root.'),
});

/** The inferred spec type. */
export type NetworkStatusSpec = z.infer<typeof NetworkStatusSpecSchema>;

/** The NetworkStatus type. */
export const NetworkStatusType = defineResource({
  type: 'NetworkStatus',
  schema: NetworkStatusSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['netstatus'],
  printColumns: [
    { name: 'Address', jsonPath: '{.addressReady}' },
    { name: 'Connectivity', jsonPath: '{.connectivityReady}' },
    { name: 'Hostname', jsonPath: '{.hostnameReady}' },
    { name: 'Etc', jsonPath: '{.etcFilesReady}' },
  ],
});
