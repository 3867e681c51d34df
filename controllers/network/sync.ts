// Makes a controller's resources of one kind equal to a set computed from a kernel dump: write what changed, destroy the rest.
import { deepEqual, type Resource, type ResourceType } from '../../resources/index.js';
import type { ControllerContext } from '../../runtime/index.js';

/**
 * Creates or updates each `desired` resource (nothing is written when equal) and destroys this controller's others.
 * The kind is listed once and compared in memory: with thousands of resources, a lookup per id cost more than the
 * writes themselves. Anything unusual (another owner, a resource tearing down, a race) goes through ctx.modify, which
 * re-reads and retries.
 */
export async function syncOutputs<S>(
  ctx: ControllerContext,
  t: ResourceType<S>,
  namespace: string,
  desired: ReadonlyMap<string, S>,
): Promise<void> {
  const existing = new Map<string, Resource<S>>();
  for (const r of await ctx.list(t, namespace)) existing.set(r.metadata.id, r);
  for (const [id, spec] of desired) {
    const cur = existing.get(id);
    const ours = cur !== undefined && cur.metadata.owner === ctx.name && cur.metadata.phase === 'running';
    if (ours && deepEqual(cur.spec, spec)) continue;
    if (cur === undefined) {
      try {
        await ctx.create(t, namespace, id, spec);
        continue;
      } catch {
        // Created by someone else since the list: modify reads it again and says what is wrong, if anything.
      }
    }
    await ctx.modify(t, namespace, id, () => spec);
  }
  for (const [id, r] of existing) {
    if (r.metadata.owner === ctx.name && !desired.has(id)) await ctx.teardownAndDestroy(t, namespace, id);
  }
}
