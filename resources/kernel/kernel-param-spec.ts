// KernelParamSpec: a sysctl the node wants, with its value; layered in `runtime-config`, merged in `runtime` (id: the sysctl name).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { LayerSchema } from '../network/layer.js';
import { RUNTIME_NAMESPACE } from '../runtime/machine-stage.js';

/**
 * Where config controllers write layered kernel specs, ids prefixed with the layer (`default/kernel.kptr_restrict`);
 * merged specs live in `runtime`, as `network-config` feeds `network`.
 */
export const RUNTIME_CONFIG_NAMESPACE = 'runtime-config';

/** Spec of KernelParamSpec. */
export const KernelParamSpecSpecSchema = z.object({
  name: z.string().min(1).describe('The sysctl in its canonical dotted form, e.g. net.ipv4.ip_forward.'),
  value: z.string().describe('The value to write, as sysctl(8) takes it, e.g. 1 or "32768 60999".'),
  layer: LayerSchema.describe('The config layer: default (the hardening defaults) or configuration (machine.sysctls).'),
});

/** The inferred spec type. */
export type KernelParamSpecSpec = z.infer<typeof KernelParamSpecSpecSchema>;

/** The KernelParamSpec type. */
export const KernelParamSpecType = defineResource({
  type: 'KernelParamSpec',
  schema: KernelParamSpecSpecSchema,
  defaultNamespace: RUNTIME_NAMESPACE,
  aliases: ['kernelparamspecs', 'sysctlspecs'],
  printColumns: [
    { name: 'Value', jsonPath: '{.value}' },
    { name: 'Layer', jsonPath: '{.layer}' },
  ],
});
