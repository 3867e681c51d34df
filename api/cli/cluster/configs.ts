// A local cluster's configs: one `gen config` for the shared secrets, then each node's config with its hostname and
// address patched in, and the talosconfig context of the cluster (control planes as endpoints, every node as nodes).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  GEN_CONFIG_FILES,
  applyPatches,
  genConfig,
  parsePatch,
  writePrivateFiles,
  type JsonObject,
} from '../../config-gen/index.js';
import { loadTalosconfig, selectContext, type TalosconfigContext } from '../../client/index.js';
import { ConfigValidationError, validateMachineConfig } from '../../../resources/index.js';
import { ClusterError } from './errors.js';
import type { ClusterPlan, NodePlan } from './plan.js';

/** The generated files of a cluster, and each node's config. */
export interface ClusterConfigs {
  /** Node name -> path of its machine config. */
  readonly nodeConfigs: ReadonlyMap<string, string>;
  /** The cluster's talosconfig context (admin certificate), not yet merged anywhere. */
  readonly context: TalosconfigContext;
}

/** The directory under the cluster directory where `gen config` writes. */
export const GEN_DIR = 'gen';

/** The patch that makes a role's config this node's: its hostname, and eth0 with its address and default route. */
export function nodePatch(plan: ClusterPlan, node: NodePlan): JsonObject {
  return {
    machine: {
      network: {
        hostname: node.name,
        interfaces: [
          {
            interface: 'eth0',
            addresses: [`${node.address}/${plan.prefixLength}`],
            routes: [{ network: '0.0.0.0/0', gateway: plan.gateway }],
          },
        ],
      },
    },
  };
}

async function readConfig(path: string): Promise<JsonObject> {
  const doc: unknown = parse(await readFile(path, 'utf8'));
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${path} is not a mapping`);
  return doc as JsonObject;
}

/** Generates the cluster's secrets and configs under its directory; each node's config in its state directory. */
export async function generateConfigs(plan: ClusterPlan, signal: AbortSignal): Promise<ClusterConfigs> {
  const genDir = join(plan.clusterDir, GEN_DIR);
  await genConfig({ clusterName: plan.name, endpoint: plan.endpoint, outputDir: genDir, mode: 'container', signal });
  const base = {
    controlplane: await readConfig(join(genDir, GEN_CONFIG_FILES.controlPlane)),
    worker: await readConfig(join(genDir, GEN_CONFIG_FILES.worker)),
  };
  const nodeConfigs = new Map<string, string>();
  const files = plan.nodes.map((node) => {
    const patch = parsePatch(JSON.stringify(nodePatch(plan, node)), `the patch of ${node.name}`);
    const doc = applyPatches(base[node.role], [patch]);
    try {
      validateMachineConfig(doc, { mode: 'container', strict: false });
    } catch (e: unknown) {
      if (!(e instanceof ConfigValidationError)) throw e;
      const issues = e.issues.map((i) => `${i.path}: ${i.message}`);
      throw new ClusterError(`the config of ${node.name} would not be valid`, issues);
    }
    const path = join(node.stateDir, 'config.yaml');
    nodeConfigs.set(node.name, path);
    const header = [
      `# Machine config of ${node.name} (${node.role}) of local cluster "${plan.name}", made by \`osctl cluster create\`:`,
      `# ${GEN_DIR}/${node.role === 'controlplane' ? GEN_CONFIG_FILES.controlPlane : GEN_CONFIG_FILES.worker} with this node's hostname and address. It holds the cluster's secrets: keep it private.`,
    ];
    return { path, content: `${header.join('\n')}\n${stringify(doc, { lineWidth: 0 })}` };
  });
  await writePrivateFiles(files, { signal });
  const talosconfigPath = join(genDir, GEN_CONFIG_FILES.talosconfig);
  const { context } = selectContext(await loadTalosconfig(talosconfigPath, signal), talosconfigPath, plan.name);
  const addresses = (role?: NodePlan['role']): string[] =>
    plan.nodes.filter((n) => role === undefined || n.role === role).map((n) => n.address);
  return {
    nodeConfigs,
    context: { ...context, endpoints: addresses('controlplane'), nodes: addresses() },
  };
}
