// Runners: what the shared watches wake (the plain-controller loop is here; queue controllers have their own runner).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Pointer, State } from '../../resources/index.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { aborted, type Clock } from './clock.js';
import { createControllerContext, type ControllerContext } from './context.js';
import type { Controller } from './controller.js';
import type { ControllerDeclaration } from './declaration.js';
import { errorMessage, type Logger } from './logger.js';
import { Wakeup } from './wakeup.js';

/** Counters of one controller. `running` is true while the runtime runs it and it is not waiting out a crash backoff. */
export interface ControllerStats {
  reconciles: number;
  crashes: number;
  lastError?: string;
  running: boolean;
}

/** What a runner needs from the runtime. */
export interface RunnerEnv {
  readonly state: State;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly backoff: BackoffOptions;
  readonly random: () => number;
}

/** A running controller as the shared watches see it. */
export interface Runner {
  readonly decl: ControllerDeclaration;
  readonly stats: ControllerStats;
  /** A resource matching one of the controller's inputs changed (or was delivered by a bootstrap). */
  notify(ptr: Pointer): void;
  /** The watch of `kind` was re-bootstrapped: changes may have been missed; `gone` were seen before and are absent now. */
  resync(gone: readonly Pointer[]): void;
  /** Runs until `signal` aborts; never rejects. */
  run(signal: AbortSignal): Promise<void>;
}

/** Runs one plain controller: reconcile once at start, then once per batch of coalesced signals; restarts after a crash with backoff. */
export class ControllerRunner implements Runner {
  readonly stats: ControllerStats = { reconciles: 0, crashes: 0, running: false };
  private pending = true;
  private readonly wakeup = new Wakeup();

  constructor(
    private readonly controller: Controller,
    private readonly env: RunnerEnv,
  ) {}

  get decl(): ControllerDeclaration {
    return this.controller;
  }

  notify(): void {
    this.pending = true;
    this.wakeup.fire();
  }

  resync(): void {
    this.notify();
  }

  async run(signal: AbortSignal): Promise<void> {
    const { clock, logger } = this.env;
    const name = this.controller.name;
    const ctx: ControllerContext = createControllerContext(this.env.state, this.controller, signal);
    const backoff = new Backoff(this.env.backoff, this.env.random);
    this.stats.running = true;
    const outside = this.watchOutside(signal);
    try {
      while (!aborted(signal)) {
        if (!this.pending) {
          await this.wakeup.wait(signal);
          continue;
        }
        // Let timers and I/O run between passes: an in-memory store answers in microtasks only.
        await nextTurn();
        if (aborted(signal)) break;
        this.pending = false;
        this.stats.reconciles++;
        try {
          await this.controller.reconcile(ctx);
          backoff.reset();
        } catch (e) {
          // An abort is a clean exit, whatever the pass threw on its way out.
          if (aborted(signal)) break;
          const delay = backoff.next();
          this.stats.crashes++;
          this.stats.lastError = errorMessage(e);
          logger.log(
            'error',
            name,
            `reconcile failed (crash ${this.stats.crashes}), retrying in ${Math.round(delay)} ms: ${this.stats.lastError}`,
          );
          this.pending = true;
          this.stats.running = false;
          await clock.sleep(delay, signal);
          this.stats.running = true;
        }
      }
    } finally {
      this.stats.running = false;
      await outside;
    }
  }

  /** Runs the controller's outside event source until abort, restarting it with backoff (resyncing) when it ends. */
  private async watchOutside(signal: AbortSignal): Promise<void> {
    const source = this.controller.watchOutside?.bind(this.controller);
    if (source === undefined) return;
    const backoff = new Backoff(this.env.backoff, this.env.random);
    while (!aborted(signal)) {
      try {
        await source(signal, () => {
          this.notify();
        });
        if (aborted(signal)) return;
        this.env.logger.log('warn', this.controller.name, 'outside event source ended; restarting it');
      } catch (e) {
        if (aborted(signal)) return;
        this.env.logger.log('error', this.controller.name, `outside event source failed: ${errorMessage(e)}`);
      }
      // Events may have been missed while the source was down: a pass re-reads the outside world.
      this.notify();
      await this.env.clock.sleep(backoff.next(), signal);
    }
  }
}
