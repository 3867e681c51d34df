// Creating a local cluster: refuse before making anything when it cannot work, then configs, bridge, namespaces and
// veths, the talosconfig context and one detached machined per node; roll all of it back on any failure.
import { access, lstat, mkdir } from 'node:fs/promises';
import type { TalosconfigContext } from '../../client/index.js';
import { generateConfigs } from './configs.js';
import { mergeContext } from './contexts.js';
import { destroyCluster } from './destroy.js';
import { ClusterError } from './errors.js';
import { collisions, freeCidr, usedNetworks } from './host.js';
import { createBridge, createNodeNetwork, existingNetwork } from './network.js';
import { parseCidr, planCluster, type ClusterPlan, type PlanInput } from './plan.js';
import { MACHINED, startMachined } from './processes.js';
import { waitForNodes, type ProgressOptions } from './progress.js';
import { newRecord, saveRecord, type ClusterRecord } from './record.js';
import type { NodeView } from './observe.js';

/** What create is asked for. */
export interface CreateOptions extends PlanInput {
  /** The talosconfig to merge the cluster's context into. */
  readonly talosconfig: string;
  readonly progress: Omit<ProgressOptions, 'signal'>;
  readonly signal: AbortSignal;
}

/** A created cluster: its record, its talosconfig context, and each node's last view and when it settled. */
export interface CreatedCluster {
  readonly record: ClusterRecord;
  readonly context: TalosconfigContext;
  readonly views: ReadonlyMap<string, { view: NodeView; settledMs: number }>;
}

/** Refuses, before anything is made, a cluster that cannot be made here; returns its plan. */
export async function preflight(input: PlanInput, signal: AbortSignal): Promise<ClusterPlan> {
  if (process.getuid?.() !== 0) {
    throw new ClusterError(
      'cluster create needs root: it adds a bridge, network namespaces and veth pairs to this machine (run it with sudo)',
    );
  }
  const plan = planCluster(input);
  await access(MACHINED).catch(() => {
    throw new ClusterError(`machined is not built at ${MACHINED}: run \`npm run build\``);
  });
  const { links, namespaces } = await existingNetwork({ name: plan.name, bridge: plan.bridge, nodes: plan.nodes });
  const dir = await lstat(plan.clusterDir).catch(() => undefined);
  if (dir !== undefined || links.length > 0 || namespaces.length > 0) {
    const what = [
      ...(dir === undefined ? [] : [`directory ${plan.clusterDir}`]),
      ...links.map((l) => `link ${l}`),
      ...namespaces.map((n) => `network namespace ${n}`),
    ];
    throw new ClusterError(
      `a cluster named "${plan.name}" exists (${what.join(', ')}): destroy it with \`osctl cluster destroy --name ${plan.name}\` or choose another --name`,
    );
  }
  const used = await usedNetworks(signal);
  const hit = collisions(parseCidr(plan.cidr), used);
  if (hit.length > 0) {
    const free = freeCidr(used, plan.prefixLength);
    throw new ClusterError(
      `--cidr ${plan.cidr} overlaps networks of this machine: a cluster there would cut them off${free === undefined ? '' : `; choose a free one such as --cidr ${free}`}`,
      hit.map((h) => h.what),
    );
  }
  return plan;
}

/** Creates the cluster and waits for its nodes; on any failure (or an interrupt) removes everything it made. */
export async function createCluster(o: CreateOptions): Promise<CreatedCluster> {
  const plan = await preflight(o, o.signal);
  const note = o.progress.io.err;
  await mkdir(plan.clusterDir, { recursive: true, mode: 0o700 });
  let record = newRecord(plan);
  try {
    await saveRecord(record);
    note(`generating the configs of ${plan.nodes.length} node(s) in ${plan.clusterDir}`);
    const configs = await generateConfigs(plan, o.signal);
    note(`creating bridge ${plan.bridge} (${plan.gateway}/${plan.prefixLength}) and a network namespace per node`);
    await createBridge(plan, o.signal);
    for (const node of plan.nodes) await createNodeNetwork(plan, node, o.signal);
    const merged = await mergeContext(o.talosconfig, plan.name, configs.context, o.signal);
    record = { ...record, talosconfig: merged };
    await saveRecord(record);
    const nodes = [];
    for (const node of plan.nodes) {
      const config = configs.nodeConfigs.get(node.name) ?? '';
      const pid = await startMachined({
        netns: node.netns,
        stateDir: node.stateDir,
        config,
        out: `${node.stateDir}/machined.out`,
        hostname: node.name,
      });
      nodes.push({ ...node, pid });
      record = { ...record, nodes: [...nodes, ...plan.nodes.slice(nodes.length)] };
      await saveRecord(record);
    }
    note(`started ${nodes.length} machined; waiting for the nodes (up to ${o.progress.timeoutMs / 1000}s)`);
    const views = await waitForNodes(record.nodes, configs.context, { ...o.progress, signal: o.signal });
    return { record, views, context: configs.context };
  } catch (e: unknown) {
    note(`rolling back cluster "${plan.name}": ${o.signal.aborted ? 'interrupted' : 'creation failed'}`);
    try {
      const report = await destroyCluster({
        name: plan.name,
        stateRoot: o.stateRoot,
        graceMs: 10_000,
        note,
        signal: AbortSignal.timeout(120_000),
      });
      for (const l of report.lines) note(`  ${l}`);
    } catch (undo: unknown) {
      note(`  rollback incomplete: ${undo instanceof Error ? undo.message : String(undo)}`);
      note(`  finish it with \`osctl cluster destroy --name ${plan.name}\``);
    }
    throw e;
  }
}
