// Measures watch delivery latency (write to watcher callback) p50/p99 at a paced 10,000 updates/s for 3 s; target p99 <= 5 ms.
import { z } from 'zod';
import { defineResource, withSpec, type Resource, type WatchEvent } from '../../resources/index.js';
import { BENCH_NAMESPACE, checkDeadline, freshState, line, nextTurn, quantile } from './common.js';

const RATE = 10_000; // updates per second
const DURATION_MS = 3_000;
const TOTAL = (RATE * DURATION_MS) / 1000;
const IDS = 1_000;
const TIMEOUT_MS = 30_000;

/** Spec of a latency probe: its sequence number and the performance.now() at which it was written. */
const ProbeSpecSchema = z.object({
  seq: z.number().int().describe('Position of this write in the paced schedule.'),
  sentAt: z.number().describe('performance.now() just before the write, in milliseconds.'),
});

type ProbeSpec = z.infer<typeof ProbeSpecSchema>;

const ProbeType = defineResource({ type: 'BenchProbe', schema: ProbeSpecSchema, defaultNamespace: BENCH_NAMESPACE });
const PROBE_KIND = { namespace: BENCH_NAMESPACE, type: ProbeType.type } as const;

/**
 * Runs the bench. The writer follows a fixed schedule (write i is due at t0 + i/RATE) and yields to the event loop
 * after catching up, so the watcher competes with it the way a controller competes with the API. Latency is taken from
 * the actual write time, not the scheduled one: writer lag is reported separately as the achieved rate.
 * The store keeps its default history: a watcher that keeps up at this rate must not need more.
 */
export async function run(): Promise<string[]> {
  const state = await freshState([ProbeType]);
  const items: Resource<ProbeSpec>[] = [];
  for (let i = 0; i < IDS; i++) {
    items.push(await state.create({ metadata: { ...PROBE_KIND, id: `probe-${i}` }, spec: { seq: -1, sentAt: 0 } }));
  }

  const latencies = new Float64Array(TOTAL);
  let received = 0;
  let failure: Error | undefined;
  let allReceived: (() => void) | undefined;
  const done = new Promise<void>((resolve) => {
    allReceived = resolve;
  });
  const sub = state.watchKind(PROBE_KIND).subscribe({
    next: (e: WatchEvent) => {
      const now = performance.now();
      if (e.type !== 'updated' || !ProbeType.is(e.resource)) {
        failure ??= new Error(`watch-latency: unexpected ${e.type} event after ${received} updates`);
        allReceived?.();
        return;
      }
      const { seq, sentAt } = e.resource.spec;
      if (seq !== received) failure ??= new Error(`watch-latency: got update ${seq}, expected ${received}`);
      latencies[received++] = now - sentAt;
      if (received === TOTAL) allReceived?.();
    },
    error: (e: unknown) => {
      failure ??= new Error('watch-latency: the watch failed', { cause: e });
      allReceived?.();
    },
  });

  try {
    const t0 = performance.now();
    const deadline = t0 + TIMEOUT_MS;
    let seq = 0;
    while (seq < TOTAL && failure === undefined) {
      const due = Math.min(TOTAL, Math.floor(((performance.now() - t0) * RATE) / 1000) + 1);
      for (; seq < due; seq++) {
        const slot = seq % IDS;
        const cur = items[slot];
        if (cur === undefined) throw new Error(`watch-latency: probe ${slot} is missing`);
        items[slot] = await state.update(withSpec(cur, { seq, sentAt: performance.now() }));
      }
      checkDeadline(deadline, `writer at update ${seq} of ${TOTAL}`);
      await nextTurn(); // the next write is due within 0.1 ms: a timer would be far too coarse
    }
    const writeMs = performance.now() - t0;
    while (received < TOTAL && failure === undefined) {
      await Promise.race([done, nextTurn()]);
      checkDeadline(deadline, `watcher at update ${received} of ${TOTAL}`);
    }
    if (failure !== undefined) throw failure;
    latencies.sort();
    return [
      line('watch_latency_p50', quantile(latencies, 0.5), 'ms'),
      line('watch_latency_p99', quantile(latencies, 0.99), 'ms'),
      line('watch_latency_max', quantile(latencies, 1), 'ms'),
      line('watch_latency_rate', (TOTAL / writeMs) * 1000, 'updates/s'),
    ];
  } finally {
    sub.unsubscribe();
  }
}
