// The record of a local cluster (`<cluster dir>/cluster.json`): its plan, the machined pids and the talosconfig context.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ClusterError } from './errors.js';
import type { ClusterPlan } from './plan.js';

const NodeRecordSchema = z.object({
  name: z.string(),
  role: z.enum(['controlplane', 'worker']),
  address: z.string(),
  netns: z.string(),
  hostVeth: z.string(),
  stateDir: z.string(),
  pid: z.number().int().optional(),
});

const ClusterRecordSchema = z.object({
  version: z.literal(1),
  name: z.string(),
  cidr: z.string(),
  prefixLength: z.number().int(),
  gateway: z.string(),
  bridge: z.string(),
  clusterDir: z.string(),
  endpoint: z.string(),
  createdAt: z.string(),
  nodes: z.array(NodeRecordSchema),
  talosconfig: z
    .object({
      path: z.string().describe('The client config the context was merged into.'),
      context: z.string().describe('The context name (the cluster name, or with -1, -2... when that was taken).'),
      previousContext: z.string().describe('The current context before; restored by destroy.'),
      crt: z.string().describe('The context client certificate: destroy removes the context only while it matches.'),
      created: z.boolean().describe('Whether create made the file: destroy removes it again when no context is left.'),
    })
    .optional(),
});

/** One node as recorded: its plan and, once started, its machined's pid. */
export type NodeRecord = z.infer<typeof NodeRecordSchema>;

/** A local cluster as recorded. */
export type ClusterRecord = z.infer<typeof ClusterRecordSchema>;

/** The record's file name in the cluster directory. */
export const RECORD_FILE = 'cluster.json';

/** A new record for `plan`, written before anything is made, so that destroy finds a half-made cluster too. */
export function newRecord(plan: ClusterPlan, now = new Date()): ClusterRecord {
  return {
    version: 1,
    name: plan.name,
    cidr: plan.cidr,
    prefixLength: plan.prefixLength,
    gateway: plan.gateway,
    bridge: plan.bridge,
    clusterDir: plan.clusterDir,
    endpoint: plan.endpoint,
    createdAt: now.toISOString(),
    nodes: plan.nodes.map((n) => ({ ...n })),
  };
}

/** Writes the record (0600, atomically). */
export async function saveRecord(r: ClusterRecord): Promise<void> {
  const path = join(r.clusterDir, RECORD_FILE);
  await writeFile(`${path}.tmp`, `${JSON.stringify(r, null, 2)}\n`, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

/** Reads the record in `clusterDir`; undefined when there is none. */
export async function loadRecord(clusterDir: string): Promise<ClusterRecord | undefined> {
  const path = join(clusterDir, RECORD_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ClusterError(`cannot read ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e: unknown) {
    throw new ClusterError(`${path} is not valid JSON (${(e as Error).message}): remove the cluster with destroy`);
  }
  const r = ClusterRecordSchema.safeParse(doc);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new ClusterError(`${path} is not a cluster record: ${issues.join('; ')}`);
  }
  return r.data;
}
