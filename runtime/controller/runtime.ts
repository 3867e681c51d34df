// The ControllerRuntime: registers controllers (checking names and output ownership), runs them over shared watches, reports stats.
import { setMaxListeners } from 'node:events';
import { InvariantError, kindString, type State } from '../../resources/index.js';
import { backoffOptions, type BackoffOptions } from './backoff.js';
import { realClock, type Clock } from './clock.js';
import { isControllerName, type Controller, type ControllerDeclaration, type OutputKind } from './controller.js';
import { dependencyGraph } from './graph.js';
import { errorMessage, silentLogger, type Logger } from './logger.js';
import type { QueueController } from './queue.js';
import { QueueRunner } from './queue-runner.js';
import { ControllerRunner, type ControllerStats, type Runner, type RunnerEnv } from './runner.js';
import { SharedWatch } from './watch.js';

/** Options of {@link ControllerRuntime}; everything has a production default. */
export interface RuntimeOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Restart backoff of crashing controllers and failing queue keys (default 100 ms doubling to 30 s, ±20%). */
  readonly backoff?: Partial<BackoffOptions>;
  /** Source of jitter in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

/** Who claims an output type, and how. */
interface Claim {
  readonly controller: string;
  readonly kind: OutputKind;
}

/**
 * Runs controllers against a State. Registration refuses duplicate names and conflicting output claims (one exclusive
 * owner per type, no mixing of exclusive and shared). `run` opens one shared watch per input kind, runs every controller
 * once, then again whenever a matching input changes, and restarts failing ones with backoff.
 */
export class ControllerRuntime {
  private readonly runners: Runner[] = [];
  private readonly claims = new Map<string, Claim[]>();
  private readonly watches = new Map<string, SharedWatch>();
  private readonly env: RunnerEnv;
  private started = false;

  constructor(state: State, opts: RuntimeOptions = {}) {
    this.env = {
      state,
      clock: opts.clock ?? realClock,
      logger: opts.logger ?? silentLogger,
      backoff: backoffOptions(opts.backoff),
      random: opts.random ?? Math.random,
    };
  }

  /** Adds a plain controller; throws InvariantError on a bad name, a duplicate or a conflicting output claim. */
  register(c: Controller): void {
    this.add(new ControllerRunner(c, this.env), false);
  }

  /** Adds a queue controller; the same checks as {@link register}. */
  registerQueue(q: QueueController): void {
    this.add(new QueueRunner(q, this.env), true);
  }

  /**
   * Runs every registered controller until `signal` aborts, then resolves once all have stopped and every watch is
   * closed. Rejects only when a watch cannot be opened at start (e.g. an input type the store does not know).
   */
  async run(outer: AbortSignal): Promise<void> {
    if (this.started) throw new InvariantError('ControllerRuntime.run called twice: a runtime runs once');
    this.started = true;
    // Every runner and watch listens on the runtime's signal; a signal of our own keeps that many listeners from
    // tripping Node's leak warning on the caller's signal (10 by default).
    const inner = new AbortController();
    setMaxListeners(0, inner.signal);
    const signal = inner.signal;
    const abort = (): void => {
      inner.abort();
    };
    if (outer.aborted) abort();
    else outer.addEventListener('abort', abort, { once: true });
    const watches = [...this.watches.values()];
    try {
      for (const w of watches) await w.open();
    } catch (e) {
      for (const w of watches) w.close();
      outer.removeEventListener('abort', abort);
      throw e;
    }
    const tasks = [...watches.map((w) => w.run(signal)), ...this.runners.map((r) => r.run(signal))];
    const results = await Promise.allSettled(tasks);
    for (const w of watches) w.close();
    outer.removeEventListener('abort', abort);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      throw new InvariantError(
        `controller runtime stopped with ${failed.length} internal failure(s): ${failed.map((f) => errorMessage(f.reason)).join('; ')}`,
      );
    }
  }

  /** A snapshot of every controller's counters, by name. */
  stats(): Map<string, ControllerStats> {
    const out = new Map<string, ControllerStats>();
    for (const r of this.runners) out.set(r.decl.name, { ...r.stats });
    return out;
  }

  /** Times each watched kind (`namespace/type`) fell behind the store's history and was re-bootstrapped. */
  watchOverruns(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [k, w] of this.watches) out.set(k, w.overruns);
    return out;
  }

  /** The controllers and types as a Graphviz DOT digraph (see {@link dependencyGraph}). */
  dependencyGraph(): string {
    return dependencyGraph(this.runners.map((r) => r.decl));
  }

  private add(runner: Runner, tracksGone: boolean): void {
    const d = runner.decl;
    if (this.started) throw new InvariantError(`controller ${d.name} registered after the runtime started`);
    this.check(d);
    for (const o of d.outputs) {
      const list = this.claims.get(o.type) ?? [];
      list.push({ controller: d.name, kind: o.kind });
      this.claims.set(o.type, list);
    }
    for (const i of d.inputs) {
      const key = kindString(i);
      let w = this.watches.get(key);
      if (w === undefined) {
        w = new SharedWatch({ namespace: i.namespace, type: i.type }, this.env);
        this.watches.set(key, w);
      }
      w.subscribe(runner, i, tracksGone);
    }
    this.runners.push(runner);
  }

  private check(d: ControllerDeclaration): void {
    if (!isControllerName(d.name)) {
      throw new InvariantError(
        `controller name ${JSON.stringify(d.name)} must look like <domain>.<Name>, e.g. "network.AddressSpecController"`,
      );
    }
    if (this.runners.some((r) => r.decl.name === d.name)) {
      throw new InvariantError(`controller ${d.name} is registered twice`);
    }
    for (const i of d.inputs) {
      if (i.namespace === '' || i.type === '' || i.id === '') {
        throw new InvariantError(`controller ${d.name} declares an input with an empty namespace, type or id`);
      }
    }
    const seen = new Set<string>();
    for (const o of d.outputs) {
      if (seen.has(o.type)) throw new InvariantError(`controller ${d.name} declares output type ${o.type} twice`);
      seen.add(o.type);
      for (const c of this.claims.get(o.type) ?? []) {
        if (c.kind === 'exclusive' && o.kind === 'exclusive') {
          throw new InvariantError(
            `controllers ${c.controller} and ${d.name} both claim output type ${o.type} as exclusive: a type has one exclusive owner`,
          );
        }
        if (c.kind !== o.kind) {
          throw new InvariantError(
            `controller ${d.name} claims output type ${o.type} as ${o.kind}, but ${c.controller} claims it as ${c.kind}: a type is written either by one exclusive owner or by shared writers`,
          );
        }
      }
    }
  }
}
