// Reading and writing the node's MachineConfig resources: `v1alpha1` (active) and `persistent` (used at the next start).
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MachineConfigType,
  PERSISTENT_CONFIG_ID,
  isNotFound,
  putResource,
  type Resource,
  type State,
} from '../../resources/index.js';

/** The owner machined stamps on the config resources it writes. */
export const MACHINED_OWNER = 'machined';

/** The id of the config used at the next start (staged applies write only this one). */
export const PERSISTENT_ID = PERSISTENT_CONFIG_ID;

/** Which of the two config resources. */
export type ConfigSlot = typeof ACTIVE_CONFIG_ID | typeof PERSISTENT_ID;

function ptr(slot: ConfigSlot) {
  return { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: slot };
}

/** The config in `slot`, or undefined. */
export async function readConfig(state: State, slot: ConfigSlot): Promise<Resource | undefined> {
  try {
    return await state.get(ptr(slot));
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Creates or replaces the config in `slot`; the store validates it against the v1alpha1 schema. */
export async function writeConfig(state: State, slot: ConfigSlot, doc: unknown): Promise<Resource> {
  return putResource(state, ptr(slot), doc, { owner: MACHINED_OWNER });
}

/** Removes the config in `slot` if there is one. */
export async function removeConfig(state: State, slot: ConfigSlot): Promise<void> {
  if ((await readConfig(state, slot)) === undefined) return;
  await state.destroy(ptr(slot), { owner: MACHINED_OWNER });
}
