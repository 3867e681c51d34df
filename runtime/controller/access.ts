// What one controller may touch: reads limited to its declared inputs and outputs, writes to its outputs, finalizers to strong inputs.
import { InvariantError, kindString, type Kind } from '../../resources/index.js';
import type { ControllerDeclaration, Input } from './declaration.js';

/** The ids of one kind a rule allows: all of them, or the listed ones. */
interface IdSet {
  all: boolean;
  readonly ids: Set<string>;
}

function addInput(m: Map<string, IdSet>, i: Input): void {
  const key = kindString(i);
  let s = m.get(key);
  if (s === undefined) {
    s = { all: false, ids: new Set() };
    m.set(key, s);
  }
  if (i.id === undefined) s.all = true;
  else s.ids.add(i.id);
}

function describeIds(s: IdSet): string {
  return [...s.ids].map((id) => JSON.stringify(id)).join(', ');
}

/** The access rules of one controller, precomputed from its declaration; each check throws InvariantError naming the controller and the kind. */
export class Access {
  private readonly reads = new Map<string, IdSet>();
  private readonly strong = new Map<string, IdSet>();
  private readonly outputs: Set<string>;

  constructor(private readonly decl: ControllerDeclaration) {
    for (const i of decl.inputs) {
      addInput(this.reads, i);
      if (i.kind === 'strong') addInput(this.strong, i);
    }
    this.outputs = new Set(decl.outputs.map((o) => o.type));
  }

  /** Checks a read of `id` (or a list, when `id` is undefined) of `kind`. */
  checkRead(kind: Kind, id: string | undefined): void {
    if (this.outputs.has(kind.type)) return;
    const s = this.reads.get(kindString(kind));
    if (s === undefined) {
      throw new InvariantError(
        `controller ${this.decl.name} read ${kindString(kind)}, which is neither among its inputs nor its outputs: declare it as an input`,
      );
    }
    if (s.all) return;
    if (id === undefined) {
      throw new InvariantError(
        `controller ${this.decl.name} listed ${kindString(kind)}, but declared it as an input with id ${describeIds(s)} only: get that id instead`,
      );
    }
    if (!s.ids.has(id)) {
      throw new InvariantError(
        `controller ${this.decl.name} read ${kindString(kind)} id ${JSON.stringify(id)}, but declared it as an input with id ${describeIds(s)} only`,
      );
    }
  }

  /** Checks a write (create, update, teardown, destroy) of `type`. */
  checkWrite(kind: Kind): void {
    if (this.outputs.has(kind.type)) return;
    throw new InvariantError(
      `controller ${this.decl.name} wrote ${kindString(kind)}, but type ${kind.type} is not among its outputs: declare it as an output`,
    );
  }

  /** Checks adding or removing a finalizer on `id` of `kind`. */
  checkFinalizer(kind: Kind, id: string): void {
    const s = this.strong.get(kindString(kind));
    if (s !== undefined && (s.all || s.ids.has(id))) return;
    throw new InvariantError(
      `controller ${this.decl.name} changed finalizers of ${kindString(kind)} id ${JSON.stringify(id)}, which is not a strong input of it: declare the input with kind 'strong'`,
    );
  }
}
