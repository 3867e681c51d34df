// machined: opens the node's store, acquires its config (or enters maintenance mode), runs the controllers, and
// walks the boot stages (booting -> maintenance -> running -> rebooting | shutting down).
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Observable } from 'rxjs';
import {
  ACTIVE_CONFIG_ID,
  ALL_TYPES,
  CONFIG_NAMESPACE,
  MACHINE_ID,
  MachineConfigType,
  MachineStageType,
  NAMESPACES,
  PERSISTENT_NAMESPACES,
  RUNTIME_NAMESPACE,
  openPersistentState,
  putResource,
  type InMemoryState,
  type MachineConfigDocument,
  type MachineStageName,
  type ValidationMode,
} from '../../resources/index.js';
import { ControllerRuntime, errorMessage, silentLogger, type Controller, type Logger } from '../controller/index.js';
import { acquireConfig, type Acquired } from './acquire.js';
import { NodeApi } from './api.js';
import { ConfigApplier } from './apply.js';
import { MACHINED_OWNER, PERSISTENT_ID, readConfig, removeConfig, writeConfig } from './config-store.js';
import { MachinedOps } from './node-ops.js';
import { NodeServices } from './services.js';
import { NodeTrustd } from './trustd.js';

/** Options of {@link startMachined}. */
export interface MachinedOptions {
  /** The node's state directory: the journal lives in `<stateDir>/state`, logs in `<stateDir>/logs`. */
  readonly stateDir: string;
  /** `--config FILE`, used when no config is persisted. */
  readonly configPath?: string;
  /** The kernel command line text, searched for `talos.config=` when neither of the above gives a config. */
  readonly cmdline?: string;
  /** The validation mode of this platform. */
  readonly mode: ValidationMode;
  readonly controllers: readonly Controller[];
  readonly logger?: Logger;
  /** Called once the node has stopped for a reboot (an applied config or the API asked for it). */
  readonly onReboot?: () => void;
  /** Called once the node has stopped for a shutdown the API asked for. */
  readonly onShutdown?: () => void;
  /**
   * Serve the node API here; without it the node serves no API (and writes no ApiStatus). `trustdWaiting`: on a node
   * whose controllers ask trustd for the API certificate (a worker), why it has not come yet (NodeApiOptions).
   */
  readonly api?: { readonly host: string; readonly port: number; readonly trustdWaiting?: Observable<string> };
  /** Serve trustd (the CSR signer for workers) here while the node holds the OS CA key; off unless given. */
  readonly trustd?: { readonly host: string; readonly port: number };
  /** Run the node's services (containerd, then the config's extension services); off unless given. */
  readonly services?: { readonly restartDelayMs?: number };
}

/** A running machined. */
export interface Machined {
  readonly state: InMemoryState;
  readonly runtime: ControllerRuntime;
  readonly applier: ConfigApplier;
  /** How the config was found at start. */
  readonly acquired: Acquired;
  /** The node API, when `api` was given. */
  readonly api: NodeApi | undefined;
  /** The node's services, when `services` was given. */
  readonly services: NodeServices | undefined;
  /** trustd, when `trustd` was given (it serves only on a node holding the OS CA key). */
  readonly trustd: NodeTrustd | undefined;
  /** Stops the node (stage `shutting down`), waiting for the controllers; idempotent. */
  shutdown(): Promise<void>;
  /** Stops the node for a reboot (stage `rebooting`), then calls `onReboot` (once, however often it is called). */
  reboot(): Promise<void>;
}

async function setStage(state: InMemoryState, stage: MachineStageName): Promise<void> {
  const ptr = { namespace: RUNTIME_NAMESPACE, type: MachineStageType.type, id: MACHINE_ID };
  await putResource(state, ptr, { stage }, { owner: MACHINED_OWNER });
}

