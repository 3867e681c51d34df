// The service supervisor: registers system services, starts them in dependency order, and stops them in reverse.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, InvariantError, NotFoundError } from '../../resources/index.js';
import { errorMessage, realClock, type Clock, type LogLevel } from '../controller/index.js';
import { findCycle, stopDependentsFirst } from './dependencies.js';
import { ServiceInstance, type LifecycleContext } from './lifecycle.js';
import { DEFAULT_LOG_MAX_BYTES, ServiceLogWriter } from './log-writer.js';
import { DEFAULT_RESTART_BACKOFF, type RestartBackoffOptions } from './restart.js';
import {
  SERVICE_DEFAULTS,
  checkDefinition,
  type ServiceDefinition,
  type ServiceEvent,
  type ServiceSnapshot,
} from './service.js';
import type { ServiceStatus } from './status.js';

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  /** Where each service's log goes, as `<id>.log` and the rotated `<id>.log.1`; created if missing. */
  readonly logDir: string;
  /** Time for restart delays and health checks; the real clock by default. */
  readonly clock?: Clock;
  /** A service's log file is rotated before it would exceed this (default 8 MiB). */
  readonly logMaxBytes?: number;
  /** Receives a line for every event (`containerd Running: started, pid 12`); silent by default. */
  readonly logger?: SupervisorLogger;
  /** The restart delay of services whose definition gives none (default 5000 ms). */
  readonly restartDelayMs?: number;
  readonly restartBackoff?: Partial<RestartBackoffOptions>;
}

/** Where the supervisor reports events and its own troubles, one line per call. */
export type SupervisorLogger = (level: LogLevel, msg: string) => void;

/** Options of {@link Supervisor.shutdown}. */
export interface ShutdownOptions {
  /** After this, the services still up go down with SIGKILL, in the same order, instead of waiting out their grace. */
  readonly timeoutMs: number;
}

/** Called with a service's snapshot after each of its state or health changes. */
export type SnapshotListener = (snapshot: ServiceSnapshot) => void;

/**
 * Runs the node's system services. Each has a lifecycle of its own (see {@link ServiceDefinition}); the supervisor
 * holds them, answers for them by id, and reports every change to its subscribers. Dependencies order starts only:
 * as in Talos, a dependency that stops or dies later leaves its dependents running, and a manual `stop` stops that
 * service alone; only `shutdown` stops dependents before what they depend on.
 */
export class Supervisor {
  private readonly services = new Map<string, ServiceInstance>();
  private readonly logs = new Map<string, ServiceLogWriter>();
  private readonly listeners = new Set<SnapshotListener>();
  private waiters = new Set<() => void>();
  private readonly clock: Clock;
  private readonly logger: SupervisorLogger;
  private readonly backoff: RestartBackoffOptions;
  private closing = false;

  constructor(private readonly o: SupervisorOptions) {
    if (o.restartDelayMs !== undefined && !(o.restartDelayMs >= 0)) {
      throw new InvariantError(`supervisor restartDelayMs=${o.restartDelayMs}: need a number >= 0`);
    }
    this.clock = o.clock ?? realClock;
    this.logger = o.logger ?? (() => undefined);
    this.backoff = { ...DEFAULT_RESTART_BACKOFF, ...o.restartBackoff };
    mkdirSync(o.logDir, { recursive: true, mode: 0o700 });
  }

  /** Adds a service (in state Initialized); throws an InvariantError for a malformed definition or a duplicate id. */
  register(def: ServiceDefinition): void {
    this.checkOpen();
    checkDefinition(def);
    if (this.services.has(def.id)) throw new InvariantError(`service ${JSON.stringify(def.id)} is registered twice`);
    const log = new ServiceLogWriter(join(this.o.logDir, `${def.id}.log`), {
      maxBytes: this.o.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES,
      onError: (e) => {
        this.logger('warn', `${def.id}: cannot write its log: ${e.message}`);
      },
    });
    const ctx: LifecycleContext = {
      clock: this.clock,
      backoff: this.backoff,
      restartDelayMs: this.o.restartDelayMs ?? SERVICE_DEFAULTS.restartDelayMs,
      log,
      dependencyBlocker: (id) => this.blocker(id),
      changed: (signal) => this.changed(signal),
      notify: () => {
        this.notify();
      },
    };
    this.logs.set(def.id, log);
    this.services.set(
      def.id,
      new ServiceInstance(def, ctx, (status, event) => {
        this.onChange(status, event);
      }),
    );
  }

  /**
   * Stops a service (as {@link stop}) and forgets it; its log files stay. Services that depend on it keep running, and
   * ones still waiting wait for it to be registered again. NotFoundError for an unknown id.
   */
  async unregister(id: string): Promise<void> {
    const inst = this.instance(id);
    while (inst.isActive) await inst.deactivate(); // a start meanwhile would leave it running unseen
    if (this.services.get(id) !== inst) return; // unregistered meanwhile by another call
    this.services.delete(id);
    this.logs.get(id)?.close();
    this.logs.delete(id);
    this.notify();
  }

