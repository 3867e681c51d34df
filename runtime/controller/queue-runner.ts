// Runs one queue controller: a deduplicated key queue, workers that never hold one key twice, per-key backoff and requeues.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { pointerString, type Pointer } from '../../resources/index.js';
import { Backoff } from './backoff.js';
import { aborted } from './clock.js';
import { createControllerContext, type ControllerContext } from './context.js';
import type { ControllerDeclaration } from './declaration.js';
import { errorMessage } from './logger.js';
import { isRequeue, type QueueController } from './queue.js';
import type { ControllerStats, Runner, RunnerEnv } from './runner.js';
import { Wakeup } from './wakeup.js';

/** A key waiting out a delay: a crash backoff (signals wait for it) or a requeue (a signal runs the key at once). */
interface Hold {
  readonly key: Pointer;
  readonly reason: 'backoff' | 'requeue';
  readonly timer: AbortController;
}

/** The runner of one {@link QueueController}. */
export class QueueRunner implements Runner {
  readonly stats: ControllerStats = { reconciles: 0, crashes: 0, running: false };
  private readonly ready = new Map<string, Pointer>();
  private readonly inFlight = new Set<string>();
  /** Keys signalled while in flight: they go back to the queue when they finish. */
  private readonly dirty = new Map<string, Pointer>();
  private readonly held = new Map<string, Hold>();
  private readonly backoffs = new Map<string, Backoff>();
  private readonly mapping = new Set<Promise<void>>();
  private readonly wakeup = new Wakeup();
  private stopped = false;

  constructor(
    private readonly controller: QueueController,
    private readonly env: RunnerEnv,
  ) {}

  get decl(): ControllerDeclaration {
    return this.controller;
  }

  notify(ptr: Pointer): void {
    if (this.stopped) return;
    let keys: Pointer[] | Promise<Pointer[]>;
    try {
      keys = this.controller.mapInput(ptr);
    } catch (e) {
      this.mapFailed(ptr, e);
      return;
    }
    if (Array.isArray(keys)) {
      for (const k of keys) this.add(k);
      return;
    }
    const p = keys.then(
      (ks) => {
        for (const k of ks) this.add(k);
      },
      (e: unknown) => {
        this.mapFailed(ptr, e);
      },
    );
    this.mapping.add(p);
    void p.finally(() => this.mapping.delete(p));
  }

  resync(gone: readonly Pointer[]): void {
    // The re-bootstrap delivers every present resource; the ones gone meanwhile are announced here.
    for (const ptr of gone) this.notify(ptr);
  }

  async run(signal: AbortSignal): Promise<void> {
    const ctx = createControllerContext(this.env.state, this.controller, signal);
    const workers = Math.max(1, Math.floor(this.controller.concurrency ?? 1));
    this.stats.running = true;
    try {
      await Promise.all(Array.from({ length: workers }, () => this.work(ctx, signal)));
    } finally {
      this.stopped = true;
      this.stats.running = false;
      for (const h of this.held.values()) h.timer.abort();
      this.held.clear();
      await Promise.allSettled([...this.mapping]);
    }
  }

  /** Queues `key` unless it is in flight (then it is marked dirty) or waiting out a backoff (which it then joins). */
  private add(key: Pointer): void {
    if (this.stopped) return;
    const k = pointerString(key);
    if (this.inFlight.has(k)) {
      this.dirty.set(k, key);
      return;
    }
    const h = this.held.get(k);
    if (h !== undefined) {
      if (h.reason === 'backoff') return;
      this.held.delete(k);
      h.timer.abort();
    }
    this.ready.set(k, key);
    this.wakeup.fire();
  }

  private take(): [string, Pointer] | undefined {
    for (const entry of this.ready) {
      this.ready.delete(entry[0]);
      return entry;
    }
    return undefined;
  }

  private async work(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    while (!aborted(signal)) {
      const next = this.take();
      if (next === undefined) {
        await this.wakeup.wait(signal);
        continue;
      }
      const [k, key] = next;
      this.inFlight.add(k);
      try {
        await nextTurn();
        if (aborted(signal)) break;
        await this.reconcile(ctx, signal, k, key);
      } finally {
        this.inFlight.delete(k);
      }
      const again = this.dirty.get(k);
      if (again !== undefined) {
        this.dirty.delete(k);
        this.add(again);
      }
    }
  }

  private async reconcile(ctx: ControllerContext, signal: AbortSignal, k: string, key: Pointer): Promise<void> {
    this.stats.reconciles++;
    try {
      const result = await this.controller.reconcileKey(ctx, key);
      this.backoffs.delete(k);
      if (isRequeue(result)) this.hold(k, key, 'requeue', result.requeueAfterMs);
    } catch (e) {
      if (aborted(signal)) return;
      let b = this.backoffs.get(k);
      if (b === undefined) {
        b = new Backoff(this.env.backoff, this.env.random);
        this.backoffs.set(k, b);
      }
      const delay = b.next();
      this.stats.crashes++;
      this.stats.lastError = `${k}: ${errorMessage(e)}`;
      this.env.logger.log(
        'error',
        this.controller.name,
        `reconcile of ${k} failed (${b.failures} in a row), retrying in ${Math.round(delay)} ms: ${errorMessage(e)}`,
      );
      // A signal that came while it ran waits for the backoff too.
      this.dirty.delete(k);
      this.hold(k, key, 'backoff', delay);
    }
  }

  private hold(k: string, key: Pointer, reason: Hold['reason'], ms: number): void {
    const timer = new AbortController();
    this.held.set(k, { key, reason, timer });
    void this.env.clock.sleep(ms, timer.signal).then(() => {
      if (this.held.get(k)?.timer !== timer) return;
      this.held.delete(k);
      this.ready.set(k, key);
      this.wakeup.fire();
    });
  }

  private mapFailed(ptr: Pointer, e: unknown): void {
    this.stats.crashes++;
    this.stats.lastError = `mapInput(${pointerString(ptr)}): ${errorMessage(e)}`;
    this.env.logger.log('error', this.controller.name, this.stats.lastError);
  }
}
