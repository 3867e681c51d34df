// MachineStatus: the node's stage, whether it is ready, and the conditions still unmet (namespace `runtime`, id `machine`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { MachineStageSchema, RUNTIME_NAMESPACE } from './machine-stage.js';

/** Spec of MachineStatus. */
export const MachineStatusSpecSchema = z.object({
  stage: MachineStageSchema.describe('The stage of the boot sequence.'),
  ready: z.boolean().describe('True when the node is running and every condition is met.'),
  unmetConditions: z
    .array(
      z.object({
        name: z.string().describe('The condition, e.g. config.'),
        reason: z.string().describe('Why it is not met, and what would meet it.'),
      }),
    )
    .describe('Conditions keeping the node from being ready.'),
});

/** The inferred spec type. */
export type MachineStatusSpec = z.infer<typeof MachineStatusSpecSchema>;

/** The MachineStatus type. */
export const MachineStatusType = defineResource({
  type: 'MachineStatus',
  schema: MachineStatusSpecSchema,
  defaultNamespace: RUNTIME_NAMESPACE,
  aliases: ['machinestatuses'],
  printColumns: [
    { name: 'Stage', jsonPath: '{.stage}' },
    { name: 'Ready', jsonPath: '{.ready}' },
  ],
});
