// Memory and processes of the node, read from /proc (the node's own PID namespace when machined runs in one).
import { readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { PbMemInfo, PbProcessInfo } from '../../api/proto/types.js';

/** /proc/meminfo in KiB: the protocol's machine.MemInfo, so that the API sends it as read. */
export type MemInfo = PbMemInfo;

/** One process (CPU time in seconds, memory in bytes): the protocol's machine.ProcessInfo. */
export type ProcessInfo = PbProcessInfo;

const MEMINFO_KEYS: Record<string, keyof MemInfo> = {
  MemTotal: 'memtotal',
  MemFree: 'memfree',
  MemAvailable: 'memavailable',
  Buffers: 'buffers',
  Cached: 'cached',
  SwapCached: 'swapcached',
  Active: 'active',
  Inactive: 'inactive',
  SwapTotal: 'swaptotal',
  SwapFree: 'swapfree',
  Shmem: 'shmem',
};

/** Parses /proc/meminfo text; fields it lacks are 0. */
export function parseMeminfo(text: string): MemInfo {
  const out: MemInfo = {
    memtotal: 0,
    memfree: 0,
    memavailable: 0,
    buffers: 0,
    cached: 0,
    swapcached: 0,
    active: 0,
    inactive: 0,
    swaptotal: 0,
    swapfree: 0,
    shmem: 0,
  };
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+):\s+(\d+)/.exec(line);
    const key = m === null ? undefined : MEMINFO_KEYS[m[1] ?? ''];
    if (key !== undefined) out[key] = Number(m?.[2]);
  }
  return out;
}

/** The node's memory (/proc/meminfo). */
export async function readMemory(proc = '/proc'): Promise<MemInfo> {
  return parseMeminfo(await readFile(join(proc, 'meminfo'), 'utf8'));
}

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat, 100 in the userspace ABI of every common Linux architecture. */
const USER_HZ = 100;

/** Parses /proc/<pid>/stat and the VmRSS line of /proc/<pid>/status; undefined when `stat` is malformed. */
export function parseProcess(
  pid: number,
  stat: string,
  status: string,
  cmdline: string,
  exe: string,
): ProcessInfo | undefined {
  // The command name sits in parentheses and may itself hold spaces and parentheses: cut at the last ')'.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const num = (i: number): number => Number(f[i] ?? 0);
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  return {
    pid,
    ppid: num(1),
    state: f[0] ?? '?',
    threads: num(17),
    cpuTime: (num(11) + num(12)) / USER_HZ,
    virtualMemory: num(20),
    residentMemory: rssKb * 1024,
    command: stat.slice(open + 1, close),
    executable: exe,
    args: cmdline
      .split('\0')
      .filter((a) => a !== '')
      .join(' '),
  };
}

const readOr = (path: string, fallback = ''): Promise<string> => readFile(path, 'utf8').catch(() => fallback);

/** Every process in /proc, by pid; processes that exit while being read are left out. */
export async function readProcesses(proc = '/proc'): Promise<ProcessInfo[]> {
  const pids = (await readdir(proc)).filter((d) => /^\d+$/.test(d)).map(Number);
  const all = await Promise.all(
    pids.map(async (pid) => {
      const dir = join(proc, String(pid));
      const stat = await readOr(join(dir, 'stat'));
      if (stat === '') return undefined; // exited
      const [status, cmdline, exe] = await Promise.all([
        readOr(join(dir, 'status')),
        readOr(join(dir, 'cmdline')),
        readlink(join(dir, 'exe')).catch(() => ''), // kernel threads have none
      ]);
      return parseProcess(pid, stat, status, cmdline, exe);
    }),
  );
  return all.filter((p): p is ProcessInfo => p !== undefined).sort((a, b) => a.pid - b.pid);
}
