// A node's machined started detached in its namespaces, and everything a node runs found by its state directory and
// cgroups, stopped (SIGTERM, then SIGKILL) and cleaned up.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open, readFile, readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClusterError } from './errors.js';
import { NETNS_DIR } from './host.js';

/** machined as a node runs it: the bundle of the same build (image/bundle.ts), beside its unbundled entry point. */
export const MACHINED = fileURLToPath(new URL('../../../runtime/machined/main.bundle.js', import.meta.url));

const CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * Node.js flags of a node's machined: several nodes share one machine here, so memory counts more than peak
 * throughput. Measured per node in a 3+1 cluster (VmRSS after `osctl health`, e2e/bench/cluster.ts):
 * - a 1 MiB young-generation semi-space (V8's default is 16 MiB): ~125 → ~97 MB;
 * - one V8 worker thread instead of one per core (with MALLOC_ARENA_MAX below: fewer C-heap arenas): −4 MB;
 * - no optimizing compiler (V8's interpreter and baseline compiler remain): −4.5 MB, of which 3.8 MB are pages of the
 *   node binary the optimizer never touches; a cluster comes up as fast (a node's work is I/O, not hot loops);
 * - gc() exposed, for machined's collection every 30 s (runtime/machined/idle-collect.ts): without it a control plane
 *   grows by ~1 MB a minute of garbage its slow allocation never makes V8 collect.
 */
export const MACHINED_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--v8-pool-size=1',
  '--no-opt',
  '--expose-gc',
];

/** glibc's arenas for machined's threads: two, not eight per core (each keeps its freed pages). */
export const MACHINED_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/**
 * The cgroup name of the node whose state directory is `stateDir`. A copy of `nodeCgroupName` in
 * runtime/machined/extension-service.ts, which osctl may not import (it never reaches into the daemon); a unit test
 * keeps the two equal.
 */
export function nodeCgroupName(stateDir: string): string {
  return `osnode-${createHash('sha256').update(stateDir).digest('hex').slice(0, 10)}`;
}

/** What one node's machined is started with. */
export interface MachinedLaunch {
  readonly netns: string;
  readonly stateDir: string;
  readonly config: string;
  /** Where its stdout and stderr go. */
  readonly out: string;
  /**
   * The node's hostname, set in its new UTS namespace before machined starts: otherwise it would start under this
   * machine's hostname, and whatever it says about itself before its config's hostname is applied (a worker's first
   * certificate request, its cluster Member record) would carry that name.
   */
  readonly hostname: string;
}

/**
 * Starts machined for a node in its own session (it outlives osctl), in the node's network namespace and new UTS and
 * mount namespaces: it sets its own hostname, and what it mounts goes away with it. Resolves with its pid.
 * nsenter, not `ip netns exec`: the latter remounts /sys, which hides the cgroup mounts runc needs.
 */
export async function startMachined(l: MachinedLaunch): Promise<number> {
  const out = await open(l.out, 'a', 0o600);
  try {
    const child = spawn(
      'nsenter',
      [
        `--net=${join(NETNS_DIR, l.netns)}`,
        'unshare',
        '--uts',
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'hostname "$0" && exec "$@"',
        l.hostname,
        process.execPath,
        ...MACHINED_NODE_FLAGS,
        MACHINED,
        '--config',
        l.config,
        '--state-dir',
        l.stateDir,
      ],
      { detached: true, stdio: ['ignore', out.fd, out.fd], cwd: '/', env: { ...process.env, ...MACHINED_ENV } },
    );
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e) => {
        reject(new ClusterError(`cannot start machined with nsenter: ${e.message}`));
      });
    });
    child.unref();
    if (child.pid === undefined) throw new Error('a spawned process without a pid');
    return child.pid;
  } finally {
    await out.close();
  }
}

/** The arguments of process `pid`, or undefined when it is gone. */
async function argv(pid: number): Promise<string[] | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((a) => a !== '');
  } catch {
    return undefined;
  }
}

