// The controller registry: every controller registers (one owner per exclusive output) and writes only known types.
import { expect } from 'chai';
import { ALL_TYPES, InMemoryState } from '../resources/index.js';
import { ControllerRuntime } from '../runtime/index.js';
import { allControllers } from './index.js';

describe('controller registry', () => {
  it('registers every controller without conflicting output claims', () => {
    const runtime = new ControllerRuntime(new InMemoryState());
    for (const c of allControllers()) runtime.register(c);
    expect(runtime.stats().size).to.equal(allControllers().length);
  });

  it('every input and output type is a registered resource type', () => {
    const known = new Set(ALL_TYPES.map((t) => t.type));
    for (const c of allControllers()) {
      for (const t of [...c.inputs, ...c.outputs].map((x) => x.type))
        expect(known, `${c.name} uses ${t}`).to.include(t);
    }
  });
});
