// Measures heap bytes per resource with 100,000 small resources held in an InMemoryState; target <= 1.5 KB (1,536 bytes).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BenchItemType, createItems, freshState, line } from './common.js';

const COUNT = 100_000;
const CHILD_FLAG = '--child';
const CHILD_TIMEOUT_MS = 60_000;
const THIS_FILE = fileURLToPath(import.meta.url);

/** A full collection, repeated: one pass can leave garbage that a finalizer or weak reference frees only on the next. */
function collect(gc: NodeJS.GCFunction): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** The measurement itself; needs `--expose-gc`, so it runs in a child process. */
async function measureInChild(): Promise<string[]> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('store-heap: run with node --expose-gc');
  // The store and its type are set up before the baseline, so only the resources themselves are counted.
  const state = await freshState([BenchItemType]);
  const before = collect(gc);
  const items = await createItems(state, COUNT);
  items.length = 0; // the store must hold them, not the bench
  const after = collect(gc);
  if (state.stats().resources < COUNT) throw new Error(`store-heap: the store holds ${state.stats().resources}`);
  return [
    line('store_heap_per_resource', (after - before) / COUNT, 'bytes'),
    line(`store_heap_${COUNT}_resources`, (after - before) / (1024 * 1024), 'MiB'),
  ];
}

/** Runs the bench in a child `node --expose-gc` and returns its lines. */
export async function run(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', THIS_FILE, CHILD_FLAG],
      { timeout: CHILD_TIMEOUT_MS, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err !== null) {
          reject(new Error(`store-heap child failed: ${stderr.trim()}`, { cause: err }));
          return;
        }
        resolve(stdout.split('\n').filter((l) => l !== ''));
      },
    );
  });
}

if (process.argv[1] === THIS_FILE && process.argv.includes(CHILD_FLAG)) {
  measureInChild().then(
    (lines) => {
      process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
