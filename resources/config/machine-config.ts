// MachineConfig: the machine configuration document as the node holds it (namespace `config`, id `v1alpha1`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';

/** The namespace of configuration resources; journaled to disk. */
export const CONFIG_NAMESPACE = 'config';

/** The id of the active machine configuration. */
export const ACTIVE_CONFIG_ID = 'v1alpha1';

/**
 * The machine config document. This checks the envelope only (version, machine.type); the full v1alpha1
 * schema with every field and its description replaces it with the machine-config work (issue 3).
 */
export const MachineConfigSpecSchema = z
  .object({
    version: z.literal('v1alpha1').describe('Config document version; only v1alpha1 exists.'),
    debug: z.boolean().optional().describe('Print more from the node.'),
    persist: z.boolean().optional().describe('Keep the config on disk across restarts.'),
    machine: z
      .object({
        type: z.enum(['controlplane', 'worker']).describe('The role of the node in the cluster.'),
      })
      .loose()
      .describe('Settings of this node.'),
    cluster: z.object({}).loose().optional().describe('Settings shared by the cluster.'),
  })
  .loose();

/** The inferred spec type. */
export type MachineConfigSpec = z.infer<typeof MachineConfigSpecSchema>;

/** The MachineConfig type: sensitive (it holds keys and tokens). */
export const MachineConfigType = defineResource({
  type: 'MachineConfig',
  schema: MachineConfigSpecSchema,
  defaultNamespace: CONFIG_NAMESPACE,
  aliases: ['machineconfigs', 'mc'],
  sensitive: true,
});
