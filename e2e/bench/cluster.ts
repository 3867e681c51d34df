// Local cluster bench: `osctl cluster create` of 3 control planes + 1 worker, wall time until every node is ready with
// etcd healthy (target <= 60 s on 2 cores) and until `osctl health` passes (etcd members agreeing across the control
// planes), machined RSS per node (target <= 80 MB), and `osctl cluster destroy` wall time. osctl runs in a throwaway
// network namespace standing in for this machine's, so the bench leaves this machine's addresses and routes alone.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killLeftovers } from '../harness/node.js';
import { line } from './common.js';

const OSCTL = fileURLToPath(new URL('../../api/cli/osctl.js', import.meta.url));

/** How a command ended, and how long it took. */
interface Timed {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function timed(cmd: string, args: readonly string[], timeoutMs: number): Promise<Timed> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      const ms = performance.now() - start;
      if (err === null) resolve({ code: 0, stdout, stderr, ms });
      else if (typeof err.code === 'number') resolve({ code: err.code, stdout, stderr, ms });
      else reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`));
    });
  });
}

/** The host namespace made for the run, removed on exit however the bench ends. */
let madeNs: string | undefined;
process.once('exit', () => {
  if (madeNs !== undefined) spawn('ip', ['netns', 'del', madeNs], { stdio: 'ignore', detached: true }).unref();
});

/** VmRSS of `pid` in MB (10^6 bytes), or undefined when it is gone. */
async function rssMb(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb === undefined ? undefined : (Number(kb) * 1024) / 1e6;
}

/** Proportional set size of `pid` in MB: its RSS with shared pages (the node binary) divided among their users. */
async function pssMb(pid: number): Promise<number | undefined> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const kb = /^Pss:\s+(\d+) kB$/m.exec(rollup)?.[1];
  return kb === undefined ? undefined : (Number(kb) * 1024) / 1e6;
}

/** How long the steady-state sample waits after the first: a few of machined's C-heap trims (every 10 s). */
const SETTLE_MS = 30_000;

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Runs the bench; resolves with its `name: value unit` lines. */
export async function run(): Promise<string[]> {
  const id = randomBytes(3).toString('hex');
  const name = `bench-${id}`;
  const hostNs = `osnode-bench-host-${id}`;
  const cidr = `10.216.${Math.floor(Math.random() * 256)}.0/24`;
  const dir = await mkdtemp(join(tmpdir(), 'oscb-'));
  const state = join(dir, 'clusters');
  const osctl = (args: readonly string[], timeoutMs = 180_000): Promise<Timed> =>
    timed(
      'nsenter',
      [`--net=/run/netns/${hostNs}`, process.execPath, OSCTL, '--talosconfig', join(dir, 'talosconfig'), ...args],
      timeoutMs,
    );
  let destroyed = false;
  await timed('ip', ['netns', 'add', hostNs], 10_000);
  madeNs = hostNs;
  try {
    await timed('ip', ['-n', hostNs, 'link', 'set', 'lo', 'up'], 10_000);
    const common = ['--name', name, '--state', state];
    const created = await osctl([
      'cluster',
      'create',
      ...common,
      '--controlplanes',
      '3',
      '--workers',
      '1',
      '--cidr',
      cidr,
    ]);
    if (created.code !== 0) throw new Error(`cluster create failed:\n${created.stderr}`);
    const workerApiOff = /runs without its node API/.test(created.stdout);
    const health = await osctl(['--context', name, 'health', '--wait-timeout', '90s'], 120_000);
    const nodes = (
      JSON.parse(await readFile(join(state, name, 'cluster.json'), 'utf8')) as {
        nodes: { role: string; address: string; pid?: number }[];
      }
    ).nodes;
    const members = await osctl([
      '--context',
      name,
      '-n',
      nodes
        .filter((n) => n.role === 'controlplane')
        .map((n) => n.address)
        .join(','),
      'etcd',
      'members',
    ]);
    // `etcd members` across several nodes: NODE ID HOSTNAME ... per row; each control plane's view as a sorted id list.
    const views = new Map<string, string[]>();
    for (const [node, id] of members.stdout
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/))) {
      if (node !== undefined && id !== undefined && node !== '')
        views.set(node, [...(views.get(node) ?? []), id].sort());
    }
    const distinct = new Set([...views.values()].map((ids) => ids.join(',')));
    const [agreed] = [...views.values()];
    const etcd =
      distinct.size === 1 && agreed !== undefined
        ? `${agreed.length} member(s), the same on all ${views.size} control planes`
        : `members differ between the control planes`;
    const pids = nodes.flatMap((n) => (n.pid === undefined ? [] : [n.pid]));
    const known = (vs: (number | undefined)[]): number[] => vs.filter((v): v is number => v !== undefined);
    const rss = known(await Promise.all(pids.map(rssMb)));
    // What a running node keeps: the same nodes once start-up's garbage is collected and the C heap trimmed.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const steady = known(await Promise.all(pids.map(rssMb)));
    const pss = known(await Promise.all(pids.map(pssMb)));
    const destroy = await osctl(['cluster', 'destroy', ...common], 120_000);
    destroyed = destroy.code === 0;
    if (!destroyed) throw new Error(`cluster destroy failed:\n${destroy.stderr}`);
    const lines = [
      line(
        `cluster create 3 control planes + 1 worker: wall time until every node ready${workerApiOff ? ' (the worker without its API)' : ''} and etcd healthy on each control plane`,
        created.ms / 1000,
        's',
      ),
      line(
        `cluster create until osctl health passes (etcd: ${etcd})`,
        health.code === 0 ? (created.ms + health.ms) / 1000 : Number.NaN,
        health.code === 0 ? 's' : `s (health failed: ${health.stderr.trim().split('\n').pop() ?? ''})`,
      ),
      line(`machined RSS per node after health, max of ${rss.length}`, Math.max(...rss), 'MB'),
      line(`machined RSS per node after health, mean of ${rss.length}`, mean(rss), 'MB'),
      line(
        `machined RSS per node ${SETTLE_MS / 1000} s after health, max of ${steady.length}`,
        Math.max(...steady),
        'MB',
      ),
      line(`machined RSS per node ${SETTLE_MS / 1000} s after health, mean of ${steady.length}`, mean(steady), 'MB'),
      line(
        `machined PSS per node ${SETTLE_MS / 1000} s after health (shared pages of the node binary divided among nodes), mean of ${pss.length}`,
        mean(pss),
        'MB',
      ),
      line('cluster destroy of 3 control planes + 1 worker, wall time', destroy.ms / 1000, 's'),
    ];
    return lines;
  } finally {
    if (!destroyed) {
      await osctl(['cluster', 'destroy', '--name', name, '--state', state, '--grace', '10s'], 120_000).catch(
        () => undefined,
      );
      for (const n of ['controlplane-1', 'controlplane-2', 'controlplane-3', 'worker-1']) {
        await killLeftovers(join(state, name, n)).catch(() => undefined);
      }
      for (const s of ['cp1', 'cp2', 'cp3', 'w1'])
        await timed('ip', ['netns', 'del', `osnode-${name}-${s}`], 10_000).catch(() => undefined);
    }
    await timed('ip', ['netns', 'del', hostNs], 10_000).catch(() => undefined);
    madeNs = undefined;
    await rm(dir, { recursive: true, force: true });
  }
}
