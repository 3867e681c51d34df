// The State conformance suite against StateClient over a real mTLS server on loopback, and what only a remote store has.
import { expect } from 'chai';
import type { Subscription } from 'rxjs';
import { InMemoryState, type WatchEvent } from '../../resources/index.js';
import { describeStateConformance, item, ItemType, KIND, show } from '../../resources/state/conformance/index.js';
import type { WatchStatus } from './watch-support.js';
import { composite, eventually, serve, stateClient } from './testing.fixture.js';

describeStateConformance('over gRPC (StateClient)', async ({ types, history }) => {
  const store = new InMemoryState({ history });
  for (const t of types) await store.registerType(t);
  const server = await serve(store);
  const { client, close } = await stateClient(server.port);
  return {
    state: composite(store, client),
    watchers: () => client.openWatches(),
    remote: true,
    close: async () => {
      close();
      await server.close();
    },
  };
});

async function itemStore(history?: { initial: number; max: number }): Promise<InMemoryState> {
  const store = new InMemoryState(history === undefined ? {} : { history });
  await store.registerType(ItemType);
  return store;
}

describe('StateClient', () => {
  it('a watch resumes from its bookmark when the node comes back with its store: nothing lost, nothing repeated', async () => {
    const store = await itemStore();
    let server = await serve(store);
    const port = server.port;
    const statuses: WatchStatus['state'][] = [];
    const { client, close } = await stateClient(port, { onWatchStatus: (s) => statuses.push(s.state) });
    const seen: string[] = [];
    let sub: Subscription | undefined;
    try {
      sub = client.watchKind(KIND, { bootstrapContents: true }).subscribe((e) => seen.push(show(e)));
      await client.ready();
      await store.create(item('a', 1));
      await store.create(item('b', 1));
      await eventually(() => seen.length === 3);
      await server.close();
      await store.create(item('c', 1));
      await store.update(item('a', 2, { version: 1 }));
      server = await serve(store, port);
      await store.create(item('d', 1));
      await eventually(() => seen.includes('created:d@1=1'));
      expect(seen).to.deep.equal([
        'bootstrapped',
        'created:a@1=1',
        'created:b@1=1',
        'created:c@1=1',
        'updated:a@2=2',
        'created:d@1=1',
      ]);
      expect(statuses).to.include.members(['reconnecting', 'resumed']);
    } finally {
      sub?.unsubscribe();
      close();
      await server.close();
    }
  });

  it('a bootstrap watch re-bootstraps on its own when the node restarted with a new store', async () => {
    const first = await itemStore();
    await first.create(item('a', 1));
    await first.create(item('b', 1));
    let server = await serve(first);
    const port = server.port;
    const statuses: WatchStatus['state'][] = [];
    const { client, close } = await stateClient(port, { onWatchStatus: (s) => statuses.push(s.state) });
    const seen: string[] = [];
    let sub: Subscription | undefined;
    try {
      sub = client.watchKind(KIND, { bootstrapContents: true }).subscribe((e) => seen.push(show(e)));
      await eventually(() => seen.length === 3);
      await server.close();
      const restarted = await itemStore();
      await restarted.create(item('b', 7));
      await restarted.create(item('c', 1));
      server = await serve(restarted, port);
      await eventually(() => seen.length === 7);
      expect(seen).to.deep.equal([
        'created:a@1=1',
        'created:b@1=1',
        'bootstrapped',
        'destroyed:a@1=1',
        'created:b@1=7',
        'created:c@1=1',
        'bootstrapped',
      ]);
      expect(statuses).to.include('rebootstrapped');
      await restarted.create(item('e', 1));
      await eventually(() => seen.length === 8);
      expect(seen[7]).to.equal('created:e@1=1');
    } finally {
      sub?.unsubscribe();
      close();
      await server.close();
    }
  });

  it('a cursor that is not read pauses its stream; the node overruns it: errored once, then null; the store goes on', async () => {
    const store = await itemStore({ initial: 2, max: 8 });
    const server = await serve(store);
    const { client, close } = await stateClient(server.port, { readAhead: 4 });
    try {
      const slow = await client.cursor(KIND);
      const n = 3000;
      // Big enough to fill every buffer between the node's store and this client, many times over the history.
      for (let i = 0; i < n; i++)
        await store.create({ metadata: { ...KIND, id: `g${i}` }, spec: { value: i, note: 'x'.repeat(400) } });
      const got: WatchEvent[] = [];
      for (let batch = await slow.next(); batch !== null; batch = await slow.next()) got.push(...batch);
      const errored = got.filter((e) => e.type === 'errored');
      expect(errored).to.have.length(1);
      expect(got.at(-1)?.type).to.equal('errored');
      expect(got.length).to.be.lessThan(n / 2);
      expect(got.slice(0, -1).map(show)).to.deep.equal(got.slice(0, -1).map((_, i) => `created:g${i}@1=${i}`));
      expect((await client.list(KIND)).length).to.equal(n);
      expect(client.openWatches()).to.equal(0);
    } finally {
      close();
      await server.close();
    }
  });

  it('unsubscribing frees the watch on the node too', async () => {
    const store = await itemStore();
    const server = await serve(store);
    const { client, close } = await stateClient(server.port);
    try {
      const subs = [
        client.watchKind(KIND).subscribe(() => undefined),
        client.watchKind(KIND, { tailEvents: 1 }).subscribe(() => undefined),
      ];
      await client.ready();
      await eventually(() => store.stats().watchers === 2);
      for (const s of subs) s.unsubscribe();
      await eventually(() => store.stats().watchers === 0);
      expect(client.openWatches()).to.equal(0);
    } finally {
      close();
      await server.close();
    }
  });

  it('refuses writes, saying write access is not allowed', async () => {
    const store = new InMemoryState();
    const server = await serve(store);
    const { client, close } = await stateClient(server.port);
    try {
      const e = await client.create().catch((err: unknown) => err);
      expect(e)
        .to.be.instanceOf(Error)
        .with.property('message')
        .that.matches(/^write access is not allowed/);
    } finally {
      close();
      await server.close();
    }
  });
});
