// Makes a controller's resources of one kind equal to a set computed from a kernel dump: write what changed, destroy the rest.
import { deepEqual, type Resource, type ResourceType } from '../../resources/index.js';
import type { ControllerContext } from '../../runtime/index.js';

/**
 * Writes issued at most {@link WriteBatch.LIMIT} at a time without waiting for each. The in-memory store commits a
 * write when it is called, so a pass of a thousand writes pays a few waits instead of a thousand, and the watchers of
 * the kind wake once per batch instead of once per resource. A batch stays well inside a collection's event history
 * (1,024 events), so a watcher that keeps up between batches never falls behind it.
 */
export class WriteBatch {
  /** Writes in flight before the writer waits for them (and watchers catch up). */
  static readonly LIMIT = 256;
  private pending: Promise<void>[] = [];
  private failure: { readonly error: unknown } | undefined;
  private readonly fail = (error: unknown): void => {
    this.failure ??= { error };
  };

  /** Adds a write (or a chain of them, such as a create falling back to a modify). */
  add(write: Promise<unknown>): void {
    this.pending.push(write.then(undefined, this.fail));
  }

  /** True when the writer should `await flush()` before adding more. */
  get full(): boolean {
    return this.pending.length >= WriteBatch.LIMIT;
  }

  /** Waits for the writes added so far; rejects with the first failure of the batch, if any. */
  async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
    if (this.failure !== undefined) throw this.failure.error;
  }
}

/**
 * Creates `id` from the pass's listing, which said it is absent; when it was created since (by anyone), modify reads it
 * again and says what is wrong, if anything.
 */
export function createOrModify<S>(
  ctx: ControllerContext,
  t: ResourceType<S>,
  namespace: string,
  id: string,
  spec: S,
): Promise<unknown> {
  return ctx.create(t, namespace, id, spec).then(undefined, () => ctx.modify(t, namespace, id, () => spec));
}

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
  const writes = new WriteBatch();
  // By index over the ids: iterating a Map's entries makes two objects per entry until the code is optimized.
  const ids = [...desired.keys()];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    const spec = desired.get(id) as S;
    const cur = existing.get(id);
    if (cur === undefined) {
      writes.add(createOrModify(ctx, t, namespace, id, spec));
    } else {
      const ours = cur.metadata.owner === ctx.name && cur.metadata.phase === 'running';
      if (ours && deepEqual(cur.spec, spec)) continue;
      writes.add(ctx.modify(t, namespace, id, () => spec));
    }
    if (writes.full) await writes.flush();
  }
  await writes.flush();
  for (const [id, r] of existing) {
    if (r.metadata.owner === ctx.name && !desired.has(id)) await ctx.teardownAndDestroy(t, namespace, id);
  }
}
