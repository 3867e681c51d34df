// MachineType: the node's role (controlplane or worker) derived from the machine config (namespace `config`, id `machine-type`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { CONFIG_NAMESPACE } from './machine-config.js';

/** The id of the one MachineType resource. */
export const MACHINE_TYPE_ID = 'machine-type';

/** Spec of MachineType. */
export const MachineTypeSpecSchema = z.object({
  type: z
    .enum(['controlplane', 'worker', 'unknown'])
    .describe('The role of the node; unknown until a config is applied.'),
});

/** The inferred spec type. */
export type MachineTypeSpec = z.infer<typeof MachineTypeSpecSchema>;

/** The MachineType type. */
export const MachineTypeType = defineResource({
  type: 'MachineType',
  schema: MachineTypeSpecSchema,
  defaultNamespace: CONFIG_NAMESPACE,
  aliases: ['machinetypes'],
  printColumns: [{ name: 'Type', jsonPath: '{.type}' }],
});
