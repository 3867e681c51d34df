// The mirror of etcd's member records: a listing replaces the Member resources, watch events update and remove them,
// and a record that is not a Member (bad JSON, bad fields, under another node's key) is skipped and reported.
import { expect } from 'chai';
import { CLUSTER_NAMESPACE, InMemoryState, MemberType, type MemberSpec } from '../../resources/index.js';
import type { KeyValue } from '../etcd/index.js';
import { SoloEtcd, etcdSkipReason } from '../etcd/fixture.js';
import { MEMBERS_PREFIX, MemberMirror, decodeMember, memberKey, recordMember, sameNode } from './members-mirror.js';

const spec = (hostname: string, o: Partial<MemberSpec> = {}): MemberSpec => ({
  hostname,
  role: 'controlplane',
  addresses: ['10.5.0.2'],
  operatingSystem: 'osnode (v0.1.0)',
  etcdMemberId: '8e9e05c52164694d',
  ...o,
});

const kv = (key: string, value: unknown): KeyValue => ({
  key,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  createRevision: 1,
  modRevision: 1,
  version: 1,
  lease: '0',
});

describe('member records mirror', () => {
  let state: InMemoryState;
  const reports: string[] = [];
  const mirror = (): MemberMirror => new MemberMirror(state, (m) => reports.push(m));
  const members = async (): Promise<Record<string, unknown>> =>
    Object.fromEntries(
      (await state.list({ namespace: CLUSTER_NAMESPACE, type: MemberType.type })).map((r) => [r.metadata.id, r.spec]),
    );

  beforeEach(async () => {
    state = new InMemoryState();
    await state.registerNamespace(CLUSTER_NAMESPACE, 'cluster');
    await state.registerType(MemberType);
    reports.length = 0;
  });

  it('decodes a record only under its own hostname’s key, and says why not otherwise', () => {
    expect(decodeMember(kv(memberKey('cp-1'), spec('cp-1')))).to.deep.equal({ spec: spec('cp-1') });
    expect(decodeMember(kv(memberKey('cp-2'), spec('cp-1')))).to.deep.equal({
      problem: 'hostname cp-1 under another key',
    });
    expect(decodeMember(kv(memberKey('x'), '{')))
      .to.have.property('problem')
      .that.matches(/^not JSON/);
    expect(decodeMember(kv(memberKey('x'), { ...spec('x'), role: 'boss' })))
      .to.have.property('problem')
      .that.matches(/^role: /);
  });

  it('replaces the Members with a listing, then follows puts and deletes', async () => {
    const m = mirror();
    await m.replaceAll([kv(memberKey('cp-1'), spec('cp-1')), kv(memberKey('bad'), 'nope')]);
    expect(await members()).to.deep.equal({ 'cp-1': spec('cp-1') });
    expect(reports).to.have.length(1);
    expect(reports[0]).to.match(/^etcd key \/osnode\/members\/bad is not a member record: not JSON/);

    const worker = spec('worker-1', { role: 'worker', addresses: ['10.5.0.5'], etcdMemberId: '' });
    await m.apply([
      { type: 'put', kv: kv(memberKey('cp-2'), spec('cp-2', { addresses: ['10.5.0.3'] })) },
      { type: 'put', kv: kv(memberKey('worker-1'), worker) },
      { type: 'put', kv: kv(memberKey('cp-1'), spec('cp-1', { addresses: ['10.5.0.2', '10.6.0.2'] })) },
    ]);
    expect(Object.keys(await members()).sort()).to.deep.equal(['cp-1', 'cp-2', 'worker-1']);
    expect((await members())['cp-1']).to.deep.include({ addresses: ['10.5.0.2', '10.6.0.2'] });

    await m.apply([
      { type: 'delete', kv: kv(memberKey('cp-2'), '') },
      { type: 'delete', kv: kv(memberKey('never-there'), '') },
    ]);
    expect(Object.keys(await members()).sort()).to.deep.equal(['cp-1', 'worker-1']);

    // A new listing (after a lost watch) drops what is gone from etcd meanwhile.
    await m.replaceAll([kv(memberKey('worker-1'), worker)]);
    expect(await members()).to.deep.equal({ 'worker-1': worker });
    await m.clear();
    expect(await members()).to.deep.equal({});
  });
});

describe('member records: one record per node, under its current hostname', () => {
  it('takes control planes with the same etcd member ID, and workers with the same addresses, for one node', () => {
    expect(sameNode(spec('cp-1'), spec('cp-renamed'))).to.equal(true);
    expect(sameNode(spec('cp-1'), spec('cp-2', { etcdMemberId: '1f2e' }))).to.equal(false);
    expect(sameNode(spec('cp-1', { etcdMemberId: '' }), spec('cp-2', { etcdMemberId: '' }))).to.equal(false);
    const w = (h: string, addresses: string[]): MemberSpec => spec(h, { role: 'worker', etcdMemberId: '', addresses });
    expect(sameNode(w('w-1', ['10.5.0.5', 'fd00::5']), w('w-new', ['fd00::5', '10.5.0.5']))).to.equal(true);
    expect(sameNode(w('w-1', ['10.5.0.5']), w('w-2', ['10.5.0.6']))).to.equal(false);
    expect(sameNode(w('w-1', []), w('w-2', []))).to.equal(false);
    expect(sameNode(w('w-1', ['10.5.0.2']), spec('cp-1'))).to.equal(false);
  });

  describe('recordMember against a real etcd (checked with etcdctl)', function () {
    const skip = etcdSkipReason();
    let etcd: SoloEtcd | undefined;

    before(async function () {
      if (skip !== undefined) this.skip();
      etcd = await SoloEtcd.start('members');
    });
    after(async () => {
      await etcd?.stop();
    });

    const keys = async (): Promise<string[]> =>
      (await (etcd as SoloEtcd).etcdctl('get', MEMBERS_PREFIX, '--prefix', '--keys-only'))
        .split('\n')
        .filter((l) => l !== '');

    it(`removes the record of the same node under its earlier hostname, and no other${skip === undefined ? '' : ` (skipped: ${skip})`}`, async () => {
      const c = (etcd as SoloEtcd).client;
      const signal = new AbortController().signal;
      const worker = (h: string): MemberSpec => spec(h, { role: 'worker', etcdMemberId: '', addresses: ['10.5.0.5'] });
      expect(await recordMember(c, spec('cp-1'), signal)).to.deep.equal([]);
      expect(
        await recordMember(c, spec('cp-2', { etcdMemberId: '1f2e', addresses: ['10.5.0.3'] }), signal),
      ).to.deep.equal([]);
      expect(await recordMember(c, worker('worker-1'), signal)).to.deep.equal([]);
      expect(await keys()).to.deep.equal([memberKey('cp-1'), memberKey('cp-2'), memberKey('worker-1')]);

      expect(await recordMember(c, spec('cp-1-renamed'), signal)).to.deep.equal(['cp-1']);
      expect(await recordMember(c, worker('worker-renamed'), signal)).to.deep.equal(['worker-1']);
      expect(await keys()).to.deep.equal([memberKey('cp-1-renamed'), memberKey('cp-2'), memberKey('worker-renamed')]);
      expect((await c.delete(memberKey('no-such-node'))).deleted).to.equal(0);
    });
  });
});
