// Measures 40,000 updates to 4,000 resources past a slow cursor watcher; target: survives, exactly 1 errored event, re-bootstrap converges.
import type { InMemoryState, WatchCursor, WatchEvent } from '../../resources/index.js';
import { BENCH_KIND, BenchItemType, createItems, delay, freshState, line, nextTurn, updateRound } from './common.js';

const IDS = 4_000;
const ROUNDS = 10;
/** Every resource is created at version 1 and updated once per round. */
const FINAL_VERSION = 1 + ROUNDS;
const SLOW_DELAY_MS = 5;
const MAX_REBOOTSTRAPS = 20;
const TIMEOUT_MS = 60_000;

/** What the slow watcher saw. */
interface SlowReport {
  readonly events: number;
  readonly errored: number;
  readonly eventsAfterErrored: number;
  readonly ended: boolean;
}

/** Reads a bootstrapped cursor one batch at a time with a pause between batches, until its stream ends. */
async function slowWatcher(cursor: WatchCursor, signal: AbortSignal): Promise<SlowReport> {
  let events = 0;
  let errored = 0;
  let eventsAfterErrored = 0;
  try {
    for (;;) {
      const batch = await cursor.next(signal);
      if (batch === null) return { events, errored, eventsAfterErrored, ended: !signal.aborted };
      for (const e of batch) {
        if (errored > 0) eventsAfterErrored++;
        else if (e.type === 'errored') errored++;
        else events++;
      }
      await delay(SLOW_DELAY_MS);
    }
  } finally {
    cursor.close();
  }
}

/** The follower's picture of the collection: version per id, and how many ids are at the final version. */
class View {
  private readonly versions = new Map<string, number>();
  private atFinal = 0;

  /** Applies one batch; returns true when the batch ended the stream with `errored`. */
  apply(batch: readonly WatchEvent[]): boolean {
    for (const e of batch) {
      if (e.type === 'errored') return true;
      if (e.type === 'bootstrapped') continue;
      const id = e.resource.metadata.id;
      if (this.versions.get(id) === FINAL_VERSION) this.atFinal--;
      if (e.type === 'destroyed') {
        this.versions.delete(id);
        continue;
      }
      this.versions.set(id, e.resource.metadata.version);
      if (e.resource.metadata.version === FINAL_VERSION) this.atFinal++;
    }
    return false;
  }

  /** Ids at their final version. */
  get final(): number {
    return this.atFinal;
  }

  /** True when the view holds exactly the final version of every resource. */
  get converged(): boolean {
    return this.versions.size === IDS && this.atFinal === IDS;
  }
}

/** Re-bootstraps and reads at full speed until every resource is at its final version; re-bootstraps again on overrun. */
async function follower(state: InMemoryState, signal: AbortSignal): Promise<{ overruns: number; at: number }> {
  let overruns = 0;
  for (;;) {
    const view = new View();
    const cursor = await state.cursor(BENCH_KIND, { bootstrapContents: true });
    try {
      for (;;) {
        const batch = await cursor.next(signal);
        if (batch === null) throw new Error(`churn: follower timed out with ${view.final} of ${IDS} resources final`);
        if (view.apply(batch)) break;
        if (view.converged) return { overruns, at: performance.now() };
      }
    } finally {
      cursor.close();
    }
    if (++overruns > MAX_REBOOTSTRAPS) throw new Error(`churn: follower overran ${overruns} times`);
  }
}

/**
 * Runs the bench; throws unless the slow watcher gets exactly one `errored` and ends, and the follower converges.
 * The writer yields between rounds only, as a busy controller would; the slow watcher, sleeping on a timer, wakes to
 * find itself more than the 1024-event history behind. It then re-bootstraps, in the middle of the churn, so
 * `churn_rebootstrap_converge` (cursor opened to final version of every resource) spans the remaining rounds.
 */
export async function run(): Promise<string[]> {
  const state = await freshState([BenchItemType]); // default history (8 growing to 1024): the overrun is real
  const items = await createItems(state, IDS);
  const stop = new AbortController();
  const timer = setTimeout(() => {
    stop.abort();
  }, TIMEOUT_MS);
  try {
    const slowCursor = await state.cursor(BENCH_KIND, { bootstrapContents: true });
    const watching = (async () => {
      const slow = await slowWatcher(slowCursor, stop.signal);
      if (slow.errored !== 1) return { slow, opened: Number.NaN, overruns: 0, at: Number.NaN };
      const opened = performance.now();
      const f = await follower(state, stop.signal);
      return { slow, opened, ...f };
    })();
    // If the writer throws first, `stop` ends the watchers and their failure must not surface as an unhandled rejection.
    watching.catch(() => undefined);

    const t0 = performance.now();
    for (let r = 1; r <= ROUNDS && !stop.signal.aborted; r++) {
      await updateRound(state, items, r);
      await nextTurn(); // between rounds timers run: the slow watcher wakes and finds it fell behind
    }
    const writeMs = performance.now() - t0;
    const w = await watching;

    if (w.slow.errored !== 1 || w.slow.eventsAfterErrored !== 0 || !w.slow.ended) {
      throw new Error(
        `churn: slow watcher got ${w.slow.errored} errored events, ${w.slow.eventsAfterErrored} events after it, ended=${w.slow.ended}`,
      );
    }
    if (state.stats().watchers !== 0) throw new Error(`churn leaked ${state.stats().watchers} watchers`);
    return [
      line('churn_updates_written', IDS * ROUNDS, 'updates'),
      line('churn_write_time', writeMs, 'ms'),
      line('churn_updates_per_s', ((IDS * ROUNDS) / writeMs) * 1000, 'updates/s'),
      line('churn_process_survived', 1, 'bool'),
      line('churn_slow_watcher_events_before_overrun', w.slow.events, 'events'),
      line('churn_slow_watcher_errored', w.slow.errored, 'events'),
      line('churn_slow_watcher_stream_ended', 1, 'bool'),
      line('churn_rebootstrap_overruns', w.overruns, 'overruns'),
      line('churn_rebootstrap_converge', w.at - w.opened, 'ms'),
    ];
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
}
