// Tests of ControllerContext: declared-access enforcement, owner stamping, modify, two-phase delete and output cleanup.
import { expect } from 'chai';
import { InMemoryState, InvariantError, isConflict, type Resource } from '../../resources/index.js';
import { createControllerContext, type ControllerContext } from './context.js';
import type { ControllerDeclaration } from './controller.js';
import { valueType } from './testing.js';

const In = valueType('CtxIn');
const Out = valueType('CtxOut');
const Other = valueType('CtxOther');
const NS = 'test';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Error) return e;
    throw new Error(`rejected with a non-error: ${String(e)}`, { cause: e });
  }
  throw new Error('expected a rejection, got a value');
}

describe('ControllerContext', () => {
  let state: InMemoryState;
  let ac: AbortController;

  const decl: ControllerDeclaration = {
    name: 'test.CtxController',
    inputs: [
      { namespace: NS, type: In.type, kind: 'strong' },
      { namespace: NS, type: Other.type, id: 'only', kind: 'weak' },
    ],
    outputs: [{ type: Out.type, kind: 'shared' }],
  };
  const ctxOf = (d: ControllerDeclaration = decl): ControllerContext => createControllerContext(state, d, ac.signal);

  beforeEach(async () => {
    state = new InMemoryState();
    for (const t of [In, Out, Other]) await state.registerType(t);
    ac = new AbortController();
    await state.create({ metadata: { namespace: NS, type: In.type, id: 'a' }, spec: { value: 'in-a' } });
    await state.create({ metadata: { namespace: NS, type: Other.type, id: 'only' }, spec: { value: 'o1' } });
    await state.create({ metadata: { namespace: NS, type: Other.type, id: 'else' }, spec: { value: 'o2' } });
  });

  afterEach(() => {
    ac.abort();
  });

  describe('reads', () => {
    it('reads declared inputs and outputs, typed, undefined when absent', async () => {
      const ctx = ctxOf();
      const a = await ctx.get(In, NS, 'a');
      expect(a?.spec.value).to.equal('in-a');
      expect(await ctx.get(In, NS, 'missing')).to.equal(undefined);
      expect((await ctx.list(In, NS)).map((r) => r.metadata.id)).to.deep.equal(['a']);
      expect(await ctx.list(Out, 'elsewhere')).to.deep.equal([]);
    });

    it('throws InvariantError naming the controller and the kind on a read outside inputs and outputs', async () => {
      const ctx = ctxOf();
      const e = await rejection(ctx.get(In, 'other-ns', 'a'));
      expect(e).to.be.instanceOf(InvariantError);
      expect(e.message).to.contain('test.CtxController').and.contain('other-ns/CtxIn');
      expect(await rejection(ctx.list(In, 'other-ns'))).to.be.instanceOf(InvariantError);
    });

    it('allows only the declared id of an input declared with an id, and no list of it', async () => {
      const ctx = ctxOf();
      expect((await ctx.get(Other, NS, 'only'))?.spec.value).to.equal('o1');
      const e = await rejection(ctx.get(Other, NS, 'else'));
      expect(e).to.be.instanceOf(InvariantError);
      expect(e.message).to.contain('"else"').and.contain('"only"');
      expect(await rejection(ctx.list(Other, NS))).to.be.instanceOf(InvariantError);
    });
  });

  describe('writes', () => {
    it('stamps every write with the controller name as owner', async () => {
      const ctx = ctxOf();
      const r = await ctx.create(Out, NS, 'x', { value: '1' });
      expect(r.metadata.owner).to.equal('test.CtxController');
      const u = await ctx.update(Out, r, { value: '2' }, { labels: { k: 'v' } });
      expect(u.metadata.version).to.equal(2);
      expect(u.metadata.labels).to.deep.equal({ k: 'v' });
    });

    it('throws InvariantError on a write to a type that is not an output', async () => {
      const ctx = ctxOf();
      const e = await rejection(ctx.create(In, NS, 'b', { value: 'x' }));
      expect(e).to.be.instanceOf(InvariantError);
      expect(e.message).to.contain('test.CtxController').and.contain('CtxIn').and.contain('not among its outputs');
      expect(await rejection(ctx.teardown(In, NS, 'a'))).to.be.instanceOf(InvariantError);
      expect(await rejection(ctx.destroy(In, NS, 'a'))).to.be.instanceOf(InvariantError);
      expect(await rejection(ctx.modify(In, NS, 'a', () => ({ value: 'y' })))).to.be.instanceOf(InvariantError);
    });

    it('lets the store refuse a write to a resource another controller owns', async () => {
      const other = ctxOf({ ...decl, name: 'test.OtherController' });
      await other.create(Out, NS, 'theirs', { value: 'theirs' });
      const ctx = ctxOf();
      const e = await rejection(ctx.modify(Out, NS, 'theirs', () => ({ value: 'mine' })));
      expect(isConflict(e, 'owner')).to.equal(true);
      expect(e.message).to.contain('test.OtherController');
      expect(isConflict(await rejection(ctx.teardownAndDestroy(Out, NS, 'theirs')), 'owner')).to.equal(true);
      // cleanupOutputs leaves resources of other owners alone.
      expect([...(await ctx.cleanupOutputs(Out, NS, new Set()))]).to.deep.equal([]);
      expect((await state.get({ namespace: NS, type: Out.type, id: 'theirs' })).metadata.phase).to.equal('running');
    });

    it('adds and removes finalizers on strong inputs only', async () => {
      const ctx = ctxOf();
      await ctx.addFinalizer(In, NS, 'a');
      expect((await state.get({ namespace: NS, type: In.type, id: 'a' })).metadata.finalizers).to.deep.equal([
        'test.CtxController',
      ]);
      await ctx.removeFinalizer(In, NS, 'a');
      await ctx.removeFinalizer(In, NS, 'gone');
      expect((await state.get({ namespace: NS, type: In.type, id: 'a' })).metadata.finalizers).to.deep.equal([]);
      const e = await rejection(ctx.addFinalizer(Other, NS, 'only'));
      expect(e).to.be.instanceOf(InvariantError);
      expect(e.message).to.contain("kind 'strong'");
    });
  });

  describe('modify', () => {
    it('creates, updates, leaves as is on undefined, and skips writes that change nothing', async () => {
      const ctx = ctxOf();
      const seen: (Resource | undefined)[] = [];
      const created = await ctx.modify(Out, NS, 'm', (cur) => (seen.push(cur), { value: 'v1' }), {
        labels: { a: '1' },
      });
      expect(created?.metadata.version).to.equal(1);
      expect(seen).to.deep.equal([undefined]);
      const updated = await ctx.modify(Out, NS, 'm', (cur) => ({ value: `${cur?.spec.value ?? ''}+` }));
      expect(updated?.spec.value).to.equal('v1+');
      expect(updated?.metadata.labels).to.deep.equal({ a: '1' });
      const same = await ctx.modify(Out, NS, 'm', () => ({ value: 'v1+' }));
      expect(same?.metadata.version).to.equal(2);
      const left = await ctx.modify(Out, NS, 'm', () => undefined);
      expect(left?.metadata.version).to.equal(2);
      expect(await ctx.modify(Out, NS, 'absent', () => undefined)).to.equal(undefined);
    });

    it('retries on a version conflict with a fresh read', async () => {
      const ctx = ctxOf();
      await ctx.create(Out, NS, 'race', { value: '0' });
      let calls = 0;
      const r = await ctx.modify(Out, NS, 'race', (cur) => {
        calls++;
        if (calls === 1 && cur !== undefined) {
          // Another writer (the same owner, e.g. an earlier pass) gets in between the read and the write.
          void state.update(
            { metadata: { ...cur.metadata, version: cur.metadata.version }, spec: { value: 'other' } },
            { owner: 'test.CtxController' },
          );
        }
        return { value: `${cur?.spec.value ?? ''}!` };
      });
      expect(calls).to.equal(2);
      expect(r?.spec.value).to.equal('other!');
    });
  });

  describe('two-phase delete', () => {
    it('teardownAndDestroy returns false while finalizers remain, true once destroyed or absent', async () => {
      const ctx = ctxOf();
      await ctx.create(Out, NS, 'd', { value: 'x' });
      const ptr = { namespace: NS, type: Out.type, id: 'd' };
      await state.addFinalizer(ptr, ['consumer']);
      expect(await ctx.teardownAndDestroy(Out, NS, 'd')).to.equal(false);
      expect(isConflict(await rejection(ctx.destroy(Out, NS, 'd')), 'finalizers')).to.equal(true);
      await state.removeFinalizer(ptr, ['consumer']);
      expect(await ctx.teardownAndDestroy(Out, NS, 'd')).to.equal(true);
      expect(await ctx.teardownAndDestroy(Out, NS, 'd')).to.equal(true);
      expect(await ctx.get(Out, NS, 'd')).to.equal(undefined);
    });

    it('cleanupOutputs destroys own outputs not kept and reports those held by finalizers', async () => {
      const ctx = ctxOf();
      for (const id of ['keep', 'drop', 'held']) await ctx.create(Out, NS, id, { value: id });
      await state.addFinalizer({ namespace: NS, type: Out.type, id: 'held' }, ['consumer']);
      const held = await ctx.cleanupOutputs(Out, NS, new Set(['keep']));
      expect([...held]).to.deep.equal(['held']);
      const left = await ctx.list(Out, NS);
      expect(left.map((r) => `${r.metadata.id}:${r.metadata.phase}`)).to.deep.equal([
        'held:tearingDown',
        'keep:running',
      ]);
    });
  });
});
