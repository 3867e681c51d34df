// How one node of a local cluster is doing while it comes up: its process, its MachineStatus and etcd through the
// node API, or, while a node serves no API (a worker before it has a certificate), what its own log says.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeClients } from '../../client/index.js';
import { MACHINE_ID, MachineStatusType, RUNTIME_NAMESPACE, type MachineStatusSpec } from '../../../resources/index.js';
import { probePort } from './probe.js';
import { alive } from './processes.js';
import type { NodeRecord } from './record.js';

/** Where a node is, as the progress display shows it. */
export type NodePhase = 'starting' | 'booting' | 'running' | 'ready' | 'api off' | 'exited';

/** One observation of a node. */
export interface NodeView {
  readonly phase: NodePhase;
  /** MachineStatus stage, as the API (or, without it, the node's log) says; '' before it is known. */
  readonly stage: string;
  /** MachineStatus ready. */
  readonly ready: boolean;
  /** What the phase alone does not say: unmet conditions, etcd, why the API is off, why it exited. */
  readonly note: string;
}

/**
 * True when `v` is where a node of `role` can be left: ready; or, for a worker, running without its API once
 * `workerGraceOver` (the control planes have been ready for a while and it still has no certificate from them).
 */
export function settled(role: NodeRecord['role'], v: NodeView, workerGraceOver = false): boolean {
  return v.phase === 'ready' || (role === 'worker' && v.phase === 'api off' && workerGraceOver);
}

/** What machined's JSON-line log says: its last stage, and why its API is off, if it is. */
export async function fromLog(stateDir: string): Promise<{ stage: string; apiOff?: string }> {
  const text = await readFile(join(stateDir, 'logs', 'machined.log'), 'utf8').catch(() => '');
  let stage = '';
  let apiOff: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let entry: { component?: unknown; level?: unknown; msg?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const msg = typeof entry.msg === 'string' ? entry.msg : '';
    const s = entry.component === 'machined' ? /stage ([a-z ]+)$/.exec(msg)?.[1] : undefined;
    if (s !== undefined) stage = s;
    if (entry.component === 'apid' && /not served/.test(msg)) apiOff = msg;
    if (entry.component === 'apid' && /node API in \S+ mode on/.test(msg)) apiOff = undefined;
  }
  return { stage, ...(apiOff === undefined ? {} : { apiOff }) };
}

/** The last `n` lines of `path` (machined's stdout and stderr), for a node that exited. */
export async function tail(path: string, n: number): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-n);
}

/** Whether etcd on the node is Running and healthy, and if not, what it is doing. */
async function etcdState(n: NodeClients, signal: AbortSignal): Promise<{ healthy: boolean; note: string }> {
  const [list] = await n.machine.serviceList({ signal, timeoutMs: 3000 });
  const etcd = list?.services.find((s) => s.id === 'etcd');
  if (etcd === undefined) return { healthy: false, note: 'etcd not started yet' };
  const healthy = etcd.state === 'Running' && etcd.health?.healthy === true;
  return { healthy, note: healthy ? 'etcd healthy' : `etcd ${etcd.state}` };
}

/** One look at node `node` through `client` (its API) and, when the API does not answer, its process and log. */
export async function observe(node: NodeRecord, client: NodeClients, signal: AbortSignal): Promise<NodeView> {
  if (node.pid !== undefined && !(await alive(node.pid))) {
    return { phase: 'exited', stage: '', ready: false, note: `machined exited: see ${node.stateDir}/machined.out` };
  }
  let status: MachineStatusSpec;
  try {
    // A probe first: see probe.ts for why an API call must not be the first to try a node that may not answer.
    const closed = await probePort(node.address, 50000, 1000);
    if (closed !== undefined) throw new Error(closed);
    const ptr = { namespace: RUNTIME_NAMESPACE, type: MachineStatusType.type, id: MACHINE_ID };
    status = (await client.state.get(ptr, { signal })).spec as MachineStatusSpec;
  } catch (e: unknown) {
    if (signal.aborted) throw e;
    const log = await fromLog(node.stateDir);
    if (log.apiOff !== undefined) {
      return {
        phase: 'api off',
        stage: log.stage,
        ready: false,
        note: 'waiting for its certificate from a control plane',
      };
    }
    const phase = log.stage === '' ? 'starting' : log.stage === 'running' ? 'running' : 'booting';
    return { phase, stage: log.stage, ready: false, note: log.stage === '' ? '' : 'its API does not answer yet' };
  }
  const unmet = status.unmetConditions.map((c) => c.name).join(', ');
  if (status.stage !== 'running') {
    return {
      phase: 'booting',
      stage: status.stage,
      ready: status.ready,
      note: unmet === '' ? '' : `waiting: ${unmet}`,
    };
  }
  if (!status.ready) return { phase: 'running', stage: status.stage, ready: false, note: `unmet: ${unmet}` };
  if (node.role !== 'controlplane') return { phase: 'ready', stage: status.stage, ready: true, note: '' };
  const etcd = await etcdState(client, signal).catch(() => ({ healthy: false, note: 'etcd state unknown' }));
  return { phase: etcd.healthy ? 'ready' : 'running', stage: status.stage, ready: true, note: etcd.note };
}