/** Opens the store, acquires the config, starts every controller, and returns once the node is running or in maintenance. */
export async function startMachined(o: MachinedOptions): Promise<Machined> {
  const logger = o.logger ?? silentLogger;
  const state = await openPersistentState({
    dir: join(o.stateDir, 'state'),
    namespaces: PERSISTENT_NAMESPACES,
    types: ALL_TYPES,
  });
  for (const ns of NAMESPACES) await state.registerNamespace(ns.name, ns.description);
  await setStage(state, 'booting');

  const runtime = new ControllerRuntime(state, { logger });
  for (const c of o.controllers) runtime.register(c);
  const ac = new AbortController();
  const running = runtime.run(ac.signal);
  const services =
    o.services === undefined
      ? undefined
      : new NodeServices({
          stateDir: o.stateDir,
          state,
          logger,
          ...(o.services.restartDelayMs === undefined ? {} : { restartDelayMs: o.services.restartDelayMs }),
        });
  services?.start();

  let api: NodeApi | undefined;
  let trustd: NodeTrustd | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (stage: MachineStageName): Promise<void> => {
    stopping ??= (async () => {
      logger.log('info', 'machined', `stage ${stage}`);
      await setStage(state, stage);
      applier.close();
      // The API goes first: replies already sent (a Reboot's, a Shutdown's) are flushed, open streams end.
      await api?.close();
      await trustd?.close();
      await services?.shutdown();
      ac.abort();
      await running;
    })();
    return stopping;
  };
  let rebooting: Promise<void> | undefined;
  const reboot = (): Promise<void> => {
    rebooting ??= stop('rebooting').then(() => o.onReboot?.());
    return rebooting;
  };
  const applier = new ConfigApplier(state, {
    mode: o.mode,
    logger,
    reboot: () => {
      void reboot();
    },
  });

  const nodeOps = (config: () => MachineConfigDocument | undefined): MachinedOps =>
    new MachinedOps({
      stateDir: o.stateDir,
      mode: o.mode,
      applier,
      config,
      reboot: () => {
        void reboot();
      },
      shutdown: () => {
        void stop('shutting down').then(() => o.onShutdown?.());
      },
      ...(services === undefined ? {} : { services }),
    });
  let acquired: Acquired;
  try {
    acquired = await acquireConfig({
      persisted: (await readConfig(state, PERSISTENT_ID))?.spec,
      ...(o.configPath === undefined ? {} : { configPath: o.configPath }),
      ...(o.cmdline === undefined ? {} : { cmdline: o.cmdline }),
      mode: o.mode,
    });
  } catch (e) {
    await stop('shutting down');
    throw e;
  }
  for (const w of acquired.warnings) logger.log('warn', 'machined', `config ${w.path}: ${w.message}`);
  if (acquired.source === 'persisted' && o.configPath !== undefined) {
    logger.log(
      'warn',
      'machined',
      `--config ${o.configPath} ignored: the node has a persisted config (apply a new one instead)`,
    );
  }

  if (acquired.config === undefined) {
    // Maintenance mode: nothing from an earlier run is active; the first applied config starts the node.
    await removeConfig(state, ACTIVE_CONFIG_ID);
  } else {
    const doc = acquired.config;
    await writeConfig(state, ACTIVE_CONFIG_ID, doc);
    const persist = (doc as { persist?: boolean }).persist !== false;
    if (persist) await writeConfig(state, PERSISTENT_ID, doc);
    else await removeConfig(state, PERSISTENT_ID);
  }
  // A worker trustd signed for is recorded in the cluster's etcd, so every control plane lists it as a Member. A
  // worker may ask before this node's etcd is up: retried with backoff for a few minutes.
  const signed = (worker: { readonly hostname: string; readonly addresses: readonly string[] }): void => {
    void (async () => {
      for (let delay = 500; !ac.signal.aborted; delay = Math.min(delay * 2, 15_000)) {
        try {
          await services?.members.recordWorker(worker, ac.signal);
          return;
        } catch (e) {
          if (delay >= 15_000) {
            logger.log('warn', 'members', `cannot record worker ${worker.hostname}: ${errorMessage(e)}`);
            return;
          }
          await sleep(delay, undefined, { signal: ac.signal }).catch(() => undefined);
        }
      }
    })();
  };
  if (o.trustd !== undefined) trustd = NodeTrustd.start({ state, ...o.trustd, logger, signed });
  if (o.api !== undefined) {
    // Started before the stage changes, so that MachineStatus never reports a node ready whose API cannot serve.
    try {
      api = await NodeApi.start({ state, ...o.api, logger, ops: (config) => nodeOps(config) });
    } catch (e) {
      await stop('shutting down');
      throw e;
    }
  }

  if (services !== undefined) {
    // Extension services follow the active config, whichever way it arrives (at start, applied, reverted).
    const sub = state
      .watch({ namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID })
      .subscribe((e) => {
        if (e.type === 'created' || e.type === 'updated' || e.type === 'destroyed') {
          void services.applyConfig(e.type === 'destroyed' ? undefined : (e.resource.spec as MachineConfigDocument));
        }
      });
    ac.signal.addEventListener(
      'abort',
      () => {
        sub.unsubscribe();
      },
      { once: true },
    );
  }

  if (acquired.config === undefined) {
    await setStage(state, 'maintenance');
    logger.log('info', 'machined', 'no machine config: maintenance mode, waiting for apply-config');
    const sub = state
      .watch({ namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID })
      .subscribe((e) => {
        if (e.type !== 'created' || stopping !== undefined) return;
        sub.unsubscribe();
        setStage(state, 'running').catch((err: unknown) => {
          logger.log('error', 'machined', `cannot leave maintenance mode: ${String(err)}`);
        });
      });
    ac.signal.addEventListener(
      'abort',
      () => {
        sub.unsubscribe();
      },
      { once: true },
    );
  } else {
    logger.log('info', 'machined', `config from ${acquired.location ?? acquired.source}; stage running`);
    await setStage(state, 'running');
  }

  return { state, runtime, applier, acquired, api, services, trustd, shutdown: () => stop('shutting down'), reboot };
}
