// Tests of transformController: mapping, updates, cleanup of orphaned outputs, and two-phase delete with input finalizers.
import { expect } from 'chai';
import { isConflict, withSpec, type Pointer, type Resource } from '../../resources/index.js';
import { useHarness, valueType } from './testing.js';
import { transformController } from './transform.js';

const Src = valueType('TfSource');
const Dst = valueType('TfDest');
const Fin = valueType('TfFinal');
const NS = 'test';
const OUT_NS = 'out';

const at = (type: string, id: string, namespace = NS): Pointer => ({ namespace, type, id });
const exists = (r: Resource | undefined): boolean => r !== undefined;
const gone = (r: Resource | undefined): boolean => r === undefined;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('transformController', () => {
  const h = useHarness({ types: [Src, Dst, Fin] });

  it('maps each running input to an output, follows updates, and destroys outputs whose input is gone or maps to nothing', async () => {
    const { state, runtime } = h();
    runtime.register(
      transformController({
        name: 'test.SourceDestController',
        input: { type: Src, namespace: NS },
        output: { type: Dst, namespace: OUT_NS },
        map: (r) =>
          r.spec.value === 'skip'
            ? undefined
            : {
                id: `d-${r.metadata.id}`,
                spec: { value: r.spec.value.toUpperCase() },
                labels: { from: r.metadata.id },
              },
      }),
    );
    const a = await state.create({ metadata: at(Src.type, 'a'), spec: { value: 'one' } });
    await state.create({ metadata: at(Src.type, 'b'), spec: { value: 'two' } });
    h().start();
    const da = await h().waitFor(at(Dst.type, 'd-a', OUT_NS), exists);
    expect(da?.spec).to.deep.equal({ value: 'ONE' });
    expect(da?.metadata.owner).to.equal('test.SourceDestController');
    expect(da?.metadata.labels).to.deep.equal({ from: 'a' });
    await h().waitFor(at(Dst.type, 'd-b', OUT_NS), exists);

    await state.update(withSpec(a, { value: 'uno' }));
    await h().waitFor(at(Dst.type, 'd-a', OUT_NS), (r) => (r?.spec as { value: string } | undefined)?.value === 'UNO');

    await state.destroy(at(Src.type, 'b'));
    await h().waitFor(at(Dst.type, 'd-b', OUT_NS), gone);

    const a2 = await state.get(at(Src.type, 'a'));
    await state.update(withSpec(a2, { value: 'skip' }));
    await h().waitFor(at(Dst.type, 'd-a', OUT_NS), gone);
    expect(h().runtime.stats().get('test.SourceDestController')?.crashes).to.equal(0);
  });

  it('with inputFinalizers: teardown input -> output destroyed -> finalizer released -> input destroyable', async () => {
    const { state, runtime } = h();
    runtime.register(
      transformController({
        name: 'test.SourceDestController',
        input: { type: Src, namespace: NS },
        output: { type: Dst, namespace: NS },
        map: (r) => ({ id: r.metadata.id, spec: r.spec }),
        inputFinalizers: true,
      }),
    );
    await state.create({ metadata: at(Src.type, 'x'), spec: { value: 'x' } });
    h().start();
    await h().waitFor(at(Dst.type, 'x'), exists);
    await h().waitFor(at(Src.type, 'x'), (r) => r?.metadata.finalizers.includes('test.SourceDestController') === true);

    expect(isConflict(await rejection(state.destroy(at(Src.type, 'x'))), 'finalizers')).to.equal(true);
    expect(await state.teardown(at(Src.type, 'x'))).to.equal(false);
    await h().waitFor(at(Dst.type, 'x'), gone);
    await h().waitFor(at(Src.type, 'x'), (r) => r?.metadata.finalizers.length === 0);
    await state.destroy(at(Src.type, 'x'));
    expect(await state.list({ namespace: NS, type: Src.type })).to.deep.equal([]);
  });

  it('a consumer holding a finalizer on the output delays its destruction and the release of the input', async () => {
    const { state, runtime } = h();
    runtime.register(
      transformController({
        name: 'test.SourceDestController',
        input: { type: Src, namespace: NS },
        output: { type: Dst, namespace: NS },
        map: (r) => ({ id: r.metadata.id, spec: r.spec }),
        inputFinalizers: true,
      }),
    );
    runtime.register(
      transformController({
        name: 'test.DestFinalController',
        input: { type: Dst, namespace: NS },
        output: { type: Fin, namespace: NS },
        map: (r) => ({ id: r.metadata.id, spec: r.spec }),
        inputFinalizers: true,
      }),
    );
    await state.create({ metadata: at(Src.type, 'x'), spec: { value: 'x' } });
    h().start();
    await h().waitFor(at(Fin.type, 'x'), exists);
    await h().waitFor(at(Dst.type, 'x'), (r) => r?.metadata.finalizers.includes('test.DestFinalController') === true);
    // A third party also holds the final output: nothing upstream may go until it lets go.
    await state.addFinalizer(at(Fin.type, 'x'), ['test.Holder']);

    await state.teardown(at(Src.type, 'x'));
    await h().waitFor(at(Fin.type, 'x'), (r) => r?.metadata.phase === 'tearingDown');
    const dst = await state.get(at(Dst.type, 'x'));
    expect(dst.metadata.phase).to.equal('tearingDown');
    expect(dst.metadata.finalizers).to.deep.equal(['test.DestFinalController']);
    expect((await state.get(at(Src.type, 'x'))).metadata.finalizers).to.deep.equal(['test.SourceDestController']);

    await state.removeFinalizer(at(Fin.type, 'x'), ['test.Holder']);
    await h().waitFor(at(Src.type, 'x'), (r) => r?.metadata.finalizers.length === 0);
    expect(await state.list({ namespace: NS, type: Dst.type })).to.deep.equal([]);
    expect(await state.list({ namespace: NS, type: Fin.type })).to.deep.equal([]);
    await state.destroy(at(Src.type, 'x'));
  });

  it('an output still tearing down when its input comes back is destroyed once released, then made again', async () => {
    const { state, runtime } = h();
    runtime.register(
      transformController({
        name: 'test.SourceDestController',
        input: { type: Src, namespace: NS },
        output: { type: Dst, namespace: NS },
        map: (r) => ({ id: r.metadata.id, spec: r.spec }),
      }),
    );
    await state.create({ metadata: at(Src.type, 'x'), spec: { value: 'first' } });
    h().start();
    await h().waitFor(at(Dst.type, 'x'), exists);
    await state.addFinalizer(at(Dst.type, 'x'), ['test.Holder']);
    await state.destroy(at(Src.type, 'x'));
    await h().waitFor(at(Dst.type, 'x'), (r) => r?.metadata.phase === 'tearingDown');
    await state.create({ metadata: at(Src.type, 'x'), spec: { value: 'second' } });
    await state.removeFinalizer(at(Dst.type, 'x'), ['test.Holder']);
    const back = await h().waitFor(
      at(Dst.type, 'x'),
      (r) => r?.metadata.phase === 'running' && (r.spec as { value: string }).value === 'second',
    );
    expect(back?.metadata.version).to.equal(1);
    expect(h().runtime.stats().get('test.SourceDestController')?.crashes).to.equal(0);
  });

  it('declares its input (strong with finalizers), its output as destroyReady input, and extra inputs', () => {
    const c = transformController({
      name: 'test.SourceDestController',
      input: { type: Src, namespace: NS },
      output: { type: Dst, namespace: OUT_NS },
      map: () => undefined,
      inputFinalizers: true,
      extraInputs: [{ namespace: NS, type: Fin.type, id: 'cfg', kind: 'weak' }],
    });
    expect(c.inputs).to.deep.equal([
      { namespace: NS, type: Src.type, kind: 'strong' },
      { namespace: OUT_NS, type: Dst.type, kind: 'destroyReady' },
      { namespace: NS, type: Fin.type, id: 'cfg', kind: 'weak' },
    ]);
    expect(c.outputs).to.deep.equal([{ type: Dst.type, kind: 'exclusive' }]);
  });
});
