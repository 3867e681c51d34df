// What a controller declares: the input kinds it reads, the output types it writes, and the shape of its runtime name.

/**
 * How a controller depends on an input kind. `weak`: it reads it and is woken by its changes. `strong`: as weak, and it
 * may hold finalizers on it. `destroyReady`: woken only when a resource of the kind is tearing down with no finalizers.
 */
export type InputKind = 'weak' | 'strong' | 'destroyReady';

/** One declared input: a kind (namespace and type name), optionally one id only. */
export interface Input {
  readonly namespace: string;
  readonly type: string;
  /** When set, the controller reads and is woken by this id only. */
  readonly id?: string;
  readonly kind: InputKind;
}

/** How a controller writes a type: `exclusive` (it is the type's only writer) or `shared` (several may write, each owning its own resources). */
export type OutputKind = 'exclusive' | 'shared';

/** One declared output: a type name, in any namespace. */
export interface Output {
  readonly type: string;
  readonly kind: OutputKind;
}

/** What every controller declares, plain or queue: a runtime name like `network.AddressSpecController`, its inputs and outputs. */
export interface ControllerDeclaration {
  readonly name: string;
  readonly inputs: readonly Input[];
  readonly outputs: readonly Output[];
}

const NAME = /^[a-z][a-z0-9-]*\.[A-Z][A-Za-z0-9]*$/;

/** True when `name` has the runtime-name shape `<domain>.<PascalCaseName>`, e.g. `network.AddressSpecController`. */
export function isControllerName(name: string): boolean {
  return NAME.test(name);
}
