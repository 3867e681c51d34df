// The dependency graph of controllers and resource types, as Graphviz DOT.
import type { ControllerDeclaration, InputKind, OutputKind } from './declaration.js';

const INPUT_STYLE: Record<InputKind, string> = { weak: 'dashed', strong: 'solid', destroyReady: 'dotted' };
const OUTPUT_STYLE: Record<OutputKind, string> = { exclusive: 'bold', shared: 'solid' };

function q(s: string): string {
  return JSON.stringify(s);
}

/**
 * A DOT digraph: controllers are boxes, resource types ellipses; an input edge runs from the type to the controller,
 * labelled with its namespace (and id) and styled by kind (weak dashed, strong solid, destroyReady dotted); an output
 * edge runs from the controller to the type (exclusive bold, shared normal).
 */
export function dependencyGraph(controllers: readonly ControllerDeclaration[]): string {
  const lines = ['digraph controllers {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  const types = new Set<string>();
  for (const c of controllers) {
    for (const i of c.inputs) types.add(i.type);
    for (const o of c.outputs) types.add(o.type);
  }
  for (const c of controllers) lines.push(`  ${q(c.name)} [shape=box];`);
  for (const t of [...types].sort()) lines.push(`  ${q(t)} [shape=ellipse];`);
  for (const c of controllers) {
    for (const i of c.inputs) {
      const label = i.id === undefined ? i.namespace : `${i.namespace}/${i.id}`;
      lines.push(`  ${q(i.type)} -> ${q(c.name)} [style=${INPUT_STYLE[i.kind]}, label=${q(label)}];`);
    }
    for (const o of c.outputs) lines.push(`  ${q(c.name)} -> ${q(o.type)} [style=${OUTPUT_STYLE[o.kind]}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
