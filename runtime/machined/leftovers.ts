// What a node's services leave on the host after a stop or a crash, and removing it: the containerd of a machined that
// died without stopping it (found through its pid file), and the node's empty cgroup directories.
import { readFileSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The command line of `pid` as one string, or undefined when it is gone. */
function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** Records the pid of the node's containerd, so that a machined started after a crash can find it. */
export function writePidFile(path: string, pid: number): void {
  writeFileSync(path, `${pid}\n`);
}

/**
 * SIGKILLs the process named in `pidFile` if it is still the containerd of `configPath` (a crashed machined left it
 * running; a second one on the same root would wait forever for its lock). Returns its pid, or undefined.
 * Its shims and containers keep running: the new containerd finds them, and each runner recreates its container.
 */
export function killStaleContainerd(pidFile: string, configPath: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1 || cmdline(pid)?.includes(configPath) !== true) return undefined;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return undefined;
  }
  return pid;
}

/** Whether `pid` has ended (or become a zombie whose parent has not reaped it). */
export function ended(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Removes `dir` and its subdirectories, deepest first, where they are empty cgroups; others stay. */
function removeTree(dir: string): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) removeTree(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    // Still holds a process, or not ours to remove: it stays.
  }
}

/** Removes the empty cgroups named `/<nodeName>` in every hierarchy (cgroup v1 controllers, or the v2 root). */
export function removeNodeCgroups(nodeName: string): void {
  let roots: string[];
  try {
    roots = statSync(join(CGROUP_ROOT, 'cgroup.controllers'), { throwIfNoEntry: false })
      ? [CGROUP_ROOT]
      : readdirSync(CGROUP_ROOT).map((c) => join(CGROUP_ROOT, c));
  } catch {
    return;
  }
  for (const root of roots) removeTree(join(root, nodeName));
}
