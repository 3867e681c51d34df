// Tests of listing and watching a key prefix against a real etcd 3.4 (writes by us and by etcdctl), and of decoding
// watch responses etcd cancelled.
import { expect } from 'chai';
import { EtcdError } from './errors.js';
import { SoloEtcd, etcdSkipReason } from './fixture.js';
import { prefixEnd, watchBatchFromPb, type WatchEvent } from './watch.js';

describe('etcd/watch', function () {
  const skip = etcdSkipReason();
  let etcd: SoloEtcd | undefined;

  before(async function () {
    if (skip !== undefined) this.skip();
    etcd = await SoloEtcd.start('watch');
  });
  after(async () => {
    await etcd?.stop();
  });

  it('computes the range end of a prefix', () => {
    expect(prefixEnd(Buffer.from('/a/')).toString()).to.equal('/a0');
    expect(prefixEnd(Buffer.from([0x61, 0xff]))).to.deep.equal(Buffer.from([0x62]));
    expect(prefixEnd(Buffer.from([0xff]))).to.deep.equal(Buffer.from([0]));
  });

  it('throws when etcd cancels a watch, saying whether to list again', () => {
    expect(() => watchBatchFromPb({ canceled: true, compactRevision: '7' }, 'watch "/x"'))
      .to.throw(EtcdError, /revisions before 7 are compacted; list again/)
      .with.property('grpcCode', 11);
    expect(() => watchBatchFromPb({ canceled: true, cancelReason: 'no leader' }, 'watch "/x"')).to.throw(
      /etcd cancelled the watch \(no leader\)/,
    );
    expect(watchBatchFromPb({ created: true, events: [] }, 'w')).to.equal(undefined);
  });

  it(`lists a prefix and then sees every later change in order, ours and etcdctl's${skip === undefined ? '' : ` (skipped: ${skip})`}`, async () => {
    const c = (etcd as SoloEtcd).client;
    await c.put('/osnode/w/a', '1');
    await c.put('/osnode/w/b', '2');
    await c.put('/osnode/wx', 'not in the prefix');
    const listed = await c.list('/osnode/w/');
    expect(listed.kvs.map((kv) => `${kv.key}=${kv.value.toString()}`)).to.deep.equal([
      '/osnode/w/a=1',
      '/osnode/w/b=2',
    ]);

    // Written after the list: the watch from its revision + 1 sees them although it starts later.
    await c.put('/osnode/w/a', '3');
    const ac = new AbortController();
    const seen: WatchEvent[] = [];
    const watching = (async () => {
      for await (const batch of c.watch('/osnode/w/', { startRevision: listed.revision + 1, signal: ac.signal })) {
        seen.push(...batch.events);
        if (seen.length >= 3) break;
      }
    })();
    await (etcd as SoloEtcd).etcdctl('del', '/osnode/w/b');
    await c.put('/osnode/wx', 'still not in the prefix');
    await c.put('/osnode/w/c', '4');
    await watching;
    ac.abort();
    expect(seen.map((e) => `${e.type} ${e.kv.key}=${e.kv.value.toString()}`)).to.deep.equal([
      'put /osnode/w/a=3',
      'delete /osnode/w/b=',
      'put /osnode/w/c=4',
    ]);
  });

  it('ends a watch with the abort reason when its signal aborts', async function () {
    if (skip !== undefined) this.skip();
    const ac = new AbortController();
    const loop = (async () => {
      for await (const batch of (etcd as SoloEtcd).client.watch('/osnode/quiet/', { signal: ac.signal })) {
        expect(batch.events).to.have.length.above(0);
      }
    })();
    setTimeout(() => {
      ac.abort(new Error('done watching'));
    }, 100);
    let failure: unknown;
    await loop.catch((e: unknown) => (failure = e));
    expect((failure as Error | undefined)?.message).to.equal('done watching');
  });
});