  /**
   * Starts every registered service; each waits for its dependencies and conditions in state Waiting. Throws, before
   * starting anything, when a dependency is not registered (NotFoundError) or the dependencies form a cycle.
   */
  startAll(): void {
    this.checkOpen();
    for (const inst of this.services.values()) this.checkDependencies(inst.def);
    const cycle = findCycle(this.dependencies());
    if (cycle !== undefined)
      throw new InvariantError(`services depend on each other in a cycle: ${cycle.join(' -> ')}`);
    for (const inst of this.services.values()) inst.activate();
  }

  /** Starts one service (it waits for its dependencies but does not start them); a pending restart happens now. */
  start(id: string): Promise<string> {
    return new Promise((resolve) => {
      const inst = this.instance(id);
      this.checkOpen();
      this.checkDependencies(inst.def);
      if (inst.activate()) {
        resolve(`starting service ${id}`);
        return;
      }
      const state = inst.status.state;
      resolve(
        state === 'Failed' || state === 'Finished'
          ? `restarting service ${id} now`
          : `service ${id} is already started (${state})`,
      );
    });
  }

  /** Stops one service (SIGTERM, SIGKILL after its grace) and resolves once it is down. Dependents keep running. */
  async stop(id: string): Promise<string> {
    const inst = this.instance(id);
    const state = inst.status.state;
    return (await inst.deactivate()) ? `stopped service ${id}` : `service ${id} is not running (${state})`;
  }

  /** Stops one service, then starts it again at once (no restart delay). */
  async restart(id: string): Promise<string> {
    const inst = this.instance(id);
    this.checkOpen();
    this.checkDependencies(inst.def);
    await inst.deactivate();
    this.checkOpen();
    inst.activate();
    return `restarted service ${id}`;
  }

  /** Snapshots of every service, in registration order. */
  list(): ServiceSnapshot[] {
    return [...this.services.values()].map((s) => s.status.snapshot());
  }

  /** The snapshot of one service; NotFoundError naming the known ids if there is none. */
  get(id: string): ServiceSnapshot {
    return this.instance(id).status.snapshot();
  }

  /** Calls `listener` after every state or health change, until the returned function is called. */
  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Stops every service, each after the services that depend on it (dependents first), each within its grace; once
   * `timeoutMs` has passed, the rest go down in the same order with SIGKILL instead of SIGTERM. Resolves when all are down; the supervisor then refuses starts.
   */
  async shutdown(o: ShutdownOptions): Promise<void> {
    this.closing = true;
    const timer = new AbortController();
    const deadline = this.clock.sleep(o.timeoutMs, timer.signal).then(() => {
      if (timer.signal.aborted) return;
      const left = [...this.services.values()].filter((s) => s.isActive).map((s) => s.def.id);
      this.logger('warn', `shutdown took over ${o.timeoutMs}ms; killing ${left.join(', ')}`);
      for (const inst of this.services.values()) inst.hurry();
    });
    await stopDependentsFirst(this.dependencies(), async (id) => {
      await this.services.get(id)?.deactivate();
    });
    timer.abort();
    await deadline;
    for (const log of this.logs.values()) log.close();
  }

  private dependencies(): Map<string, readonly string[]> {
    return new Map([...this.services].map(([id, s]) => [id, s.def.dependsOn ?? []]));
  }

  private instance(id: string): ServiceInstance {
    const inst = this.services.get(id);
    if (inst === undefined) {
      throw new NotFoundError(
        `no service ${JSON.stringify(id)}; the services are: ${[...this.services.keys()].join(', ')}`,
      );
    }
    return inst;
  }

  private checkOpen(): void {
    if (this.closing) throw new ConflictError('phase', 'the service supervisor is shutting down');
  }

  private checkDependencies(def: ServiceDefinition): void {
    for (const d of def.dependsOn ?? []) {
      if (!this.services.has(d)) {
        throw new NotFoundError(
          `service ${def.id} depends on ${JSON.stringify(d)}, which is not registered; the services are: ${[...this.services.keys()].join(', ')}`,
        );
      }
    }
  }

  /** What a dependent still waits for about service `id`: it must be Running, and healthy if it has a check. */
  private blocker(id: string): string | undefined {
    const dep = this.services.get(id);
    if (dep === undefined) return `service ${id} (not registered)`;
    const checked = dep.def.health !== undefined;
    if (dep.status.state === 'Running' && (!checked || dep.status.healthy === true)) return undefined;
    return `service ${id} to be running${checked ? ' and healthy' : ''}`;
  }

  private changed(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private notify(): void {
    const ws = this.waiters;
    this.waiters = new Set();
    for (const w of ws) w();
  }

  private onChange(status: ServiceStatus, event: ServiceEvent | undefined): void {
    if (event !== undefined) {
      const bad = event.state === 'Failed' || event.message.startsWith('unhealthy');
      this.logger(bad ? 'warn' : 'info', `${status.id} ${event.state}: ${event.message}`);
    }
    const snapshot = status.snapshot();
    for (const listener of [...this.listeners]) {
      try {
        listener(snapshot);
      } catch (e) {
        this.logger('warn', `a service listener threw: ${errorMessage(e)}`);
      }
    }
    this.notify();
  }
}
