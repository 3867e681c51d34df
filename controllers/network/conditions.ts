// NetworkCondition outputs of the network spec controllers: one per merged spec, written only when it changed.
import {
  NETWORK_NAMESPACE,
  NetworkConditionType,
  deepEqual,
  type ConditionState,
  type NetworkConditionSpec,
} from '../../resources/index.js';
import { isNetlinkError, type ControllerContext } from '../../runtime/index.js';
import { UnknownNameError } from './kernel-names.js';
import { WriteBatch, createOrModify } from './sync.js';

/** How applying one spec went. */
export interface Outcome {
  readonly state: ConditionState;
  readonly reason: string;
}

/** The spec matches the kernel. */
export const APPLIED: Outcome = { state: 'Applied', reason: '' };

/** Waiting for something outside the node, e.g. a link that has not appeared. */
export function pending(reason: string): Outcome {
  return { state: 'Pending', reason };
}

/**
 * The outcome of a refusal: a kernel refusal (NetlinkError) or a name the kernel has no number for. Anything else is
 * unexpected (a bug, a closed socket, an abort) and is rethrown so that the runtime restarts the controller.
 */
export function refusal(e: unknown): Outcome {
  if (e instanceof UnknownNameError) return { state: 'Failed', reason: e.message };
  if (!isNetlinkError(e)) throw e;
  switch (e.code) {
    case 'Unsupported':
      return { state: 'Unsupported', reason: e.message };
    case 'NotFound':
      return { state: 'Pending', reason: e.message };
    default:
      return { state: 'Failed', reason: e.message };
  }
}

/**
 * Writes the NetworkConditions `<specType>/<specId>` of one spec type (a shared output: each controller owns its own),
 * and removes those of specs that are gone. Remembers what it wrote, so a pass that changes nothing reads nothing.
 */
export class ConditionWriter {
  private written: Map<string, NetworkConditionSpec> | undefined;

  constructor(private readonly specType: string) {}

  /** Makes this writer's conditions equal to `outcomes` (keyed by spec id). */
  async write(ctx: ControllerContext, outcomes: ReadonlyMap<string, Outcome>): Promise<void> {
    const previous = this.written;
    // Forget the cache while writing: a failure half-way makes the next pass write everything again.
    this.written = undefined;
    const next = new Map<string, NetworkConditionSpec>();
    const writes = new WriteBatch();
    for (const [specId, o] of outcomes) {
      const id = `${this.specType}/${specId}`;
      const spec: NetworkConditionSpec = { specType: this.specType, specId, state: o.state, reason: o.reason };
      next.set(id, spec);
      const old = previous?.get(id);
      if (old !== undefined && deepEqual(old, spec)) continue;
      // Not written before by this writer (a new spec): most likely absent, so create it; should it exist after all,
      // createOrModify falls back to a read-modify-write. A thousand new specs then cost no read each.
      if (previous !== undefined && old === undefined) {
        writes.add(createOrModify(ctx, NetworkConditionType, NETWORK_NAMESPACE, id, spec));
      } else writes.add(ctx.modify(NetworkConditionType, NETWORK_NAMESPACE, id, () => spec));
      if (writes.full) await writes.flush();
    }
    await writes.flush();
    const shrank = previous === undefined || [...previous.keys()].some((id) => !next.has(id));
    if (shrank) await ctx.cleanupOutputs(NetworkConditionType, NETWORK_NAMESPACE, new Set(next.keys()));
    this.written = next;
  }
}
