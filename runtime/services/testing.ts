// Test helpers for the supervisor: waiting for a service's state, a clock that records and shortens its sleeps.
import type { Clock } from '../controller/index.js';
import { realClock } from '../controller/index.js';
import type { ServiceSnapshot } from './service.js';
import type { Supervisor } from './supervisor.js';

/** A clock whose sleeps last `scale` times what is asked (really), and which records what was asked. */
export interface RecordingClock extends Clock {
  /** Every sleep asked for, in milliseconds, in order. */
  readonly sleeps: number[];
}

/** The real clock with sleeps shortened by `scale` (0.01: a 5 s restart delay takes 50 ms) and recorded. */
export function recordingClock(scale: number): RecordingClock {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return realClock.sleep(ms * scale, signal);
    },
  };
}

/**
 * Resolves with the snapshot of service `id` once `predicate` holds for it (checked now and at every change);
 * rejects after `timeoutMs` (default 5 s) with the last snapshot's state and events.
 */
export function waitForService(
  sup: Supervisor,
  id: string,
  predicate: (s: ServiceSnapshot) => boolean,
  timeoutMs = 5000,
): Promise<ServiceSnapshot> {
  return new Promise((resolve, reject) => {
    let unsubscribe = (): void => undefined;
    const finish = (s: ServiceSnapshot | undefined, e?: Error): void => {
      clearTimeout(timer);
      unsubscribe();
      if (e !== undefined) reject(e);
      else if (s !== undefined) resolve(s);
    };
    const timer = setTimeout(() => {
      const s = sup.get(id);
      const events = s.events.map((ev) => `${ev.state}: ${ev.message}`).join('; ');
      finish(undefined, new Error(`service ${id} never got there in ${timeoutMs}ms: ${s.state}; events: ${events}`));
    }, timeoutMs);
    unsubscribe = sup.subscribe((s) => {
      if (s.id === id && predicate(s)) finish(s);
    });
    const now = sup.get(id);
    if (predicate(now)) finish(now);
  });
}

/** True when the events of `s` contain one in `state` whose message includes `text`. */
export function hasEvent(s: ServiceSnapshot, state: string, text: string): boolean {
  return s.events.some((e) => e.state === state && e.message.includes(text));
}

/** Everything an async iterable of buffers yields, until it ends or `until` holds for what was read so far. */
export async function collect(it: AsyncIterable<Buffer>, until?: (text: Buffer) => boolean): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of it) {
    chunks.push(c);
    total += c.length;
    if (until !== undefined && until(Buffer.concat(chunks, total))) break;
  }
  return Buffer.concat(chunks, total);
}
