// Tests of membership changes against two real etcd 3.4 members: add a learner, start it, promote it, remove it.
import { expect } from 'chai';
import { EtcdClient } from './client.js';
import { EtcdMember, SoloEtcd, etcdSkipReason, freePort, type TestPki } from './fixture.js';
import { memberIdHex } from './types.js';
import { EtcdError, isEtcdUnavailable } from './errors.js';

/** Retries `f` while it rejects with an error `retry` accepts, up to `ms`. */
async function eventually<T>(f: () => Promise<T>, retry: (e: unknown) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() > end || !retry(e)) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('etcd/client membership (two real members)', function () {
  const skip = etcdSkipReason();
  let etcd: SoloEtcd | undefined;
  let second: EtcdMember | undefined;

  before(async function () {
    if (skip !== undefined) this.skip();
    etcd = await SoloEtcd.start('one');
  });
  after(async () => {
    await second?.stop();
    await etcd?.stop();
  });

  it(`adds a learner, starts it with --initial-cluster-state existing, promotes it, then removes it${skip === undefined ? '' : ` (skipped: ${skip})`}`, async () => {
    const { client: c, member: one, pki, dir } = etcd as SoloEtcd;
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const peerURL = `https://127.0.0.1:${String(peerPort)}`;

    const added = await c.memberAdd([peerURL], { learner: true });
    expect(added.member).to.deep.include({ name: '', peerURLs: [peerURL], clientURLs: [], isLearner: true });
    expect(added.members).to.have.length(2);
    const unstarted = (await (etcd as SoloEtcd).etcdctl('member', 'list', '-w', 'simple')).trim().split('\n');
    expect(unstarted).to.include(`${memberIdHex(added.member.id)}, unstarted, , ${peerURL}, , true`);

    // etcd's own join: the new member learns the cluster from --initial-cluster and fetches the rest from a peer.
    const initialCluster = [...added.members]
      .map((m) => `${m.id === added.member.id ? 'two' : m.name}=${m.peerURLs[0] ?? ''}`)
      .join(',');
    second = await EtcdMember.start({
      name: 'two',
      pki,
      dir,
      clientPort,
      peerPort,
      initialCluster,
      initialClusterState: 'existing',
    });
    const two = second;

    // A learner is promoted once it has caught up with the leader; until then etcd says so (FailedPrecondition).
    const promoted = await eventually(
      () => c.memberPromote(added.member.id),
      (e) => e instanceof EtcdError && /in sync with leader/.test(e.message),
    );
    expect(promoted.find((m) => m.id === added.member.id)).to.deep.include({
      name: 'two',
      clientURLs: [two.clientURL],
      isLearner: false,
    });

    const s1 = await c.status(one.clientURL);
    const s2 = await c.status(two.clientURL);
    expect(s2.memberId).to.equal(added.member.id);
    expect(s2.leader).to.equal(s1.leader);
    expect(s2.isLearner).to.be.false;
    const { revision } = await c.put('/osnode/cluster/k', 'v');
    const seen = await c.get('/osnode/cluster/k', { endpoint: two.clientURL });
    expect(seen?.modRevision).to.equal(revision);
    expect((await c.health({ endpoint: two.clientURL })).endpoint).to.equal(two.clientURL);
    const both = new EtcdClient({ endpoints: [two.clientURL, one.clientURL], ...pkiClient(pki) });
    try {
      expect((await both.members()).map((m) => m.name).sort()).to.deep.equal(['one', 'two']);
    } finally {
      both.close();
    }

    // etcd (--strict-reconfig-check) refuses to remove a voter while the others have not all been connected for 5 s.
    const left = await eventually(
      () => c.memberRemove(added.member.id),
      (e) => isEtcdUnavailable(e) && /unhealthy cluster/.test(e.message),
    );
    expect(left.map((m) => m.name)).to.deep.equal(['one']);
    expect((await c.members()).map((m) => m.id)).to.deep.equal([s1.memberId]);
    await two.stop(); // a removed member shuts itself down; stop() also waits for that
    expect((await c.health()).endpoint).to.equal(one.clientURL);
  });
});

function pkiClient(pki: TestPki): { ca: string; cert: string; key: string } {
  return { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key };
}
