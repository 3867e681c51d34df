// MachineStage: where machined's boot sequence is (namespace `runtime`, id `machine`), written by the sequencer.
import { z } from 'zod';
import { defineResource } from '../resource-type.js';

/** The namespace of the node's runtime state. */
export const RUNTIME_NAMESPACE = 'runtime';

/** The id of the one MachineStage and MachineStatus resource. */
export const MACHINE_ID = 'machine';

/** The stages a node goes through, as talosctl names them. */
export const MachineStageSchema = z.enum(['booting', 'maintenance', 'running', 'rebooting', 'shutting down']);

/** A stage name. */
export type MachineStageName = z.infer<typeof MachineStageSchema>;

/** Spec of MachineStage. */
export const MachineStageSpecSchema = z.object({
  stage: MachineStageSchema.describe('The stage of the boot sequence.'),
});

/** The MachineStage type (the input of MachineStatus; only machined's sequencer writes it). */
export const MachineStageType = defineResource({
  type: 'MachineStage',
  schema: MachineStageSpecSchema,
  defaultNamespace: RUNTIME_NAMESPACE,
  aliases: ['machinestages'],
  printColumns: [{ name: 'Stage', jsonPath: '{.stage}' }],
});
