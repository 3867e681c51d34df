// NetworkCondition: how applying one merged spec to the kernel went (id `<spec type>/<spec id>`), so that a spec the
// kernel refuses (a missing link kind, a refused MTU, an unreachable gateway) is visible with the kernel's own reason.
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { NETWORK_NAMESPACE } from './link-status.js';

/**
 * Applied: the kernel matches the spec. Pending: waiting for something outside the node (a link that does not exist
 * yet). Failed: the kernel refused (reason says why; retried with backoff). Unsupported: the kernel lacks the feature
 * (not retried until the spec changes).
 */
export const ConditionStateSchema = z.enum(['Applied', 'Pending', 'Failed', 'Unsupported']);

/** A condition state. */
export type ConditionState = z.infer<typeof ConditionStateSchema>;

/** Spec of NetworkCondition. */
export const NetworkConditionSpecSchema = z.object({
  specType: z.string().describe('The spec type: LinkSpec, AddressSpec, RouteSpec, HostnameSpec.'),
  specId: z.string().describe('The id of the merged spec in namespace network.'),
  state: ConditionStateSchema.describe('Applied, Pending, Failed or Unsupported.'),
  reason: z
    .string()
    .describe("Why, in the kernel's words when it refused (e.g. 'Operation not supported'); empty when applied."),
});

/** The inferred spec type. */
export type NetworkConditionSpec = z.infer<typeof NetworkConditionSpecSchema>;

/** The NetworkCondition type. */
export const NetworkConditionType = defineResource({
  type: 'NetworkCondition',
  schema: NetworkConditionSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['conditions', 'netconditions'],
  printColumns: [
    { name: 'Spec', jsonPath: '{.specType}' },
    { name: 'State', jsonPath: '{.state}' },
    { name: 'Reason', jsonPath: '{.reason}' },
  ],
});
