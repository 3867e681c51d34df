// A local cluster's network on this machine: the bridge with the host's address, and per node a network namespace
// with a veth pair (host side on the bridge, node side eth0); and removing all of it again.
import { ip, linkNames, netnsNames } from './host.js';
import { netnsPattern, vethPattern, type ClusterPlan, type NodePlan } from './plan.js';

/** The bridge, with the first address of the CIDR on this machine's side, up. */
export async function createBridge(plan: ClusterPlan, signal: AbortSignal): Promise<void> {
  await ip(['link', 'add', plan.bridge, 'type', 'bridge'], signal);
  await ip(['address', 'add', `${plan.gateway}/${plan.prefixLength}`, 'dev', plan.bridge], signal);
  await ip(['link', 'set', plan.bridge, 'up'], signal);
}

/**
 * The node's network namespace and its veth pair: the host side on the bridge and up, the node side created inside the
 * namespace as eth0 (down, unaddressed: the node's own network controllers configure it from its config).
 */
export async function createNodeNetwork(plan: ClusterPlan, node: NodePlan, signal: AbortSignal): Promise<void> {
  await ip(['netns', 'add', node.netns], signal);
  await ip(['link', 'add', node.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns], signal);
  await ip(['link', 'set', node.hostVeth, 'master', plan.bridge, 'up'], signal);
}

/** What makes up a cluster's network: its names, and the patterns any of its leftovers match. */
export interface ClusterNetwork {
  readonly name: string;
  readonly bridge: string;
  readonly nodes: readonly { readonly netns: string; readonly hostVeth: string }[];
}

/** The links and namespaces of the cluster that exist now: recorded ones and any matching its naming. */
export async function existingNetwork(n: ClusterNetwork): Promise<{ links: string[]; namespaces: string[] }> {
  const [links, namespaces] = await Promise.all([linkNames(), netnsNames()]);
  const veth = vethPattern(n.name);
  const netns = netnsPattern(n.name);
  const wantLinks = new Set([n.bridge, ...n.nodes.map((x) => x.hostVeth)]);
  const wantNs = new Set(n.nodes.map((x) => x.netns));
  return {
    links: [...links].filter((l) => wantLinks.has(l) || veth.test(l)).sort(),
    namespaces: [...namespaces].filter((s) => wantNs.has(s) || netns.test(s)).sort(),
  };
}

/**
 * Removes the cluster's veth pairs (deleting the host side deletes the node side), its bridge, then its namespaces.
 * Run it after the nodes' processes are gone: a namespace lives on while a process is inside. Returns what it removed.
 */
export async function removeNetwork(n: ClusterNetwork, signal: AbortSignal): Promise<string[]> {
  const { links, namespaces } = await existingNetwork(n);
  const removed: string[] = [];
  // Veths first, the bridge last among links: removing the bridge first would only detach them.
  const ordered = [...links.filter((l) => l !== n.bridge), ...links.filter((l) => l === n.bridge)];
  for (const l of ordered) {
    await ip(['link', 'delete', l], signal);
    removed.push(`link ${l}`);
  }
  for (const s of namespaces) {
    await ip(['netns', 'delete', s], signal);
    removed.push(`netns ${s}`);
  }
  return removed;
}
