// Tests of the DOT dependency graph of a runtime's controllers.
import { expect } from 'chai';
import { InMemoryState } from '../../resources/index.js';
import { ControllerRuntime } from './runtime.js';
import { valueType } from './testing.js';
import { transformController } from './transform.js';

const Spec = valueType('GraphSpec');
const Status = valueType('GraphStatus');

describe('dependencyGraph', () => {
  it('draws controllers as boxes, types as ellipses, and styles edges by input and output kind', () => {
    const rt = new ControllerRuntime(new InMemoryState());
    rt.register(
      transformController({
        name: 'net.GraphSpecController',
        input: { type: Spec, namespace: 'net' },
        output: { type: Status, namespace: 'net' },
        map: () => undefined,
        inputFinalizers: true,
      }),
    );
    rt.registerQueue({
      name: 'net.GraphStatusController',
      inputs: [{ namespace: 'net', type: Status.type, id: 'eth0', kind: 'weak' }],
      outputs: [{ type: Spec.type, kind: 'shared' }],
      mapInput: () => [],
      reconcileKey: () => Promise.resolve(),
    });
    const dot = rt.dependencyGraph();
    expect(dot.startsWith('digraph controllers {\n')).to.equal(true);
    expect(dot.endsWith('}\n')).to.equal(true);
    const lines = dot.split('\n').map((l) => l.trim());
    expect(lines).to.include.members([
      '"net.GraphSpecController" [shape=box];',
      '"net.GraphStatusController" [shape=box];',
      '"GraphSpec" [shape=ellipse];',
      '"GraphStatus" [shape=ellipse];',
      '"GraphSpec" -> "net.GraphSpecController" [style=solid, label="net"];',
      '"GraphStatus" -> "net.GraphSpecController" [style=dotted, label="net"];',
      '"net.GraphSpecController" -> "GraphStatus" [style=bold];',
      '"GraphStatus" -> "net.GraphStatusController" [style=dashed, label="net/eth0"];',
      '"net.GraphStatusController" -> "GraphSpec" [style=solid];',
    ]);
  });
});
