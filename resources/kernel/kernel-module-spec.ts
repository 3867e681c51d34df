// KernelModuleSpec: a kernel module the config asks for, with its parameters (namespace `runtime`, id: the module name).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { RUNTIME_NAMESPACE } from '../runtime/machine-stage.js';

/** Spec of KernelModuleSpec. */
export const KernelModuleSpecSpecSchema = z.object({
  name: z.string().min(1).describe('The module, as modprobe takes it, e.g. br_netfilter.'),
  parameters: z.array(z.string()).describe('Module parameters as name=value, passed to modprobe in order.'),
});

/** The inferred spec type. */
export type KernelModuleSpecSpec = z.infer<typeof KernelModuleSpecSpecSchema>;

/** The KernelModuleSpec type. */
export const KernelModuleSpecType = defineResource({
  type: 'KernelModuleSpec',
  schema: KernelModuleSpecSpecSchema,
  defaultNamespace: RUNTIME_NAMESPACE,
  aliases: ['kernelmodulespecs', 'modulespecs'],
  printColumns: [{ name: 'Parameters', jsonPath: '{.parameters}' }],
});
