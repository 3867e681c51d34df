// machined: opens the node's store under its state directory, applies the machine config, and runs the controllers.
import { join } from 'node:path';
import {
  ACTIVE_CONFIG_ID,
  ALL_TYPES,
  CONFIG_NAMESPACE,
  MachineConfigType,
  NAMESPACES,
  PERSISTENT_NAMESPACES,
  isNotFound,
  openPersistentState,
  type InMemoryState,
  type Resource,
} from '../../resources/index.js';
import { ControllerRuntime, type Controller, type Logger } from '../controller/index.js';

/** Options of {@link startMachined}. */
export interface MachinedOptions {
  /** The node's state directory; the journal lives in `<stateDir>/state`. */
  readonly stateDir: string;
  /** The config document to apply at start (already parsed); without it the persisted config is used. */
  readonly config?: unknown;
  readonly controllers: readonly Controller[];
  readonly logger?: Logger;
}

/** A running machined. */
export interface Machined {
  readonly state: InMemoryState;
  readonly runtime: ControllerRuntime;
  /** Stops the controllers and waits for them; idempotent. */
  stop(): Promise<void>;
}

/** Creates or updates the active MachineConfig; an invalid document is refused by the store naming each field. */
async function applyConfig(state: InMemoryState, doc: unknown): Promise<Resource> {
  const ptr = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
  const cur = await state.get(ptr).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
  if (cur === undefined) return state.create({ metadata: ptr, spec: doc });
  return state.update({ metadata: { ...ptr, version: cur.metadata.version }, spec: doc });
}

/** Opens the store, applies the config (if given), and starts every controller. */
export async function startMachined(o: MachinedOptions): Promise<Machined> {
  const state = await openPersistentState({
    dir: join(o.stateDir, 'state'),
    namespaces: PERSISTENT_NAMESPACES,
    types: ALL_TYPES,
  });
  for (const ns of NAMESPACES) await state.registerNamespace(ns.name, ns.description);
  if (o.config !== undefined) await applyConfig(state, o.config);
  const runtime = new ControllerRuntime(state, o.logger === undefined ? {} : { logger: o.logger });
  for (const c of o.controllers) runtime.register(c);
  const ac = new AbortController();
  const running = runtime.run(ac.signal);
  let stopping: Promise<void> | undefined;
  return {
    state,
    runtime,
    stop: () => {
      stopping ??= (async () => {
        ac.abort();
        await running;
      })();
      return stopping;
    },
  };
}
