// Runs every bench module in turn for `npm run bench` and prints one `name: value unit` line per figure; target: all in
// < 5 min on 2 cores (the network churn alone runs 60 s, as its issue asks).
import { run as churn } from './churn.js';
import { run as cluster } from './cluster.js';
import { run as genConfig } from './gen-config.js';
import { run as network } from './network.js';
import { run as osctlGet } from './osctl-get.js';
import { run as pki } from './pki.js';
import { run as services } from './services.js';
import { run as storeHeap } from './store-heap.js';
import { run as storeThroughput } from './store-throughput.js';
import { run as transformChain } from './transform-chain.js';
import { run as watchLatency } from './watch-latency.js';
import { run as watchVsEtcd } from './watch-vs-etcd.js';

/** The bench modules, in the order they run. */
const BENCHES: readonly { readonly name: string; readonly run: () => Promise<string[]> }[] = [
  { name: 'store-throughput', run: storeThroughput },
  { name: 'store-heap', run: storeHeap },
  { name: 'watch-latency', run: watchLatency },
  { name: 'churn', run: churn },
  { name: 'transform-chain', run: transformChain },
  { name: 'gen-config', run: genConfig },
  { name: 'pki', run: pki },
  { name: 'watch-vs-etcd', run: watchVsEtcd },
  { name: 'osctl-get', run: osctlGet },
  { name: 'network', run: network },
  { name: 'services', run: services },
  { name: 'cluster', run: cluster },
];

/** The whole run must fit in a 5-minute budget; each bench bounds its own loops well inside it. */
const BUDGET_MS = 300_000;

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: over the ${BUDGET_MS / 1000} s budget, stopping\n`);
    process.exit(2);
  }, BUDGET_MS);
  watchdog.unref();
  const progress = process.stderr.isTTY;
  let failed = 0;
  for (const b of BENCHES) {
    if (progress) process.stderr.write(`# ${b.name}...\n`);
    try {
      const lines = await b.run();
      process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    } catch (e: unknown) {
      failed++;
      process.stderr.write(`bench ${b.name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    }
  }
  clearTimeout(watchdog);
  if (failed > 0) process.exitCode = 1;
}

await main();
