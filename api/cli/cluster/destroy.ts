// Tearing a local cluster down: SIGTERM each machined (it stops its services and containerd), SIGKILL what is left
// after a bounded wait, empty and remove the nodes' cgroups, then the network, the talosconfig context and the state.
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { removeContext } from './contexts.js';
import { ClusterError } from './errors.js';
import { existingNetwork, removeNetwork } from './network.js';
import { bridgeName, checkLocalClusterName } from './plan.js';
import {
  cgroupProcesses,
  machinedProcesses,
  nodeCgroupName,
  processesNaming,
  removeCgroups,
  signalProcess,
  waitEnded,
} from './processes.js';
import { loadRecord, type ClusterRecord } from './record.js';

/** What destroy is asked to do. */
export interface DestroyOptions {
  readonly name: string;
  /** The directory holding every cluster's directory. */
  readonly stateRoot: string;
  /** How long machined gets to stop cleanly after SIGTERM before it is killed. */
  readonly graceMs: number;
  /** Progress lines (stderr). */
  readonly note: (line: string) => void;
  readonly signal: AbortSignal;
}

/** What destroy did, as sentences. */
export interface DestroyReport {
  readonly lines: readonly string[];
  /** Machined processes stopped by SIGTERM within the grace period, and those killed. */
  readonly stopped: number;
  readonly killed: number;
}

const NODE_DIR = /^(controlplane|worker)-\d+$/;

/** The state directories of the cluster: recorded ones and any node directory in its cluster directory. */
async function stateDirs(clusterDir: string, record: ClusterRecord | undefined): Promise<string[]> {
  const found = (await readdir(clusterDir).catch(() => [] as string[]))
    .filter((d) => NODE_DIR.test(d))
    .map((d) => join(clusterDir, d));
  return [...new Set([...(record?.nodes.map((n) => n.stateDir) ?? []), ...found])].sort();
}

/**
 * Stops every process of the nodes in `dirs`: machined by SIGTERM first (workers together, control planes one at a
 * time), then SIGKILL for anything left after `graceMs`. Control planes go one by one because an etcd leader that is
 * stopped hands its leadership to a live member first, and waits seconds when that member is stopping at the same
 * time; one by one, each handover finds a live member or none at all.
 */
async function stopNodes(dirs: readonly string[], graceMs: number): Promise<{ stopped: number; killed: number }> {
  const machined = await machinedProcesses(dirs);
  const end = performance.now() + graceMs;
  const remaining = (): number => Math.max(0, end - performance.now());
  const isCp = (m: { stateDir: string }): boolean => /\/controlplane-\d+$/.test(m.stateDir);
  const workers = machined.filter((m) => !isCp(m)).map((m) => m.pid);
  for (const pid of workers) signalProcess(pid, 'SIGTERM');
  const stubborn: number[] = [];
  const cps = machined.filter(isCp).sort((a, b) => b.stateDir.localeCompare(a.stateDir, 'en', { numeric: true }));
  for (const cp of cps) {
    signalProcess(cp.pid, 'SIGTERM');
    stubborn.push(...(await waitEnded([cp.pid], remaining())));
  }
  stubborn.push(...(await waitEnded(workers, remaining())));
  for (const pid of stubborn) signalProcess(pid, 'SIGKILL');
  // Whatever outlived its machined: containerd and shims name the state directory, containers sit in its cgroups.
  const cgroups = dirs.map(nodeCgroupName);
  const leftovers = async (): Promise<number[]> => [
    ...new Set([...(await processesNaming(dirs)), ...(await Promise.all(cgroups.map(cgroupProcesses))).flat()]),
  ];
  let left = await leftovers();
  for (let round = 0; left.length > 0 && round < 5; round++) {
    for (const pid of left) signalProcess(pid, 'SIGKILL');
    await waitEnded(left, 5000);
    left = await leftovers();
  }
  if (left.length > 0) throw new ClusterError(`processes of the cluster would not die: pids ${left.join(', ')}`);
  const stay = (await Promise.all(cgroups.map(removeCgroups))).flat();
  if (stay.length > 0) throw new ClusterError(`cgroups of the cluster could not be removed: ${stay.join(', ')}`);
  return { stopped: machined.length - stubborn.length, killed: stubborn.length };
}

/**
 * Destroys cluster `name`, whole or half-made: by its record when there is one, and by its naming otherwise, so
 * that nothing of it stays. Throws when there is nothing of that name at all.
 */
export async function destroyCluster(o: DestroyOptions): Promise<DestroyReport> {
  const name = checkLocalClusterName(o.name);
  const clusterDir = join(resolve(o.stateRoot), name);
  let record: ClusterRecord | undefined;
  try {
    record = await loadRecord(clusterDir);
  } catch (e: unknown) {
    if (!(e instanceof ClusterError)) throw e;
    o.note(`warning: ${e.message.replace(/^osctl: /, '')}; removing what matches the cluster's naming`);
  }
  const net = {
    name,
    bridge: record?.bridge ?? bridgeName(name),
    nodes: record?.nodes ?? [],
  };
  const dirs = await stateDirs(clusterDir, record);
  const dirExists = (await readdir(clusterDir).catch(() => undefined)) !== undefined;
  const { links, namespaces } = await existingNetwork(net);
  if (!dirExists && links.length === 0 && namespaces.length === 0) {
    throw new ClusterError(`no cluster named "${name}": nothing at ${clusterDir}, and no bridge or namespaces of it`);
  }
  const lines: string[] = [];
  const since = (t: number): string => `${((performance.now() - t) / 1000).toFixed(1)}s`;
  if (dirs.length > 0) o.note(`stopping ${dirs.length} node(s) (SIGTERM, SIGKILL after ${o.graceMs / 1000}s)`);
  const t0 = performance.now();
  const { stopped, killed } = await stopNodes(dirs, o.graceMs);
  if (stopped + killed > 0) {
    const how = `${stopped} cleanly${killed > 0 ? `, ${killed} killed` : ''}`;
    lines.push(`stopped ${stopped + killed} machined in ${since(t0)}: ${how}`);
  }
  const t1 = performance.now();
  const removed = await removeNetwork(net, o.signal);
  if (removed.length > 0) lines.push(`removed ${removed.join(', ')} in ${since(t1)}`);
  if (record?.talosconfig !== undefined) {
    const what = await removeContext(record.talosconfig, o.signal);
    if (what !== undefined) lines.push(what);
  }
  if (dirExists) {
    await rm(clusterDir, { recursive: true, force: true });
    lines.push(`removed ${clusterDir}`);
  }
  return { lines, stopped, killed };
}
