// Runs the State conformance suite against the in-memory store, plus rules that depend on its synchronous writes.
import { expect } from 'chai';
import type { WatchEvent } from './state.js';
import { describeStateConformance, ItemType, item, KIND } from './conformance/index.js';
import { InMemoryState } from './memory.js';

describeStateConformance('in-memory', async ({ types, history }) => {
  const state = new InMemoryState({ history });
  for (const t of types) await state.registerType(t);
  return { state, watchers: () => state.stats().watchers, close: () => Promise.resolve() };
});

describe('InMemoryState', () => {
  it('an Observable watcher overrun by a synchronous burst gets one errored event and completes', async () => {
    const state = new InMemoryState({ history: { initial: 2, max: 4 } });
    await state.registerType(ItemType);
    const seen: WatchEvent[] = [];
    const completed = new Promise<void>((resolve) => {
      state.watchKind(KIND).subscribe({ next: (e) => seen.push(e), complete: resolve });
    });
    await new Promise((resolve) => setImmediate(resolve));
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) writes.push(state.create(item(`b${i}`, i)));
    await Promise.all(writes);
    await completed;
    expect(seen.map((e) => e.type)).to.deep.equal(['errored']);
    expect(state.stats().watchers).to.equal(0);
    expect(state.stats().resources).to.be.greaterThan(10);
  });

  it('rejects history sizes that cannot work', () => {
    expect(() => new InMemoryState({ history: { initial: 8, max: 4 } })).to.throw(/initial=8 max=4/);
  });
});
