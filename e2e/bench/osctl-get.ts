// `osctl get` of 10,000 resources from a node API over mTLS on loopback: wall time of the whole command (median of 3).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { toBase64Pem } from '../../api/config-gen/pki.js';
import { startBenchApi } from './api-server.js';
import { BENCH_NAMESPACE, BenchItemType, freshState, line } from './common.js';

const OSCTL = fileURLToPath(new URL('../../api/cli/osctl.js', import.meta.url));
const COUNT = 10_000;

/** Prints `osctl_get_10000_wall` (ms, median of 3 runs; the rows are counted to check the command saw them all). */
export async function run(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'osnode-bench-get-'));
  const state = await freshState([BenchItemType]);
  for (let i = 0; i < COUNT; i++) {
    await state.create({
      metadata: { namespace: BENCH_NAMESPACE, type: BenchItemType.type, id: `item-${i}` },
      spec: { value: i },
    });
  }
  const api = await startBenchApi(state);
  const endpoint = api.endpoint;
  const talosconfig = join(dir, 'talosconfig');
  await writeFile(
    talosconfig,
    stringify({
      context: 'bench',
      contexts: {
        bench: {
          endpoints: [endpoint],
          nodes: [endpoint],
          ca: toBase64Pem(api.caPem),
          crt: toBase64Pem(api.client.certPem),
          key: toBase64Pem(api.client.keyPem),
        },
      },
    }),
  );
  try {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [OSCTL, '--talosconfig', talosconfig, 'get', 'benchitem'],
        {
          maxBuffer: 64 * 1024 * 1024,
          env: { ...process.env, NODE_NO_WARNINGS: '1' },
        },
      );
      times.push(performance.now() - t0);
      const rows = stdout.trim().split('\n').length - 1;
      if (rows !== COUNT) throw new Error(`osctl get printed ${rows} rows, expected ${COUNT}`);
    }
    times.sort((a, b) => a - b);
    return [line('osctl_get_10000_wall', Math.round(times[1] ?? 0), 'ms')];
  } finally {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}
