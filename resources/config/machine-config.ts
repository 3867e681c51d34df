// MachineConfig: the machine configuration document as the node holds it (namespace `config`; ids `v1alpha1` and `persistent`).
import { defineResource } from '../resource-type.js';
import { MachineConfigSpecSchema, type MachineConfigDocument } from './v1alpha1/index.js';

/** The namespace of configuration resources; journaled to disk. */
export const CONFIG_NAMESPACE = 'config';

/** The id of the active machine configuration. */
export const ACTIVE_CONFIG_ID = 'v1alpha1';

/** The id of the machine configuration kept on disk for the next start. */
export const PERSISTENT_CONFIG_ID = 'persistent';

/** The v1alpha1 document schema (resources/config/v1alpha1), which the store validates MachineConfig specs with. */
export { MachineConfigSpecSchema };

/** The spec of a MachineConfig: a validated v1alpha1 document. */
export type MachineConfigSpec = MachineConfigDocument;

/** The MachineConfig type: sensitive (it holds keys and tokens). */
export const MachineConfigType = defineResource({
  type: 'MachineConfig',
  schema: MachineConfigSpecSchema,
  defaultNamespace: CONFIG_NAMESPACE,
  aliases: ['machineconfigs', 'mc'],
  sensitive: true,
});
