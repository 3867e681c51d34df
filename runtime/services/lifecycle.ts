// The lifecycle of one service: prepare, wait, start, run with health checks, and restart by its policy until stopped.
import { errorMessage, type Clock } from '../controller/index.js';
import { runHealthChecks } from './health.js';
import { RestartBackoff, formatDelay, restartsAfter, type RestartBackoffOptions } from './restart.js';
import type { ExitInfo, LogSink, RunningHandle } from './runner.js';
import { SERVICE_DEFAULTS, type ServiceDefinition } from './service.js';
import { ServiceStatus, type StatusListener } from './status.js';

/** What a service's lifecycle needs from the supervisor. */
export interface LifecycleContext {
  readonly clock: Clock;
  readonly backoff: RestartBackoffOptions;
  /** The restart delay of services whose definition has none. */
  readonly restartDelayMs: number;
  /** The service's log. */
  readonly log: LogSink;
  /** What the service still waits for about dependency `id` (`service a to be running and healthy`), or undefined. */
  dependencyBlocker(id: string): string | undefined;
  /** Resolves at the next change of any service or condition, or when `signal` aborts. */
  changed(signal: AbortSignal): Promise<void>;
  /** Wakes everything waiting in `changed`. */
  notify(): void;
}

/** How one attempt to run the workload ended. */
type Outcome =
  | { readonly kind: 'stopped'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'exited'; readonly exit: ExitInfo; readonly ranMs: number };

const STOP = Symbol('stop');

/** Reads `signal.aborted` afresh (TypeScript keeps a narrowing of the property across awaits). */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/**
 * One registered service. `activate` starts its lifecycle; the lifecycle runs until the policy says it is over or
 * `deactivate`/`kill` ends it. All changes go through its {@link ServiceStatus}.
 */
export class ServiceInstance {
  readonly status: ServiceStatus;
  private active: { readonly ac: AbortController; readonly done: Promise<void> } | undefined;
  private handle: RunningHandle | undefined;
  private graceMs: number;
  private delay: AbortController | undefined;
  private readonly backoff: RestartBackoff;

  constructor(
    readonly def: ServiceDefinition,
    private readonly ctx: LifecycleContext,
    listener: StatusListener,
  ) {
    const description = def.description ?? def.runner.description;
    this.status = new ServiceStatus(def.id, description, def.dependsOn ?? [], ctx.clock, listener);
    this.graceMs = this.defaultGraceMs;
    this.backoff = new RestartBackoff(def.restartDelayMs ?? ctx.restartDelayMs, ctx.backoff);
  }

  /** The grace between SIGTERM and SIGKILL when this service is stopped. */
  get defaultGraceMs(): number {
    return this.def.stopGraceMs ?? SERVICE_DEFAULTS.stopGraceMs;
  }

  /** True from `activate` until the lifecycle has ended. */
  get isActive(): boolean {
    return this.active !== undefined;
  }

  /** Starts the lifecycle. When it is already active, cuts a pending restart delay short and returns false. */
  activate(): boolean {
    if (this.active !== undefined) {
      this.delay?.abort();
      return false;
    }
    const ac = new AbortController();
    this.graceMs = this.defaultGraceMs;
    const done = this.lifecycle(ac.signal)
      .catch((e: unknown) => {
        this.status.set('Failed', `supervisor error: ${errorMessage(e)}`);
      })
      .finally(() => {
        if (this.active?.ac === ac) this.active = undefined;
      });
    this.active = { ac, done };
    return true;
  }

  /** Ends the lifecycle (SIGTERM, SIGKILL after `graceMs`) and resolves once it has ended; false if it was not active. */
  async deactivate(graceMs = this.defaultGraceMs): Promise<boolean> {
    const a = this.active;
    if (a === undefined) return false;
    this.graceMs = Math.min(this.graceMs, graceMs);
    a.ac.abort();
    await a.done;
    return true;
  }

  /**
   * Shortens the grace to nothing: a workload being stopped gets SIGKILL now, and a later stop sends SIGKILL at once.
   * It does not stop the service by itself (shutdown still stops services in order, only faster).
   */
  hurry(): void {
    this.graceMs = 0;
    if (this.active?.ac.signal.aborted === true) this.handle?.stop(0).catch(() => undefined);
  }

  private async lifecycle(signal: AbortSignal): Promise<void> {
    const skip = this.def.skip?.();
    if (skip !== undefined) {
      this.status.set('Skipped', skip);
      return;
    }
    for (;;) {
      const outcome = await this.runOnce(signal);
      if (outcome.kind === 'stopped') {
        this.status.set('Finished', outcome.message);
        return;
      }
      const exit = outcome.kind === 'exited' ? outcome.exit : undefined;
      const state = exit?.code === 0 ? 'Finished' : 'Failed';
      const message = outcome.kind === 'exited' ? outcome.exit.reason : outcome.message;
      if (!restartsAfter(this.def.restart, exit)) {
        this.status.set(state, message);
        return;
      }
      const delayMs = this.backoff.next(outcome.kind === 'exited' ? outcome.ranMs : 0);
      this.status.set(state, `${message}; restarting in ${formatDelay(delayMs)}`);
      this.delay = new AbortController();
      await this.ctx.clock.sleep(delayMs, AbortSignal.any([signal, this.delay.signal]));
      this.delay = undefined;
      if (signal.aborted) {
        this.status.set('Finished', 'stopped');
        return;
      }
      this.status.countRestart();
    }
  }

