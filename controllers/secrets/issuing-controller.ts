// IssuingController: the shape the spec controllers of issued certificates share (API, etcd, Kubernetes): one bundle
// per controller, kept issued from a root secret for the node's names, dropped when the root is gone or cannot sign,
// and a renewal timer that wakes a pass at 2/3 of the lifetime.
import type { ResourceType } from '../../resources/index.js';
import { realClock, silentLogger, type Clock, type ControllerContext } from '../../runtime/index.js';
import {
  LEAF_TTL_MS,
  NoteOnce,
  dropIssued,
  keepIssued,
  type IssuedBundle,
  type IssuingOptions,
  type KeepIssued,
} from './issuing.js';
import { RenewalTimer } from './renewal.js';

/** What a pass does: drop the bundle (with why, logged once; undefined while the root is not ready) or keep it. */
export type IssuePlan<S extends IssuedBundle> =
  { readonly drop: string | undefined } | Pick<KeepIssued<S>, 'sans' | 'sameRoots' | 'issue' | 'what'>;

/** A controller keeping `secrets/<type>/<id>` issued; subclasses declare inputs and outputs and say what to do. */
export abstract class IssuingController<S extends IssuedBundle> {
  protected readonly clock: Clock;
  /** Lifetime of the leaf certificates issued here. */
  protected readonly ttlMs: number;
  private readonly renewal: RenewalTimer;
  private readonly note: NoteOnce;

  constructor(
    readonly name: string,
    private readonly type: ResourceType<S>,
    private readonly id: string,
    o: IssuingOptions,
  ) {
    this.clock = o.clock ?? realClock;
    this.ttlMs = o.ttlMs ?? LEAF_TTL_MS;
    this.renewal = new RenewalTimer(this.clock);
    this.note = new NoteOnce(o.logger ?? silentLogger, name);
  }

  /** What this pass should do, from the root secret and the node's names. */
  protected abstract plan(ctx: ControllerContext): Promise<IssuePlan<S>>;

  async reconcile(ctx: ControllerContext): Promise<void> {
    const plan = await this.plan(ctx);
    const where = { type: this.type, id: this.id, renewal: this.renewal, note: this.note };
    if ('drop' in plan) await dropIssued(ctx, { ...where, reason: plan.drop });
    else await keepIssued(ctx, { ...where, ...plan, clock: this.clock });
  }

  /** Wakes a pass when the bundle is due for renewal. */
  watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    return this.renewal.run(signal, changed);
  }
}
