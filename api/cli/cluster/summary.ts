// What `cluster create` and `cluster show` print: the nodes as a table, notes on nodes not ready, and how to go on.
import { NodeSet, decodePem, parseEndpoint, type TalosconfigContext } from '../../client/index.js';
import { definitionsOf } from '../resource-types.js';
import { formatTable } from '../table.js';
import type { NodeView } from './observe.js';
import { alive } from './processes.js';
import type { ClusterRecord } from './record.js';

/** The summary table of a created cluster: NAME ROLE ADDRESS STAGE READY, and a note per node not ready. */
export function summaryLines(record: ClusterRecord, views: ReadonlyMap<string, { view: NodeView }>): string[] {
  const rows = record.nodes.map((n) => {
    const v = views.get(n.name)?.view;
    return [n.name, n.role, n.address, v?.stage ?? '', String(v?.ready ?? false)];
  });
  const notes = record.nodes.flatMap((n) => {
    const v = views.get(n.name)?.view;
    if (v === undefined || v.ready) return [];
    if (v.phase === 'api off') {
      return [
        `note: ${n.name} runs without its node API: it has no certificate from a control plane's trustd (port 50001) yet; see ${n.stateDir}/logs/machined.log`,
      ];
    }
    return [`note: ${n.name}: ${v.phase}${v.note === '' ? '' : ` (${v.note})`}`];
  });
  return [...formatTable(['NAME', 'ROLE', 'ADDRESS', 'STAGE', 'READY'], rows), ...notes];
}

/** The rows of `cluster show`: NAME ROLE ADDRESS PID STATE, STATE from the machined process. */
export async function showLines(record: ClusterRecord): Promise<string[]> {
  const rows = await Promise.all(
    record.nodes.map(async (n) => {
      const state = n.pid === undefined ? 'not started' : (await alive(n.pid)) ? 'running' : 'stopped';
      return [n.name, n.role, n.address, n.pid === undefined ? '' : String(n.pid), state];
    }),
  );
  const talosconfig = record.talosconfig;
  return [
    `cluster "${record.name}": network ${record.cidr} on bridge ${record.bridge} (this machine: ${record.gateway}), created ${record.createdAt}`,
    `state: ${record.clusterDir}${talosconfig === undefined ? '' : `; context "${talosconfig.context}" in ${talosconfig.path}`}`,
    '',
    ...formatTable(['NAME', 'ROLE', 'ADDRESS', 'PID', 'STATE'], rows),
  ];
}

/** True when the first control plane serves the `Member` resource (cluster membership, issue 9). */
async function hasMembers(record: ClusterRecord, context: TalosconfigContext, signal: AbortSignal): Promise<boolean> {
  const cp = record.nodes.find((n) => n.role === 'controlplane');
  if (cp === undefined) return false;
  const set = new NodeSet({
    targets: [{ node: cp.address, endpoint: parseEndpoint(cp.address) }],
    tls: {
      mode: 'mtls',
      ca: decodePem(context.ca, 'ca', record.name),
      crt: decodePem(context.crt, 'crt', record.name),
      key: decodePem(context.key, 'key', record.name),
    },
    timeoutMs: 3000,
  });
  try {
    const first = set.nodes[0];
    if (first === undefined) return false;
    return (await definitionsOf(first.state, signal)).some((d) => d.type === 'Member');
  } catch {
    return false;
  } finally {
    set.close();
  }
}

/** How to use the cluster: commands with the right --talosconfig, --context and --state (`stateFlag`, may be ''). */
export async function usageLines(
  record: ClusterRecord,
  context: TalosconfigContext,
  o: { defaultTalosconfig: boolean; stateFlag: string; signal: AbortSignal },
): Promise<string[]> {
  const tc = record.talosconfig;
  if (tc === undefined) return [];
  const osctl = `osctl${o.defaultTalosconfig ? '' : ` --talosconfig ${tc.path}`} --context ${tc.context}`;
  const cps = record.nodes.filter((n) => n.role === 'controlplane').map((n) => n.address);
  const members = (await hasMembers(record, context, o.signal))
    ? `${osctl} -n ${cps.join(',')} get members`
    : `${osctl} -n ${cps.join(',')} etcd members`;
  return [
    `context "${tc.context}" is now current in ${tc.path}; the nodes answer from this machine:`,
    `  ${osctl} health`,
    `  ${members}`,
    `  ${osctl} -n ${cps[0] ?? ''} ps`,
    `  osctl cluster show --name ${record.name}${o.stateFlag}`,
    `  osctl cluster destroy --name ${record.name}${o.stateFlag}`,
  ];
}
