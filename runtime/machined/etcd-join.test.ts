// How an etcd member plans its start, against a real etcd 3.4: alone with data or as the bootstrap node; otherwise it
// waits for the cluster, joins as a learner, and reuses that member when the start is retried.
import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EtcdSpecSpec } from '../../resources/index.js';
import { EtcdClient } from '../etcd/index.js';
import {
  EtcdMember,
  createPki,
  etcdSkipReason,
  etcdctl,
  freePort,
  removeDir,
  tempDir,
  type TestPki,
} from '../etcd/fixture.js';
import { hasEtcdData, planStart, soloPlan, type JoinOptions } from './etcd-join.js';

describe('etcd join plan (real etcd)', function () {
  const skip = etcdSkipReason();
  let dir = '';
  let pki: TestPki;
  let member: EtcdMember | undefined;
  const logs: string[] = [];
  const clients: EtcdClient[] = [];

  const spec = (o: Partial<EtcdSpecSpec> = {}): EtcdSpecSpec => ({
    name: 'two',
    advertisedAddresses: ['127.0.0.9'],
    listenAddresses: ['127.0.0.9', '127.0.0.1'],
    extraArgs: {},
    bootstrap: false,
    joinEndpoints: [],
    ...o,
  });
  const options = (s: EtcdSpecSpec): JoinOptions => ({
    spec: s,
    client: (endpoints) => {
      const c = new EtcdClient({ endpoints, ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });
      clients.push(c);
      return c;
    },
    log: (m) => logs.push(m),
    backoff: { baseMs: 50, maxMs: 200 },
  });

  before(async function () {
    if (skip !== undefined) this.skip();
    dir = await tempDir('osnode-join-');
    pki = await createPki(dir, 'join');
  });
  after(async () => {
    for (const c of clients) c.close();
    await member?.stop();
    if (dir !== '') await removeDir(dir);
  });

  it('starts alone on the bootstrap node and where the data directory holds a write-ahead log', async () => {
    const data = join(dir, 'data');
    const s = spec({ joinEndpoints: ['https://127.0.0.1:1'] });
    expect(hasEtcdData(data)).to.equal(false);
    await mkdir(join(data, 'member', 'snap'), { recursive: true }); // what a failed join leaves: no data yet
    expect(hasEtcdData(data)).to.equal(false);
    await mkdir(join(data, 'member', 'wal'), { recursive: true });
    await writeFile(join(data, 'member', 'wal', '0000000000000000-0000000000000000.wal'), '');
    expect(hasEtcdData(data)).to.equal(true);
    const signal = AbortSignal.timeout(5000);
    expect(await planStart(data, options(s), signal)).to.deep.equal(soloPlan(s));
    expect(await planStart(join(dir, 'none'), options({ ...s, bootstrap: true }), signal)).to.deep.equal({
      initialCluster: 'two=https://127.0.0.9:2380',
      state: 'new',
      clientUrls: [],
    });
  });

  it(`waits for the cluster, joins as a learner, and reuses the member on a retry${skip === undefined ? '' : ` (skipped: ${skip})`}`, async () => {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const endpoint = `https://127.0.0.1:${clientPort}`;
    const s = spec({ joinEndpoints: [endpoint] });
    // Nobody answers yet: the plan retries (and says why) until the first member is up.
    const planned = planStart(join(dir, 'empty'), options(s), AbortSignal.timeout(30_000));
    while (!logs.some((l) => l.startsWith(`cannot join the etcd cluster through ${endpoint} yet`))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    member = await EtcdMember.start({ name: 'one', pki, dir, clientPort, peerPort });
    const plan = await planned;
    expect(plan.state).to.equal('existing');
    expect(plan.initialCluster.split(',').sort()).to.deep.equal([
      `one=${member.peerURL}`,
      'two=https://127.0.0.9:2380',
    ]);
    expect(plan.clientUrls).to.deep.equal([member.clientURL]);
    const list = await etcdctl(pki, endpoint, 'member', 'list', '-w', 'simple');
    expect(list).to.match(/, unstarted, , https:\/\/127\.0\.0\.9:2380, , true\n/);

    // The start failed before etcd ran (a crash): the next plan finds the added member and adds no other.
    const again = await planStart(join(dir, 'empty'), options(s), AbortSignal.timeout(10_000));
    expect(again).to.deep.equal(plan);
    expect((await etcdctl(pki, endpoint, 'member', 'list')).trim().split('\n')).to.have.length(2);
    await member.stop();
  });

  it('gives up with the signal’s reason when aborted while waiting', async () => {
    const ac = new AbortController();
    const s = spec({ joinEndpoints: ['https://127.0.0.1:1'] });
    setTimeout(() => {
      ac.abort(new Error('stopped'));
    }, 100);
    let failure: unknown;
    await planStart(join(dir, 'empty2'), options(s), ac.signal).catch((e: unknown) => (failure = e));
    expect((failure as Error | undefined)?.message).to.equal('stopped');
  });
});