  /** One attempt: prepare, wait, start, run until it exits or is stopped. */
  private async runOnce(signal: AbortSignal): Promise<Outcome> {
    const stopped = (message: string): Outcome => ({ kind: 'stopped', message });
    const failed = (message: string): Outcome => ({ kind: 'failed', message });
    if (this.def.prepare !== undefined) {
      this.status.set('Preparing', 'preparing');
      try {
        await this.def.prepare(signal);
      } catch (e) {
        return isAborted(signal) ? stopped('stopped while preparing') : failed(errorMessage(e));
      }
      if (isAborted(signal)) return stopped('stopped while preparing');
    }
    const conditionFailure = await this.waitReady(signal);
    if (signal.aborted) return stopped('stopped while waiting');
    if (conditionFailure !== undefined) return failed(conditionFailure);
    this.status.set('Starting', `starting ${this.def.runner.description}`);
    let handle: RunningHandle;
    try {
      handle = await this.def.runner.start(this.ctx.log, signal);
    } catch (e) {
      return isAborted(signal) ? stopped('stopped while starting') : failed(errorMessage(e));
    }
    return this.supervise(handle, signal);
  }

  /** Watches a started workload until it exits or `signal` asks it to stop. */
  private async supervise(handle: RunningHandle, signal: AbortSignal): Promise<Outcome> {
    const startedMs = this.ctx.clock.now();
    this.handle = handle;
    this.status.setPid(handle.pid);
    const healthAc = new AbortController();
    let checks: Promise<void> = Promise.resolve();
    if (!signal.aborted) {
      this.status.set('Running', `started, pid ${handle.pid}`);
      if (this.def.health !== undefined) {
        checks = runHealthChecks(this.def.health, this.ctx.clock, healthAc.signal, (ok, message) => {
          this.status.setHealth(ok, message);
        });
      }
    }
    let onAbort = (): void => undefined;
    const stopAsked = new Promise<typeof STOP>((resolve) => {
      onAbort = () => {
        resolve(STOP);
      };
      if (signal.aborted) resolve(STOP);
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    const first = await Promise.race([handle.exited, stopAsked]);
    signal.removeEventListener('abort', onAbort);
    healthAc.abort();
    let exit: ExitInfo;
    if (first === STOP) {
      const grace = this.graceMs;
      const how = grace > 0 ? `SIGTERM, then SIGKILL after ${formatDelay(grace)}` : 'SIGKILL';
      this.status.set('Stopping', `stopping pid ${handle.pid}: ${how}`);
      exit = await handle.stop(grace);
    } else {
      exit = first;
    }
    await checks;
    this.handle = undefined;
    this.status.setPid(undefined);
    if (this.def.health !== undefined) this.status.setHealth(undefined, 'not running', true);
    if (first === STOP) return { kind: 'stopped', message: `stopped: ${exit.reason}` };
    return { kind: 'exited', exit, ranMs: this.ctx.clock.now() - startedMs };
  }

  /** Waits in state Waiting until every dependency is ready and every condition holds; returns why a condition failed. */
  private async waitReady(signal: AbortSignal): Promise<string | undefined> {
    const deps = this.def.dependsOn ?? [];
    const conditions = this.def.conditions ?? [];
    if (deps.length === 0 && conditions.length === 0) return undefined;
    const ac = new AbortController();
    const onAbort = (): void => {
      ac.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const pending = new Set(conditions.map((c) => c.name));
    let failure: string | undefined;
    for (const c of conditions) {
      c.wait(ac.signal).then(
        () => {
          pending.delete(c.name);
          this.ctx.notify();
        },
        (e: unknown) => {
          if (!ac.signal.aborted) failure ??= `condition ${c.name} failed: ${errorMessage(e)}`;
          this.ctx.notify();
        },
      );
    }
    try {
      let last = '';
      while (!signal.aborted && failure === undefined) {
        const blockers = deps.flatMap((d) => this.ctx.dependencyBlocker(d) ?? []);
        for (const c of conditions) if (pending.has(c.name)) blockers.push(`condition ${c.name}`);
        if (blockers.length === 0) return undefined;
        const message = `waiting for ${blockers.join(', ')}`;
        if (message !== last) this.status.set('Waiting', message);
        last = message;
        await this.ctx.changed(signal);
      }
      return failure;
    } finally {
      signal.removeEventListener('abort', onAbort);
      ac.abort();
    }
  }
}
