// Bench child process: opens W watchers on our node API (mTLS gRPC) or on etcd, and reports deliveries to its parent.
// argv: osnode|etcd TARGET WATCHERS [CA CRT KEY]; messages to the parent: ready, progress {min}, latencies {ms[]}.
import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { eventFromPb } from '../../api/codec/index.js';
import { StateClientConstructor } from '../../api/proto/load.js';
import type { PbWatchResponse } from '../../api/proto/types.js';
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
  const creds = credentials.createSsl(readFileSync(ca), readFileSync(key), readFileSync(crt));
  const client = new StateClientConstructor(target, creds);
  const watch = client['watch'];
  if (watch === undefined) throw new Error('State client has no watch method');
  let ready = 0;
  for (let w = 0; w < watchers; w++) {
    const call = watch.call(client, {
      namespace: BENCH_KIND.namespace,
      type: BENCH_KIND.type,
      // Aggregated, like etcd, whose WatchResponse carries every event available at once.
      options: { aggregated: true },
    }) as ClientReadableStream<PbWatchResponse>;
    let first = true;
    call.on('data', (resp: PbWatchResponse) => {
      if (first) {
        first = false;
        if (++ready === watchers) send({ kind: 'ready' });
        return;
      }
      for (const pb of resp.event) {
        const e = eventFromPb(pb);
        if (e !== undefined && e.type !== 'bootstrapped' && e.type !== 'errored') {
          delivered(w, (e.resource.spec as { value: number }).value);
        } else if (e?.type === 'errored') send({ kind: 'errored', message: e.error.message });
      }
    });
    call.on('error', () => undefined);
    closers.push(() => {
      call.cancel();
    });
  }
  closers.push(() => {
    client.close();
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
