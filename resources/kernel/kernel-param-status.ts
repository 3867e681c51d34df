// KernelParamStatus: a wanted sysctl as the kernel has it, the value it had before the node changed it, and why it
// differs when it does (namespace `runtime`, id: the sysctl name).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { LayerSchema } from '../network/layer.js';
import { RUNTIME_NAMESPACE } from '../runtime/machine-stage.js';

/**
 * Applied: the kernel has the wanted value. Pending: it differs (changed outside the node) and is being put back.
 * Skipped: not written on purpose (a global sysctl on a node sharing its kernel). Unsupported: the kernel has no such
 * sysctl. Failed: the kernel refused the value (reason: its error).
 */
export const KernelParamStateSchema = z.enum(['Applied', 'Pending', 'Skipped', 'Unsupported', 'Failed']);

/** A KernelParamStatus state. */
export type KernelParamState = z.infer<typeof KernelParamStateSchema>;

/** Spec of KernelParamStatus. */
export const KernelParamStatusSpecSchema = z.object({
  current: z.string().describe('The value the kernel has now, whitespace collapsed; empty when it has no such sysctl.'),
  wanted: z.string().describe('The value of the merged KernelParamSpec.'),
  default: z
    .string()
    .describe(
      'The value before the node first wrote it (put back when the spec goes away); equal to current until then.',
    ),
  layer: LayerSchema.describe('The layer the wanted value came from.'),
  unsupported: z.boolean().describe('True when the kernel (or this network namespace) has no such sysctl.'),
  state: KernelParamStateSchema.describe('Applied, Pending, Skipped, Unsupported or Failed.'),
  reason: z.string().describe("Why it is not Applied, in the kernel's words when it refused; empty when Applied."),
});

/** The inferred spec type. */
export type KernelParamStatusSpec = z.infer<typeof KernelParamStatusSpecSchema>;

/** The KernelParamStatus type (`osctl get sysctls`). */
export const KernelParamStatusType = defineResource({
  type: 'KernelParamStatus',
  schema: KernelParamStatusSpecSchema,
  defaultNamespace: RUNTIME_NAMESPACE,
  aliases: ['sysctls', 'sysctl', 'kernelparamstatuses', 'kernelparams'],
  printColumns: [
    { name: 'Current', jsonPath: '{.current}' },
    { name: 'Wanted', jsonPath: '{.wanted}' },
    { name: 'Default', jsonPath: '{.default}' },
    { name: 'Layer', jsonPath: '{.layer}' },
    { name: 'State', jsonPath: '{.state}' },
    { name: 'Reason', jsonPath: '{.reason}' },
  ],
});
