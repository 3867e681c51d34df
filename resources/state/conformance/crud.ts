// State conformance: versions, compare-and-swap, ownership, validation, phases, finalizers, queries, definitions.
import { expect } from 'chai';
import { ConflictError, InvalidArgumentError, InvalidSpecError, NotFoundError } from '../../errors.js';
import { META_NAMESPACE } from '../../meta/resource-definition.js';
import type { State } from '../state.js';
import { at, item, ItemType, KIND, type StateUnderTest } from './fixture.js';

async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** The write/read rules of the State interface. */
export function crudSuite(get: () => StateUnderTest): void {
  let state: State;
  beforeEach(() => {
    state = get().state;
  });

  it('create assigns version 1, the owner, phase running and timestamps', async () => {
    const r = await state.create(item('a', 1, { labels: { tier: 'x' } }), { owner: 'me' });
    expect(r.metadata).to.include({ namespace: 'test', type: ItemType.type, id: 'a', version: 1, owner: 'me' });
    expect(r.metadata.phase).to.equal('running');
    expect(r.metadata.finalizers).to.deep.equal([]);
    expect(r.metadata.labels).to.deep.equal({ tier: 'x' });
    expect(r.metadata.created).to.equal(r.metadata.updated);
    expect((await state.get(at('a'))).spec).to.deep.equal({ value: 1 });
  });

  it('stored resources are immutable', async () => {
    const r = await state.create(item('a', 1));
    expect(() => {
      r.spec.value = 5;
    }).to.throw(TypeError);
    expect((await state.get(at('a'))).spec).to.deep.equal({ value: 1 });
  });

  it('create of an existing id is Conflict(exists)', async () => {
    await state.create(item('a', 1));
    const e = await rejects(state.create(item('a', 2)));
    expect(e).to.be.instanceOf(ConflictError).and.include({ kind: 'exists' });
    expect((await state.get(at('a'))).spec).to.deep.equal({ value: 1 });
  });

  it('get of a missing resource is NotFound naming it, find gives undefined; an unknown type is NotFound naming the type', async () => {
    expect(await rejects(state.get(at('nope'))))
      .to.be.instanceOf(NotFoundError)
      .with.property('message')
      .that.includes('test/ConformanceItem/nope');
    expect(await state.find(at('nope'))).to.equal(undefined);
    await state.create(item('here', 1));
    expect((await state.find(at('here')))?.spec).to.deep.equal({ value: 1 });
    for (const call of [
      state.get({ namespace: 'test', type: 'NoSuchType', id: 'a' }),
      state.find({ namespace: 'test', type: 'NoSuchType', id: 'a' }),
      state.list({ namespace: 'test', type: 'NoSuchType' }),
      state.create({ metadata: { namespace: 'test', type: 'NoSuchType', id: 'a' }, spec: {} }),
    ]) {
      expect(await rejects(call))
        .to.be.instanceOf(NotFoundError)
        .with.property('message')
        .that.includes('"NoSuchType"');
    }
  });

  it('an invalid spec is refused naming the field and the value; nothing is stored', async () => {
    const e = await rejects(state.create({ metadata: at('bad'), spec: { value: -3, note: 7 } }));
    expect(e).to.be.instanceOf(InvalidSpecError);
    expect(e.message).to.include('value').and.include('-3').and.include('note').and.include('7');
    expect(await rejects(state.get(at('bad')))).to.be.instanceOf(NotFoundError);
    const r = await state.create(item('ok', 1));
    expect(await rejects(state.update({ metadata: r.metadata, spec: { value: 'x' } }))).to.be.instanceOf(
      InvalidSpecError,
    );
    expect(await state.get(at('ok'))).to.deep.equal(r);
  });

  it('update is compare-and-swap on the version, then +1', async () => {
    const r1 = await state.create(item('a', 1));
    const r2 = await state.update(item('a', 2, { version: 1 }));
    expect(r2.metadata.version).to.equal(2);
    expect(r2.metadata.created).to.equal(r1.metadata.created);
    const e = await rejects(state.update(item('a', 3, { version: 1 })));
    expect(e).to.be.instanceOf(ConflictError).and.include({ kind: 'version' });
    expect(await state.get(at('a'))).to.deep.equal(r2);
  });

  it('a write that changes nothing is skipped: same version, same resource', async () => {
    await state.create(item('a', 1, { labels: { k: 'v' } }));
    const same = await state.update(item('a', 1, { version: 1, labels: { k: 'v' } }));
    expect(same.metadata.version).to.equal(1);
    const relabelled = await state.update(item('a', 1, { version: 1, labels: { k: 'w' } }));
    expect(relabelled.metadata.version).to.equal(2);
    expect(relabelled.metadata.labels).to.deep.equal({ k: 'w' });
  });

  it('only the owner may update, tear down or destroy', async () => {
    await state.create(item('a', 1), { owner: 'ctrl-a' });
    for (const call of [
      state.update(item('a', 2, { version: 1 }), { owner: 'ctrl-b' }),
      state.update(item('a', 2, { version: 1 })),
      state.teardown(at('a'), { owner: 'ctrl-b' }),
      state.destroy(at('a'), { owner: 'ctrl-b' }),
    ]) {
      expect(await rejects(call))
        .to.be.instanceOf(ConflictError)
        .and.include({ kind: 'owner' });
    }
    expect((await state.get(at('a'))).metadata.version).to.equal(1);
    await state.update(item('a', 2, { version: 1 }), { owner: 'ctrl-a' });
    await state.destroy(at('a'), { owner: 'ctrl-a' });
    expect(await rejects(state.get(at('a')))).to.be.instanceOf(NotFoundError);
  });

  it('teardown moves to tearingDown once; updates then need expectedPhase', async () => {
    await state.create(item('a', 1));
    expect(await state.teardown(at('a'))).to.equal(true);
    const r = await state.get(at('a'));
    expect(r.metadata).to.include({ phase: 'tearingDown', version: 2 });
    expect(await state.teardown(at('a'))).to.equal(true);
    expect((await state.get(at('a'))).metadata.version).to.equal(2);
    expect(await rejects(state.update(item('a', 5, { version: 2 }))))
      .to.be.instanceOf(ConflictError)
      .and.include({ kind: 'phase' });
    const u = await state.update(item('a', 5, { version: 2 }), { expectedPhase: 'tearingDown' });
    expect(u.metadata).to.include({ phase: 'tearingDown', version: 3 });
  });

  it('finalizers: destroy is refused while any remain; none may be added during teardown', async () => {
    await state.create(item('a', 1));
    const f = await state.addFinalizer(at('a'), ['consumer-1', 'consumer-2']);
    expect(f.metadata.finalizers).to.deep.equal(['consumer-1', 'consumer-2']);
    expect(f.metadata.version).to.equal(2);
    expect((await state.addFinalizer(at('a'), ['consumer-1'])).metadata.version).to.equal(2);
    expect(await state.teardown(at('a'))).to.equal(false);
    expect(await rejects(state.addFinalizer(at('a'), ['late'])))
      .to.be.instanceOf(ConflictError)
      .and.include({ kind: 'phase' });
    const e = await rejects(state.destroy(at('a')));
    expect(e).to.be.instanceOf(ConflictError).and.include({ kind: 'finalizers' });
    expect(e.message).to.include('consumer-1');
    await state.removeFinalizer(at('a'), ['consumer-1']);
    expect(await rejects(state.destroy(at('a')))).to.be.instanceOf(ConflictError);
    const last = await state.removeFinalizer(at('a'), ['consumer-2']);
    expect(last.metadata.finalizers).to.deep.equal([]);
    await state.destroy(at('a'));
    expect(await rejects(state.get(at('a')))).to.be.instanceOf(NotFoundError);
  });

  it('list returns resources sorted by id and filters by label queries and id regexp', async () => {
    const rows: [string, Record<string, string>][] = [
      ['c', { role: 'cp', rank: '10', name: 'b' }],
      ['a', { role: 'worker', rank: '9', name: 'a' }],
      ['b', { role: 'cp', rank: '2', name: 'c' }],
      ['d', {}],
    ];
    for (const [id, labels] of rows) await state.create(item(id, 1, { labels }));
    const ids = async (opts: Parameters<State['list']>[1]): Promise<string[]> =>
      (await state.list(KIND, opts)).map((r) => r.metadata.id);
    expect(await ids({})).to.deep.equal(['a', 'b', 'c', 'd']);
    const one = (term: object) => ({ labelQueries: [{ terms: [term as never] }] });
    expect(await ids(one({ key: 'role', op: 'exists' }))).to.deep.equal(['a', 'b', 'c']);
    expect(await ids(one({ key: 'role', op: 'exists', invert: true }))).to.deep.equal(['d']);
    expect(await ids(one({ key: 'role', op: 'equal', values: ['cp'] }))).to.deep.equal(['b', 'c']);
    expect(await ids(one({ key: 'role', op: 'equal', values: ['cp'], invert: true }))).to.deep.equal(['a', 'd']);
    expect(await ids(one({ key: 'name', op: 'in', values: ['a', 'c'] }))).to.deep.equal(['a', 'b']);
    expect(await ids(one({ key: 'rank', op: 'lt', values: ['2'] }))).to.deep.equal(['c']);
    expect(await ids(one({ key: 'rank', op: 'lte', values: ['2'] }))).to.deep.equal(['b', 'c']);
    expect(await ids(one({ key: 'rank', op: 'ltNumeric', values: ['10'] }))).to.deep.equal(['a', 'b']);
    expect(await ids(one({ key: 'rank', op: 'lteNumeric', values: ['10'] }))).to.deep.equal(['a', 'b', 'c']);
    expect(
      await ids({
        labelQueries: [
          { terms: [{ key: 'role', op: 'equal', values: ['worker'] }] },
          { terms: [{ key: 'rank', op: 'equal', values: ['2'] }] },
        ],
      }),
    ).to.deep.equal(['a', 'b']);
    expect(
      await ids({
        labelQueries: [
          {
            terms: [
              { key: 'role', op: 'equal', values: ['cp'] },
              { key: 'name', op: 'equal', values: ['b'] },
            ],
          },
        ],
      }),
    ).to.deep.equal(['c']);
    expect(await ids({ idQuery: { regexp: '^[ab]$' } })).to.deep.equal(['a', 'b']);
    expect(await rejects(state.list(KIND, { idQuery: { regexp: '([' } }))).to.be.instanceOf(InvalidArgumentError);
  });

  it('registered types are described in namespace meta', async () => {
    const rd = await state.get({ namespace: META_NAMESPACE, type: 'ResourceDefinition', id: ItemType.type });
    expect(rd.spec).to.deep.include({
      type: 'ConformanceItem',
      defaultNamespace: 'test',
      sensitivity: 'sensitive',
    });
    expect((rd.spec as { aliases: string[] }).aliases).to.include.members(['conformanceitem', 'items', 'item']);
    const namespaces = (await state.list({ namespace: META_NAMESPACE, type: 'Namespace' })).map((r) => r.metadata.id);
    expect(namespaces).to.include.members(['meta', 'test']);
  });
}
