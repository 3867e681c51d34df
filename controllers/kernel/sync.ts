// Makes a controller's resources of one kind in one namespace equal to a desired set: write what changed, destroy the rest.
import { deepEqual, type ResourceType } from '../../resources/index.js';
import type { ControllerContext } from '../../runtime/index.js';

/**
 * Creates or updates each `desired` resource (nothing is written when it is equal and ours already) and tears down and
 * destroys this controller's other resources of the kind. Kernel kinds hold tens of resources, so one listing and one
 * write per change is all it takes.
 */
export async function syncKind<S>(
  ctx: ControllerContext,
  t: ResourceType<S>,
  namespace: string,
  desired: ReadonlyMap<string, S>,
): Promise<void> {
  const existing = new Map((await ctx.list(t, namespace)).map((r) => [r.metadata.id, r] as const));
  for (const [id, spec] of desired) {
    const cur = existing.get(id);
    const ours = cur?.metadata.owner === ctx.name && cur.metadata.phase === 'running';
    if (ours && deepEqual(cur.spec, spec)) continue;
    await ctx.modify(t, namespace, id, () => spec);
  }
  await ctx.cleanupOutputs(t, namespace, new Set(desired.keys()));
}
