// waitFor: resolves on the awaited state, survives a watch overrun, honours abort and names what it saw on timeout.
import { expect } from 'chai';
import { at, ItemType, item } from './conformance/index.js';
import { InMemoryState } from './memory.js';
import { waitFor } from './wait.js';

async function store(max = 1024): Promise<InMemoryState> {
  const s = new InMemoryState({ history: { initial: 2, max } });
  await s.registerType(ItemType);
  return s;
}

describe('waitFor', () => {
  it('resolves once the predicate holds, and at once when it already does', async () => {
    const s = await store();
    const w = waitFor(s, at('a'), (r) => (r?.spec as { value: number } | undefined)?.value === 2);
    await s.create(item('a', 1));
    await s.update(item('a', 2, { version: 1 }));
    expect((await w)?.metadata.version).to.equal(2);
    expect(await waitFor(s, at('gone'), (r) => r === undefined)).to.equal(undefined);
    expect(s.stats().watchers).to.equal(0);
  });

  it('re-bootstraps when its watch falls behind the history', async () => {
    const s = await store(4);
    const w = waitFor(s, at('x9'), (r) => r !== undefined);
    await new Promise((resolve) => setImmediate(resolve));
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) writes.push(s.create(item(`x${i}`, i)));
    await Promise.all(writes);
    expect((await w)?.metadata.id).to.equal('x9');
    expect(s.stats().watchers).to.equal(0);
  });

  it('rejects at once on an aborted signal, and names the last version on timeout', async () => {
    const s = await store();
    const aborted = await waitFor(s, at('a'), () => false, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(aborted).to.be.instanceOf(Error).with.property('message').that.includes('aborted');
    await s.create(item('a', 1));
    const timedOut = await waitFor(s, at('a'), () => false, { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(timedOut).to.be.instanceOf(Error).with.property('message').that.includes('version 1');
    expect(s.stats().watchers).to.equal(0);
  });
});
