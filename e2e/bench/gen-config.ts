// Measures the wall time of a full `osctl gen config` as a child process (all key generation included), median of 3; target <= 2 s.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { line } from './common.js';

const execFileAsync = promisify(execFile);
const OSCTL = fileURLToPath(new URL('../../api/cli/osctl.js', import.meta.url));
const RUNS = 3;
const TIMEOUT_MS = 30_000;

/** Runs gen config RUNS times into fresh directories and reports the median wall time. */
export async function run(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'osctl-bench-'));
  try {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await execFileAsync(
        process.execPath,
        [OSCTL, 'gen', 'config', 'bench', 'https://10.5.0.2:6443', '--output-dir', join(dir, String(i))],
        {
          timeout: TIMEOUT_MS,
        },
      );
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return [line('gen_config_wall', times[Math.floor(RUNS / 2)] ?? Number.NaN, 'ms')];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
