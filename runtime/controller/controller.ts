// The controller model: what a controller declares (inputs, outputs) and the one reconcile function it implements.
import type { ControllerContext } from './context.js';
import type { ControllerDeclaration } from './declaration.js';

export {
  isControllerName,
  type ControllerDeclaration,
  type Input,
  type InputKind,
  type Output,
  type OutputKind,
} from './declaration.js';

/**
 * A controller: declares its inputs and outputs and implements one reconcile pass. The runtime runs the pass at start and
 * after any change of an input; the pass re-reads what it needs through `ctx` and must be safe to run again at any time.
 */
export interface Controller extends ControllerDeclaration {
  reconcile(ctx: ControllerContext): Promise<void>;
  /**
   * An outside source of reconcile signals (kernel events, for status controllers): runs for the controller's
   * lifetime and calls `changed()` when the outside world changed; signals coalesce like input changes. If it
   * returns or throws before `signal` aborts, the runtime logs it, signals a pass (to resync) and restarts it with
   * backoff. It must not write to the store: the reconcile pass does.
   */
  watchOutside?(signal: AbortSignal, changed: () => void): Promise<void>;
}
