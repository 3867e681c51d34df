// The shared test harness of controller tests: an in-memory store with types registered plus the real runtime, stopped after each test.
import { z } from 'zod';
import {
  InMemoryState,
  defineResource,
  waitFor,
  type HistoryOptions,
  type Pointer,
  type Resource,
  type ResourceType,
} from '../../resources/index.js';
import type { Clock } from './clock.js';
import { realClock } from './clock.js';
import type { LogLevel, Logger } from './logger.js';
import { ControllerRuntime, type RuntimeOptions } from './runtime.js';

/** Options of {@link createHarness}. */
export interface HarnessOptions {
  readonly types: readonly ResourceType[];
  readonly history?: Partial<HistoryOptions>;
  /** Runtime options; the backoff defaults to 2 ms doubling up to 50 ms so that restarts are quick. */
  readonly runtime?: RuntimeOptions;
}

/** A store, a runtime over it, and helpers to wait for state; `stop` ends the runtime and checks nothing is left open. */
export interface Harness {
  readonly state: InMemoryState;
  readonly runtime: ControllerRuntime;
  /** Starts the runtime (register controllers first). */
  readonly start: () => void;
  /** Aborts the runtime, waits for it to stop, and fails if it failed or a watch cursor is still open. Idempotent. */
  readonly stop: () => Promise<void>;
  /** Resolves with the resource once `predicate` holds (undefined while absent); rejects after `timeoutMs` (default 5 s). */
  readonly waitFor: (
    ptr: Pointer,
    predicate: (r: Resource | undefined) => boolean,
    timeoutMs?: number,
  ) => Promise<Resource | undefined>;
  /** Resolves once `condition()` holds, checked every millisecond; rejects naming `what` after `timeoutMs` (default 5 s). */
  readonly until: (condition: () => boolean, what: string, timeoutMs?: number) => Promise<void>;
}

/** Quick restarts for tests. */
export const TEST_BACKOFF = { baseMs: 2, maxMs: 50, factor: 2, jitter: 0.2 } as const;

/** Builds a harness; call `start()` after registering controllers and `stop()` when done (see {@link useHarness}). */
export async function createHarness(opts: HarnessOptions): Promise<Harness> {
  const state = new InMemoryState(opts.history === undefined ? {} : { history: opts.history });
  for (const t of opts.types) await state.registerType(t);
  const runtime = new ControllerRuntime(state, { backoff: TEST_BACKOFF, ...opts.runtime });
  const ac = new AbortController();
  let running: Promise<unknown> | undefined;
  let stopped = false;
  return {
    state,
    runtime,
    start: () => {
      // Errors are reported by stop(); keep the rejection handled until then.
      const p = runtime.run(ac.signal);
      running = p.then(
        () => undefined,
        (e: unknown) => e,
      );
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      ac.abort();
      const err = await running;
      if (err instanceof Error) throw err;
      if (err !== undefined) throw new Error(`the runtime failed: ${JSON.stringify(err)}`);
      const open = state.stats().watchers;
      if (open !== 0) throw new Error(`${open} watch cursor(s) still open after the runtime stopped`);
    },
    waitFor: (ptr, predicate, timeoutMs = 5_000) => waitFor(state, ptr, predicate, { timeoutMs }),
    until: (condition, what, timeoutMs = 5_000) => until(condition, what, timeoutMs),
  };
}

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}

/** Registers mocha hooks that build a fresh harness before each test and stop it after; returns its getter. */
export function useHarness(opts: HarnessOptions): () => Harness {
  let h: Harness | undefined;
  beforeEach(async () => {
    h = await createHarness(opts);
  });
  afterEach(async () => {
    const cur = h;
    h = undefined;
    await cur?.stop();
  });
  return () => {
    if (h === undefined) throw new Error('the harness exists only inside a test');
    return h;
  };
}

/** Spec of the test resource types: a string value. */
export const ValueSpecSchema = z.object({ value: z.string().describe('Any text the test chooses.') });

/** The inferred spec type. */
export type ValueSpec = z.infer<typeof ValueSpecSchema>;

/** A test resource type named `name` (PascalCase) with a {@link ValueSpec}, in namespace `test` by default. */
export function valueType(name: string): ResourceType<ValueSpec> {
  return defineResource({ type: name, schema: ValueSpecSchema, defaultNamespace: 'test' });
}

/** A clock that records every sleep it is asked for, then sleeps for real. */
export function recordingClock(sleeps: number[], inner: Clock = realClock): Clock {
  return {
    now: () => inner.now(),
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return inner.sleep(ms, signal);
    },
  };
}

/** A logger that keeps `level controller msg` lines in `lines`. */
export function memoryLogger(lines: string[]): Logger {
  return {
    log: (level: LogLevel, controller, msg) => {
      lines.push(`${level} ${controller} ${msg}`);
    },
  };
}

/** A promise with its resolve function, for tests that hold a reconcile until they let it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
