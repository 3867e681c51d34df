// Measures updates/s into 1,000 small resources with 10 live watchKind watchers, every event delivered; target >= 50,000 updates/s.
import type { Subscription } from 'rxjs';
import type { InMemoryState, WatchEvent } from '../../resources/index.js';
import { BENCH_KIND, BenchItemType, createItems, freshState, line, nextTurn, updateRound } from './common.js';

const IDS = 1_000;
const WATCHERS = 10;
const WARMUP_ROUNDS = 20;
const ROUNDS = 100;
/** Each figure is the median of this many runs: other processes on a 2-core machine skew any single one. */
const TRIALS = 3;
const TIMEOUT_MS = 60_000;

/**
 * History sizes: the writer and the watchers share one thread, and each watcher drains its cursor in microtasks
 * between the writer's awaits, so it trails by at most one event (measured); even the default 8..1024 would do.
 * `initial: 1024` skips the grow path and `max: 65536` (65 rounds of every id) leaves room for any scheduling skew, so
 * an `errored` here is a store bug, not a bench artefact. churn.ts exercises the overrun with the default history.
 */
const HISTORY = { initial: 1024, max: 65_536 } as const;

/** Watchers counting `updated` events; resolves once each has seen `expected`, rejects on anything unexpected. */
function watchAll(state: InMemoryState, expected: number): { done: Promise<void>; subs: Subscription[] } {
  const subs: Subscription[] = [];
  let finished = 0;
  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // A failure while the writer is still running is reported when the writer awaits `done`, not as an unhandled rejection.
  done.catch(() => undefined);
  const fail = (e: Error): void => settle?.reject(e);
  for (let w = 0; w < WATCHERS; w++) {
    let count = 0;
    subs.push(
      state.watchKind(BENCH_KIND).subscribe({
        next: (e: WatchEvent) => {
          if (e.type !== 'updated') {
            fail(new Error(`watcher ${w} got a ${e.type} event after ${count} updates`));
            return;
          }
          count++;
          if (count === expected && ++finished === WATCHERS) settle?.resolve();
          if (count > expected) fail(new Error(`watcher ${w} got ${count} updates, expected ${expected}`));
        },
        error: (e: unknown) => {
          fail(new Error(`watcher ${w} failed`, { cause: e }));
        },
        complete: () => {
          if (count < expected) fail(new Error(`watcher ${w} ended after ${count} of ${expected} updates`));
        },
      }),
    );
  }
  return { done, subs };
}

/** Writes `rounds` rounds over every id with `watchers` live watchers; returns updates/s. */
async function measure(rounds: number, watchers: boolean): Promise<number> {
  const state = await freshState([BenchItemType], HISTORY);
  const items = await createItems(state, IDS);
  const expected = rounds * IDS;
  const w = watchers ? watchAll(state, expected) : undefined;
  if (w !== undefined && state.stats().watchers !== WATCHERS) {
    throw new Error(`expected ${WATCHERS} open watchers, the store has ${state.stats().watchers}`);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`store-throughput: watchers did not see ${expected} updates within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
  });
  let elapsed: number;
  try {
    const t0 = performance.now();
    for (let r = 1; r <= rounds; r++) await updateRound(state, items, r);
    if (w !== undefined) await Promise.race([w.done, timeout]);
    elapsed = performance.now() - t0;
  } finally {
    clearTimeout(timer);
    for (const s of w?.subs ?? []) s.unsubscribe();
  }
  await nextTurn();
  if (state.stats().watchers !== 0) throw new Error(`store-throughput leaked ${state.stats().watchers} watchers`);
  return (expected / elapsed) * 1000;
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Runs the bench; throws if any watcher missed an event or got `errored`. */
export async function run(): Promise<string[]> {
  await measure(WARMUP_ROUNDS, true);
  const bare: number[] = [];
  const watched: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    bare.push(await measure(ROUNDS, false));
    watched.push(await measure(ROUNDS, true));
  }
  return [
    line('store_updates_per_s_0_watchers', median(bare), 'updates/s'),
    line(`store_updates_per_s_${WATCHERS}_watchers`, median(watched), 'updates/s'),
    line(`store_events_per_s_${WATCHERS}_watchers`, median(watched) * WATCHERS, 'events/s'),
  ];
}
