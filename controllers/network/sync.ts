// Makes a controller's resources of one kind equal to a set computed from a kernel dump: write what changed, destroy the rest.
import type { ResourceType } from '../../resources/index.js';
import type { ControllerContext } from '../../runtime/index.js';

/** Creates or updates each `desired` resource (nothing is written when equal) and destroys this controller's others. */
export async function syncOutputs<S>(
  ctx: ControllerContext,
  t: ResourceType<S>,
  namespace: string,
  desired: ReadonlyMap<string, S>,
): Promise<void> {
  for (const [id, spec] of desired) await ctx.modify(t, namespace, id, () => spec);
  await ctx.cleanupOutputs(t, namespace, new Set(desired.keys()));
}