/** Whether `arg` names `path` or something under it (`--state-dir=/x` counts too). */
function names(arg: string, path: string): boolean {
  return arg === path || arg.startsWith(`${path}/`) || arg.endsWith(`=${path}`) || arg.includes(`=${path}/`);
}

/** The processes (other than this one) whose arguments name one of `paths`, e.g. containerd and its shims. */
export async function processesNaming(paths: readonly string[]): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  const found = await Promise.all(
    pids.map(async (pid) => {
      if (pid === process.pid) return [];
      const args = await argv(pid);
      return args?.some((a) => paths.some((p) => names(a, p))) === true ? [pid] : [];
    }),
  );
  return found.flat();
}

/** The machined processes of the nodes whose state directories are `stateDirs` (`--state-dir DIR` in their arguments). */
export async function machinedProcesses(stateDirs: readonly string[]): Promise<{ pid: number; stateDir: string }[]> {
  const candidates = await processesNaming(stateDirs);
  const found = await Promise.all(
    candidates.map(async (pid) => {
      const args = (await argv(pid)) ?? [];
      const i = args.indexOf('--state-dir');
      const dir = i < 0 ? undefined : args[i + 1];
      const isMachined = args.some((a) => a === MACHINED || /\/machined(\/main(\.bundle)?\.js)?$/.test(a));
      return isMachined && dir !== undefined && stateDirs.includes(dir) ? [{ pid, stateDir: dir }] : [];
    }),
  );
  return found.flat();
}

/** Whether process `pid` is alive (not gone, not a zombie). */
export async function alive(pid: number): Promise<boolean> {
  try {
    return !/^\d+ \(.*\) [ZX]/s.test(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The cgroup hierarchies: the v2 root, or one directory per v1 controller. */
async function cgroupRoots(): Promise<string[]> {
  if (await stat(join(CGROUP_ROOT, 'cgroup.controllers')).catch(() => undefined)) return [CGROUP_ROOT];
  const entries = await readdir(CGROUP_ROOT, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => join(CGROUP_ROOT, e.name));
}

/** `dir` and the cgroups below it, deepest first. */
async function cgroupTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (entries === undefined) return [];
  const below = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => cgroupTree(join(dir, e.name))));
  return [...below.flat(), dir];
}

/** The cgroup directories of node `cgroupName` in every hierarchy, deepest first. */
export async function nodeCgroups(cgroupName: string): Promise<string[]> {
  const roots = await cgroupRoots();
  return (await Promise.all(roots.map((r) => cgroupTree(join(r, cgroupName))))).flat();
}

/** The processes in node `cgroupName`'s cgroups (its containers). */
export async function cgroupProcesses(cgroupName: string): Promise<number[]> {
  const dirs = await nodeCgroups(cgroupName);
  const lists = await Promise.all(dirs.map((d) => readFile(join(d, 'cgroup.procs'), 'utf8').catch(() => '')));
  return [
    ...new Set(
      lists.flatMap((t) =>
        t
          .split('\n')
          .filter((p) => p !== '')
          .map(Number),
      ),
    ),
  ];
}

/** Removes node `cgroupName`'s cgroups (only empty ones can go); returns those that stay. */
export async function removeCgroups(cgroupName: string): Promise<string[]> {
  const left: string[] = [];
  for (const dir of await nodeCgroups(cgroupName)) {
    await rmdir(dir).catch(() => {
      left.push(dir);
    });
  }
  return left;
}

/** Sends `signal` to `pid`; false when it is gone already. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once none of `pids` is alive, or after `ms`; resolves with those still alive. */
export async function waitEnded(pids: readonly number[], ms: number): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = (await Promise.all(pids.map(async (p) => ((await alive(p)) ? [p] : [])))).flat();
    if (left.length === 0 || Date.now() >= end) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
