// Watch delivery over the node API (mTLS gRPC) against a local etcd (--unsafe-no-fsync) as the reference, side by side:
// events/s to 1 and to 100 watchers, and p99 update-to-watcher latency at 1,000 updates/s. Target: ours >= etcd on both.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchApi } from './api-server.js';
import { withSpec, type InMemoryState, type Resource } from '../../resources/index.js';
import { BENCH_NAMESPACE, BenchItemType, freshState, line, quantile, type BenchItemSpec } from './common.js';
import { startEtcd } from './etcd-reference.js';

const CHILD = fileURLToPath(new URL('./watch-child.js', import.meta.url));
const KEYS = 1000;
const now = (): number => performance.timeOrigin + performance.now();

/** One store under test: how to write update `i` and how a watcher child reaches it. */
interface Backend {
  readonly name: string;
  readonly childArgs: readonly string[];
  write(i: number): Promise<void>;
  /** Writes in flight at once (etcd puts are pipelined like a real client's; ours are in-process). */
  readonly concurrency: number;
  close(): Promise<void>;
}

async function osnodeBackend(): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), 'osnode-bench-api-'));
  const state: InMemoryState = await freshState([BenchItemType], { initial: 1024, max: 65536 });
  const items: Resource<BenchItemSpec>[] = [];
  for (let i = 0; i < KEYS; i++) {
    items.push(
      await state.create({
        metadata: { namespace: BENCH_NAMESPACE, type: BenchItemType.type, id: `item-${i}` },
        spec: { value: 0 },
      }),
    );
  }
  const api = await startBenchApi(state);
  const files = { ca: join(dir, 'ca.pem'), crt: join(dir, 'crt.pem'), key: join(dir, 'key.pem') };
  await writeFile(files.ca, api.caPem);
  await writeFile(files.crt, api.client.certPem);
  await writeFile(files.key, api.client.keyPem);
  return {
    name: 'osnode',
    childArgs: ['osnode', api.endpoint, files.ca, files.crt, files.key],
    concurrency: 1,
    write: async (i) => {
      const k = i % KEYS;
      const cur = items[k];
      if (cur === undefined) throw new Error('no item');
      items[k] = await state.update(withSpec(cur, { value: now() }));
    },
    close: async () => {
      await api.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function etcdBackend(): Promise<Backend> {
  const etcd = await startEtcd();
  const client = etcd.client();
  return {
    name: 'etcd',
    childArgs: ['etcd', etcd.endpoint],
    concurrency: 64,
    write: async (i) => {
      await client.put(`/bench/item/${i % KEYS}`).value(String(now()));
    },
    close: () => etcd.stop(),
  };
}

/** A watcher child with `watchers` watches, and waits for its reports. */
async function openWatchers(b: Backend, watchers: number) {
  const child: ChildProcess = fork(CHILD, [...b.childArgs.slice(0, 2), String(watchers), ...b.childArgs.slice(2)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let min = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  let latencies: ((ms: number[]) => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: { kind: string; min?: number; ms?: number[]; message?: string }) => {
      if (m.kind === 'ready') resolve();
      if (m.kind === 'progress') {
        min = m.min ?? 0;
        for (const w of waiters.splice(0)) {
          if (min >= w.n) w.resolve();
          else waiters.push(w);
        }
      }
      if (m.kind === 'latencies') latencies?.(m.ms ?? []);
      if (m.kind === 'errored') reject(new Error(`a watcher fell behind: ${m.message ?? ''}`));
    });
    child.on('exit', (code) => {
      reject(new Error(`watcher child exited with ${String(code)}`));
    });
  });
  await ready;
  return {
    until: (n: number) => (min >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
    send: (kind: string) => child.send({ kind }),
    latencies: () =>
      new Promise<number[]>((resolve) => {
        latencies = resolve;
        child.send({ kind: 'latencies' });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', () => {
          resolve();
        });
        child.send({ kind: 'stop' });
      }),
  };
}

async function writeRange(b: Backend, from: number, to: number): Promise<void> {
  let next = from;
  const lane = async (): Promise<void> => {
    while (next < to) await b.write(next++);
  };
  await Promise.all(Array.from({ length: b.concurrency }, lane));
}

/** Events per second delivered to every one of `watchers`, writing `total` updates in rounds of 500. */
async function throughput(b: Backend, watchers: number, total: number): Promise<number> {
  const w = await openWatchers(b, watchers);
  const t0 = performance.now();
  for (let done = 0; done < total; done += 500) {
    await writeRange(b, done, Math.min(total, done + 500));
    await w.until(Math.min(total, done + 500));
  }
  const seconds = (performance.now() - t0) / 1000;
  await w.stop();
  return Math.round((total * watchers) / seconds);
}

/** p99 of update-to-watcher latency at a paced 1,000 updates/s for 3 s, one watcher. */
async function latencyP99(b: Backend): Promise<number> {
  const w = await openWatchers(b, 1);
  w.send('latency-on');
  const count = 3000;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + i;
    while (performance.now() < due) await new Promise((r) => setImmediate(r));
    inflight.push(b.write(i));
    if (inflight.length >= 64) await inflight.shift();
  }
  await Promise.all(inflight);
  await w.until(count);
  const ms = Float64Array.from(await w.latencies()).sort();
  await w.stop();
  return quantile(ms, 0.99);
}

/** Runs both stores through the same workload and prints the figures and ours/etcd ratios. */
export async function run(): Promise<string[]> {
  const out: string[] = [];
  const figures = new Map<string, number>();
  for (const make of [osnodeBackend, etcdBackend]) {
    const b = await make();
    try {
      for (const [watchers, total] of [
        [1, 20_000],
        [100, 6_000],
      ] as const) {
        const eps = await throughput(b, watchers, total);
        figures.set(`${b.name}_${watchers}`, eps);
        out.push(line(`watch_events_per_s_${watchers}_watchers_${b.name}`, eps, 'events/s'));
      }
      const p99 = await latencyP99(b);
      figures.set(`${b.name}_p99`, p99);
      out.push(line(`watch_latency_p99_1000ups_${b.name}`, Number(p99.toFixed(3)), 'ms'));
    } finally {
      await b.close();
    }
  }
  const ratio = (a: string, b: string): number => Number(((figures.get(a) ?? 0) / (figures.get(b) ?? 1)).toFixed(2));
  out.push(line('watch_events_ratio_1_watcher_osnode_over_etcd', ratio('osnode_1', 'etcd_1'), 'x'));
  out.push(line('watch_events_ratio_100_watchers_osnode_over_etcd', ratio('osnode_100', 'etcd_100'), 'x'));
  out.push(line('watch_latency_p99_ratio_etcd_over_osnode', ratio('etcd_p99', 'osnode_p99'), 'x'));
  return out;
}
