// KernelModuleStatus: whether a wanted kernel module is in the kernel, or why not (namespace `runtime`, id: the module name).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { RUNTIME_NAMESPACE } from '../runtime/machine-stage.js';

/**
 * Loaded: the module is in the kernel (loaded now, before, or built in). Skipped: not loaded on purpose (modules are
 * global: a node sharing its kernel never loads one). Failed: modprobe failed (reason: its message).
 */
export const KernelModuleStateSchema = z.enum(['Loaded', 'Skipped', 'Failed']);

/** A KernelModuleStatus state. */
export type KernelModuleState = z.infer<typeof KernelModuleStateSchema>;

/** Spec of KernelModuleStatus. */
export const KernelModuleStatusSpecSchema = z.object({
  state: KernelModuleStateSchema.describe('Loaded, Skipped or Failed.'),
  parameters: z.array(z.string()).describe('The parameters it was asked to load with.'),
  reason: z
    .string()
    .describe("Why it is not loaded (modprobe's own message), or how it came to be, e.g. 'built into the kernel'."),
});

/** The inferred spec type. */
export type KernelModuleStatusSpec = z.infer<typeof KernelModuleStatusSpecSchema>;

/** The KernelModuleStatus type (`osctl get modules`). */
export const KernelModuleStatusType = defineResource({
  type: 'KernelModuleStatus',
  schema: KernelModuleStatusSpecSchema,
  defaultNamespace: RUNTIME_NAMESPACE,
  aliases: ['modules', 'module', 'kernelmodules', 'kernelmodulestatuses'],
  printColumns: [
    { name: 'State', jsonPath: '{.state}' },
    { name: 'Reason', jsonPath: '{.reason}' },
  ],
});
