// The v1alpha1 machine config document: the zod schema the store validates with, and the rules that span sections.
import { z } from 'zod';
import { ClusterSchema } from './cluster.js';
import { REDACTED, field, report } from './common.js';
import { MachineSchema } from './machine.js';

/** The one config version this node reads. */
export const CONFIG_VERSION = 'v1alpha1';

/** The message for a document of another version. */
export function unsupportedVersion(version: unknown): string {
  const shown = typeof version === 'string' ? version : JSON.stringify(version);
  return `config version ${shown} is not supported; this node reads ${CONFIG_VERSION}`;
}

/** Secrets only control-plane nodes may hold: where, and what it is. */
const CONTROL_PLANE_SECRETS: readonly (readonly [readonly string[], string])[] = [
  [['machine', 'ca', 'key'], 'the machine CA key'],
  [['cluster', 'ca', 'key'], 'the Kubernetes CA key'],
  [['cluster', 'aggregatorCA', 'key'], 'the aggregator CA key'],
  [['cluster', 'serviceAccount', 'key'], 'the service account signing key'],
  [['cluster', 'etcd', 'ca', 'key'], 'the etcd CA key'],
  [['cluster', 'secretboxEncryptionSecret'], 'the key that encrypts Secrets at rest'],
];

/** A worker verifies with CA certificates but signs nothing: it holds no CA keys, no etcd keys, no cluster secrets. */
function workerRule(doc: unknown, ctx: z.core.$RefinementCtx): void {
  if (field(field(doc, 'machine'), 'type') !== 'worker') return;
  for (const [path, what] of CONTROL_PLANE_SECRETS) {
    const value = path.reduce<unknown>((v, k) => field(v, k), doc);
    if (value === undefined || value === '') continue;
    const fix = path.at(-1) === 'key' ? 'set it to "" (keep crt)' : 'remove it';
    report(
      ctx,
      path,
      `a worker must not hold ${what} (only control-plane nodes use it); ${fix}, or set machine.type: controlplane`,
      REDACTED,
    );
  }
}

/**
 * The machine config document (v1alpha1). Unknown fields are kept (and reported by validateMachineConfig as warnings or,
 * in strict mode, errors). The store validates MachineConfig resources with this schema: it accepts what non-strict
 * validation accepts in container or cloud mode; the one rule that depends on the platform (install.disk on metal) is
 * left to validateMachineConfig, since the store does not know where it runs.
 */
export const MachineConfigSpecSchema = z
  .looseObject({
    version: z
      .literal(CONFIG_VERSION, {
        error: (i) =>
          i.input === undefined ? `missing; add version: ${CONFIG_VERSION} at the top` : unsupportedVersion(i.input),
      })
      .describe('The config format version; this node reads v1alpha1.'),
    debug: z
      .boolean()
      .describe('Send the logs of every service to the console as well.')
      .meta({ default: false })
      .optional(),
    persist: z
      .boolean()
      .describe('Keep the applied config on disk so that the node uses it after a restart.')
      .meta({ default: true })
      .optional(),
    machine: MachineSchema.describe('Settings of this node.'),
    cluster: ClusterSchema.describe('Settings shared by the nodes of the cluster.').optional(),
  })
  .superRefine(workerRule, { when: () => true });

/** A validated machine config document. */
export type MachineConfigDocument = z.infer<typeof MachineConfigSpecSchema>;
