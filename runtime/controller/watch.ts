// One shared watch per (namespace, type): a bootstrapped cursor whose events wake every runner with a matching input.
import {
  kindString,
  pointerOf,
  type Kind,
  type Pointer,
  type ResourceEvent,
  type WatchCursor,
  type WatchEvent,
} from '../../resources/index.js';
import { Backoff } from './backoff.js';
import { aborted } from './clock.js';
import type { Input } from './declaration.js';
import { errorMessage } from './logger.js';
import type { Runner, RunnerEnv } from './runner.js';

/** One runner's interest in the watched kind. */
interface Subscription {
  readonly runner: Runner;
  readonly input: Input;
}

/** True when `e` concerns `input`: its id (when one is declared) and, for destroyReady, a teardown with no finalizers left. */
function matches(input: Input, e: ResourceEvent): boolean {
  const m = e.resource.metadata;
  if (input.id !== undefined && input.id !== m.id) return false;
  if (input.kind !== 'destroyReady') return true;
  return e.type !== 'destroyed' && m.phase === 'tearingDown' && m.finalizers.length === 0;
}

/**
 * The runtime's single cursor on one kind. Events are dispatched to subscribers as they arrive; a cursor that falls
 * behind the history (an `errored` event) is re-opened with bootstrap and every subscriber is resynced.
 */
export class SharedWatch {
  private readonly subs: Subscription[] = [];
  private cursor: WatchCursor | undefined;
  /** Ids seen present, kept only when a queue runner needs to hear of resources destroyed during an overrun. */
  private known: Set<string> | undefined;
  /** Times the cursor was re-opened after falling behind. */
  overruns = 0;

  constructor(
    readonly kind: Kind,
    private readonly env: RunnerEnv,
  ) {}

  /** Adds a runner's input on this kind. */
  subscribe(runner: Runner, input: Input, tracksGone: boolean): void {
    this.subs.push({ runner, input });
    if (tracksGone) this.known ??= new Set();
  }

  /** Opens the cursor (before any runner starts, so that no change is missed between their first pass and the watch). */
  async open(): Promise<void> {
    this.cursor = await this.env.state.cursor(this.kind, { bootstrapContents: true });
  }

  /** Frees the cursor. */
  close(): void {
    this.cursor?.close();
    this.cursor = undefined;
  }

  /** Delivers events until `signal` aborts; re-opens the cursor after an overrun or a store failure. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    const name = `runtime.watch(${kindString(this.kind)})`;
    const retry = new Backoff(this.env.backoff, this.env.random);
    let stale: Set<string> | undefined;
    // Closing the cursor ends a pending next(): cheaper than handing the signal to every next() call. A plain flag
    // then says whether to stop: the loop turns once per batch, often one event, and AbortSignal's getter costs more.
    let stopped = aborted(signal);
    // Read through a call: the compiler would otherwise keep its narrowing of `stopped` across the awaits.
    const isStopped = (): boolean => stopped;
    const onAbort = (): void => {
      stopped = true;
      this.close();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    while (!isStopped()) {
      try {
        this.cursor ??= await this.env.state.cursor(this.kind, { bootstrapContents: true });
        if (isStopped()) break;
        const batch = await this.cursor.next();
        if (batch === null) {
          if (isStopped()) break;
          // A store may end a cursor on its own (a dropped connection): recover as from an overrun.
          stale = this.lost(name, 'the watch ended', stale);
          continue;
        }
        retry.reset();
        for (let i = 0; i < batch.length; i++) {
          const e = batch[i] as WatchEvent;
          if (e.type === 'errored') {
            this.overruns++;
            stale = this.lost(name, e.error.message, stale);
            break;
          }
          if (e.type === 'bootstrapped') {
            if (stale !== undefined) this.announceGone(stale);
            stale = undefined;
            continue;
          }
          this.dispatch(e);
        }
      } catch (e) {
        if (isStopped()) break;
        this.close();
        const delay = retry.next();
        this.env.logger.log('error', name, `watch failed, re-opening in ${Math.round(delay)} ms: ${errorMessage(e)}`);
        await this.env.clock.sleep(delay, signal);
      }
    }
    signal.removeEventListener('abort', onAbort);
    this.close();
  }

  /**
   * Drops the cursor after changes were lost and resyncs every dependent (plain controllers re-read; queues get the
   * re-bootstrap). Returns the ids known before, to find those gone once the new bootstrap is read.
   */
  private lost(name: string, why: string, stale: Set<string> | undefined): Set<string> | undefined {
    this.env.logger.log('warn', name, `${why}; re-bootstrapping and resyncing its controllers`);
    this.close();
    let before = stale;
    if (this.known !== undefined) {
      before = stale === undefined ? this.known : new Set([...stale, ...this.known]);
      this.known = new Set();
    }
    for (const s of this.subs) s.runner.resync([]);
    return before;
  }

  private dispatch(e: ResourceEvent): void {
    if (this.known !== undefined) {
      if (e.type === 'destroyed') this.known.delete(e.resource.metadata.id);
      else this.known.add(e.resource.metadata.id);
    }
    let ptr: Pointer | undefined;
    // An index loop: this runs for every event of every watched kind, often before the code is optimized.
    for (let i = 0; i < this.subs.length; i++) {
      const s = this.subs[i] as Subscription;
      if (!matches(s.input, e)) continue;
      ptr ??= pointerOf(e.resource);
      s.runner.notify(ptr);
    }
  }

  /** Tells runners of resources that were present before an overrun and are absent from the new bootstrap. */
  private announceGone(stale: Set<string>): void {
    const gone: Pointer[] = [];
    for (const id of stale) if (this.known?.has(id) !== true) gone.push({ ...this.kind, id });
    if (gone.length === 0) return;
    for (const s of this.subs) {
      if (s.input.kind === 'destroyReady') continue;
      const mine = s.input.id === undefined ? gone : gone.filter((p) => p.id === s.input.id);
      if (mine.length > 0) s.runner.resync(mine);
    }
  }
}
