// The controller registry: every controller registers (one owner per exclusive output) and writes only known types.
import { expect } from 'chai';
import { ALL_TYPES, InMemoryState } from '../resources/index.js';
import { ControllerRuntime } from '../runtime/index.js';
import { allControllers } from './index.js';

describe('controller registry', () => {
  const host = { applyHost: true, rootDir: '/nonexistent' };

  it('registers every controller without conflicting output claims', () => {
    for (const o of [{}, host]) {
      const runtime = new ControllerRuntime(new InMemoryState());
      for (const c of allControllers(o)) runtime.register(c);
      expect(runtime.stats().size).to.equal(allControllers(o).length);
    }
  });

  it('changes the host only when asked: without applyHost no controller writes to the kernel or files', () => {
    const names = (o: object) => new Set(allControllers(o).map((c) => c.name));
    const appliers = [...names(host)].filter((n) => !names({}).has(n));
    expect(appliers.sort()).to.deep.equal([
      'kernel.KernelModuleSpecController',
      'kernel.KernelParamSpecController',
      'network.AddressSpecController',
      'network.EtcFileController',
      'network.HostnameSpecController',
      'network.LinkSpecController',
      'network.RouteSpecController',
    ]);
  });

  it('every input and output type is a registered resource type', () => {
    const known = new Set(ALL_TYPES.map((t) => t.type));
    for (const c of allControllers(host)) {
      for (const t of [...c.inputs, ...c.outputs].map((x) => x.type))
        expect(known, `${c.name} uses ${t}`).to.include(t);
    }
  });
});
