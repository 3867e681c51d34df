// The transform helper: a controller that maps each input resource to one output resource and tears down outputs whose input is gone.
import {
  InvariantError,
  deepEqual,
  isConflict,
  isNotFound,
  type Resource,
  type ResourceType,
  type StringMap,
} from '../../resources/index.js';
import type { ControllerContext } from './context.js';
import type { Controller, Input } from './controller.js';

/** What one input maps to: the output id, its spec and (optionally) its labels. */
export interface TransformOutput<O> {
  readonly id: string;
  readonly spec: O;
  readonly labels?: StringMap;
}

/** Options of {@link transformController}. */
export interface TransformOptions<I, O> {
  /** The runtime name, e.g. `network.AddressSpecController`. */
  readonly name: string;
  readonly input: { readonly type: ResourceType<I>; readonly namespace: string };
  readonly output: { readonly type: ResourceType<O>; readonly namespace: string };
  /** The output of a running input, or undefined when it has none. Must be pure; two inputs may not map to one id. */
  readonly map: (r: Resource<I>) => TransformOutput<O> | undefined;
  /** Hold a finalizer (the controller's name) on each input until its output is destroyed. */
  readonly inputFinalizers?: boolean;
  /** More inputs that should wake the controller (e.g. what `map` closes over). */
  readonly extraInputs?: readonly Input[];
}

/**
 * A controller whose every pass maps each running input to its output (create or update, owned by this controller) and
 * tears down and destroys the outputs it owns whose input is gone, tearing down or maps to nothing, once their
 * finalizers are released (it watches its outputs as destroyReady to learn when). With `inputFinalizers` the input is
 * a strong input: the controller holds a finalizer on it and releases it once the output is destroyed.
 */
export function transformController<I, O>(o: TransformOptions<I, O>): Controller {
  const { name, input, output } = o;
  const holdInputs = o.inputFinalizers === true;
  const inputs: Input[] = [
    { namespace: input.namespace, type: input.type.type, kind: holdInputs ? 'strong' : 'weak' },
    { namespace: output.namespace, type: output.type.type, kind: 'destroyReady' },
    ...(o.extraInputs ?? []),
  ];

  const reconcile = async (ctx: ControllerContext): Promise<void> => {
    const existing = new Map<string, Resource<O>>();
    for (const r of await ctx.list(output.type, output.namespace)) existing.set(r.metadata.id, r);
    const keep = new Map<string, string>();
    const releasing: { id: string; out: string | undefined }[] = [];
    for (const r of await ctx.list(input.type, input.namespace)) {
      const id = r.metadata.id;
      const held = r.metadata.finalizers.includes(name);
      if (r.metadata.phase === 'tearingDown') {
        if (holdInputs && held) releasing.push({ id, out: o.map(r)?.id });
        continue;
      }
      if (holdInputs && !held && !(await hold(ctx, input.type, input.namespace, id))) continue;
      const out = o.map(r);
      if (out === undefined) continue;
      const other = keep.get(out.id);
      if (other !== undefined) {
        throw new InvariantError(
          `controller ${name} maps inputs ${JSON.stringify(other)} and ${JSON.stringify(id)} both to output ${JSON.stringify(out.id)}`,
        );
      }
      keep.set(out.id, id);
      let cur = existing.get(out.id);
      // An output still tearing down from an earlier input is destroyed first and then made again.
      if (cur?.metadata.phase === 'tearingDown' && cur.metadata.owner === name) {
        if (!(await ctx.teardownAndDestroy(output.type, output.namespace, out.id))) continue;
        cur = undefined;
      }
      await put(ctx, output, cur, out);
    }
    const pending = await ctx.cleanupOutputs(output.type, output.namespace, new Set(keep.keys()));
    for (const { id, out } of releasing) {
      if (out === undefined || !pending.has(out)) await ctx.removeFinalizer(input.type, input.namespace, id);
    }
  };

  return { name, inputs, outputs: [{ type: output.type.type, kind: 'exclusive' }], reconcile };
}

/**
 * Writes `out` based on `cur` from the pass's listing; when that snapshot turns out stale (a conflict), falls back to
 * a read-modify-write. Saves a read per output on the common path.
 */
async function put<O>(
  ctx: ControllerContext,
  output: { readonly type: ResourceType<O>; readonly namespace: string },
  cur: Resource<O> | undefined,
  out: TransformOutput<O>,
): Promise<void> {
  const meta = out.labels === undefined ? {} : { labels: out.labels };
  try {
    if (cur === undefined) {
      await ctx.create(output.type, output.namespace, out.id, out.spec, meta);
    } else if (
      !deepEqual(cur.spec, out.spec) ||
      (out.labels !== undefined && !deepEqual(cur.metadata.labels, out.labels))
    ) {
      await ctx.update(output.type, cur, out.spec, meta);
    }
    return;
  } catch (e) {
    if (!isConflict(e, 'exists') && !isConflict(e, 'version') && !isNotFound(e)) throw e;
  }
  await ctx.modify(output.type, output.namespace, out.id, () => out.spec, meta);
}

/** Adds the controller's finalizer to an input; false when the input started tearing down or vanished meanwhile. */
async function hold<I>(ctx: ControllerContext, t: ResourceType<I>, namespace: string, id: string): Promise<boolean> {
  try {
    await ctx.addFinalizer(t, namespace, id);
    return true;
  } catch (e) {
    if (isConflict(e, 'phase') || isNotFound(e)) return false;
    throw e;
  }
}
