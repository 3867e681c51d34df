// Bench child process: opens W watchers on our node API (mTLS gRPC) or on etcd, and reports deliveries to its parent.
// argv: osnode|etcd TARGET WATCHERS [CA CRT KEY]; messages to the parent: ready, progress {min}, latencies {ms[]}.
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { NodeConnection } from '../../api/client/connection.js';
import { StateClient } from '../../api/client/state-client.js';
import { BENCH_KIND } from './common.js';

const [backend = '', target = '', watchersArg = '1', ca, crt, key] = process.argv.slice(2);
const watchers = Number(watchersArg);
const counts = new Array<number>(watchers).fill(0);
const latencies: number[] = [];
let recordLatency = false;
const now = (): number => performance.timeOrigin + performance.now();
let lastMin = -1;
const send = (m: object): void => {
  if (process.send !== undefined) process.send(m);
};
const report = (): void => {
  let min = Infinity;
  for (const c of counts) if (c < min) min = c;
  if (min !== lastMin) {
    lastMin = min;
    send({ kind: 'progress', min });
  }
};
setInterval(report, 2).unref();
const delivered = (w: number, sentAt: number): void => {
  counts[w] = (counts[w] ?? 0) + 1;
  if (recordLatency) latencies.push(now() - sentAt);
};
const closers: (() => void)[] = [];

process.on('message', (m: { kind: string }) => {
  if (m.kind === 'latency-on') recordLatency = true;
  if (m.kind === 'latencies') send({ kind: 'latencies', ms: latencies.splice(0) });
  if (m.kind === 'stop') {
    for (const c of closers) c();
    process.exit(0);
  }
});

if (backend === 'osnode') {
  if (ca === undefined || crt === undefined || key === undefined) throw new Error('osnode needs CA CRT KEY files');
  // Our own client, as osctl uses it: one connection, a cursor per watcher, responses decoded straight into events.
  const [host = '', port = ''] = target.split(':');
  const conn = new NodeConnection({
    node: host,
    endpoint: { host, port: Number(port) },
    tls: { mode: 'mtls', ca: readFileSync(ca, 'utf8'), crt: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8') },
  });
  const client = new StateClient(conn);
  const subs = Array.from({ length: watchers }, (_, w) =>
    // Aggregated, like etcd, whose WatchResponse carries every event available at once.
    client.watchKindAggregated(BENCH_KIND).subscribe({
      next: (batch) => {
        for (const e of batch) {
          if (e.type === 'errored') send({ kind: 'errored', message: e.error.message });
          else if (e.type !== 'bootstrapped') delivered(w, (e.resource.spec as { value: number }).value);
        }
      },
      error: (e: unknown) => {
        send({ kind: 'errored', message: String(e) });
      },
    }),
  );
  await client.ready();
  send({ kind: 'ready' });
  closers.push(() => {
    for (const s of subs) s.unsubscribe();
    conn.close();
  });
} else if (backend === 'etcd') {
  const client = new Etcd3({ hosts: target });
  const ws = await Promise.all(
    Array.from({ length: watchers }, async (_, w) => {
      const watcher = await client.watch().prefix('/bench/item/').create();
      watcher.on('put', (kv) => {
        delivered(w, Number(kv.value.toString()));
      });
      return watcher;
    }),
  );
  closers.push(() => {
    for (const w of ws) void w.cancel();
    client.close();
  });
  send({ kind: 'ready' });
} else {
  throw new Error(`unknown backend ${backend}`);
}
