// LinkSpecController against the fake kernel: creates and configures links, heals changes made by hand, reports refusals.
import { expect } from 'chai';
import {
  LinkSpecType,
  NETWORK_NAMESPACE,
  NetworkConditionType,
  putResource,
  type LinkSpecSpec,
  type NetworkConditionSpec,
  type Resource,
} from '../../resources/index.js';
import { createControllerContext } from '../../runtime/controller/context.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { LinkSpecController } from './link-spec.js';
import { FakeKernel, fakeLink } from './testing.js';

const link = (name: string, more: Partial<LinkSpecSpec> = {}): LinkSpecSpec => ({
  name,
  logical: false,
  kind: '',
  up: true,
  mtu: 0,
  master: '',
  parent: '',
  vlanId: 0,
  vethPeer: '',
  bondMode: '',
  layer: 'configuration',
  ...more,
});
const specPtr = (id: string) => ({ namespace: NETWORK_NAMESPACE, type: LinkSpecType.type, id });
const condPtr = (id: string) => ({
  namespace: NETWORK_NAMESPACE,
  type: NetworkConditionType.type,
  id: `LinkSpec/${id}`,
});
const inState =
  (state: NetworkConditionSpec['state']) =>
  (r: Resource | undefined): boolean =>
    (r?.spec as NetworkConditionSpec | undefined)?.state === state;

describe('network.LinkSpecController', () => {
  const h = useHarness({ types: [LinkSpecType, NetworkConditionType] });
  const put = (s: LinkSpecSpec) => putResource(h().state, specPtr(s.name), s);
  const applied = (id: string) => h().waitFor(condPtr(id), inState('Applied'));

  /** Runs passes until the runtime is idle: two more passes start after `kick`, so the first of them has ended. */
  async function settle(kernel: FakeKernel, c: LinkSpecController): Promise<void> {
    for (let i = 0; i < 2; i++) {
      const n = h().runtime.stats().get(c.name)?.reconciles ?? 0;
      kernel.emit({ kind: 'overrun' });
      await h().until(() => (h().runtime.stats().get(c.name)?.reconciles ?? 0) > n, 'another pass');
    }
  }

  it('creates a bridge and a veth pair, enslaves one end, sets MTU and up, and heals changes made by hand', async () => {
    const kernel = new FakeKernel();
    const c = new LinkSpecController(kernel);
    await put(link('br0', { logical: true, kind: 'bridge' }));
    await put(link('veth0', { logical: true, kind: 'veth', vethPeer: 'veth1', mtu: 1400 }));
    await put(link('veth1', { logical: true, kind: 'veth', vethPeer: 'veth0', master: 'br0' }));
    h().runtime.register(c);
    h().start();
    for (const id of ['br0', 'veth0', 'veth1']) await applied(id);
    const br0 = kernel.find('br0');
    expect(br0).to.include({ kind: 'bridge', up: true });
    expect(kernel.find('veth0')).to.include({ kind: 'veth', up: true, mtu: 1400 });
    expect(kernel.find('veth1')).to.include({ kind: 'veth', up: true, master: br0?.index });
    expect(kernel.calls.filter((x) => x.startsWith('link add veth'))).to.have.length(1);
    await h().until(() => kernel.subscribers === 1, 'the controller to subscribe');

    // Someone sets veth0 down and changes its MTU: both are put back, by the link event alone.
    const v0 = kernel.find('veth0');
    if (v0 === undefined) throw new Error('veth0 missing');
    kernel.replaceLink(v0, { ...v0, up: false, mtu: 1500 });
    await h().until(() => kernel.find('veth0')?.up === true && kernel.find('veth0')?.mtu === 1400, 'veth0 healed');
    const v1 = kernel.find('veth1');
    if (v1 === undefined) throw new Error('veth1 missing');
    kernel.replaceLink(v1, { ...v1, master: null });
    await h().until(() => kernel.find('veth1')?.master === br0?.index, 'veth1 enslaved again');

    // Converged: a pass issues no kernel change.
    await settle(kernel, c);
    const before = kernel.calls.length;
    await settle(kernel, c);
    expect(kernel.calls.slice(before)).to.deep.equal([]);
  });

  it('reports a kind the kernel lacks as Unsupported, asks once per spec version, and applies the rest', async () => {
    const kernel = new FakeKernel();
    kernel.missingKinds.add('dummy');
    const c = new LinkSpecController(kernel);
    await put(link('dummy0', { logical: true, kind: 'dummy' }));
    await put(link('br0', { logical: true, kind: 'bridge' }));
    h().runtime.register(c);
    h().start();
    const u = await h().waitFor(condPtr('dummy0'), inState('Unsupported'));
    expect((u?.spec as NetworkConditionSpec).reason).to.contain('Unknown device type');
    await applied('br0');
    await settle(kernel, c);
    await settle(kernel, c);
    const adds = () => kernel.calls.filter((x) => x === 'link add dummy0 type dummy').length;
    expect(adds()).to.equal(1);
    expect(h().runtime.stats().get(c.name)?.crashes).to.equal(0);

    // A new version of the spec is asked again (once).
    await put(link('dummy0', { logical: true, kind: 'dummy', mtu: 1400 }));
    await h().until(() => adds() === 2, 'the new version to be tried');
    await settle(kernel, c);
    expect(adds()).to.equal(2);
  });

  it('reports a refused MTU as Failed with the kernel reason while other links apply', async () => {
    const kernel = new FakeKernel();
    kernel.links_ = [fakeLink(2, 'eth0'), fakeLink(3, 'eth1', { up: false })];
    await put(link('eth0', { mtu: 9500 }));
    await put(link('eth1', { mtu: 9000 }));
    h().runtime.register(new LinkSpecController(kernel));
    h().start();
    const f = await h().waitFor(condPtr('eth0'), inState('Failed'));
    expect((f?.spec as NetworkConditionSpec).reason).to.contain('MTU is out of range');
    await applied('eth1');
    expect(kernel.find('eth1')).to.include({ mtu: 9000, up: true });
    expect(kernel.find('eth0')).to.include({ mtu: 1500 });
  });

  it('waits for a physical link to appear, then configures it', async () => {
    const kernel = new FakeKernel();
    await put(link('eth1', { mtu: 1450 }));
    h().runtime.register(new LinkSpecController(kernel));
    h().start();
    const p = await h().waitFor(condPtr('eth1'), inState('Pending'));
    expect((p?.spec as NetworkConditionSpec).reason).to.equal('waiting for link eth1 to appear');
    expect(kernel.calls).to.deep.equal([]);
    await h().until(() => kernel.subscribers === 1, 'the controller to subscribe');
    kernel.plug(fakeLink(7, 'eth1', { up: false }));
    await applied('eth1');
    expect(kernel.find('eth1')).to.include({ up: true, mtu: 1450 });
  });

  it('deletes the logical links whose spec is gone, and never links without a spec', async () => {
    const kernel = new FakeKernel();
    kernel.links_ = [fakeLink(2, 'eth0'), fakeLink(3, 'br-other', { kind: 'bridge' })];
    await put(link('eth0'));
    await put(link('br0', { logical: true, kind: 'bridge' }));
    h().runtime.register(new LinkSpecController(kernel));
    h().start();
    await applied('br0');
    await applied('eth0');
    await h().state.destroy(specPtr('br0'));
    await h().state.destroy(specPtr('eth0'));
    await h().until(() => kernel.find('br0') === undefined, 'br0 to be deleted');
    await h().waitFor(condPtr('br0'), (r) => r === undefined);
    await h().waitFor(condPtr('eth0'), (r) => r === undefined);
    expect(kernel.links_.map((l) => l.name)).to.deep.equal(['eth0', 'br-other']);
    expect(kernel.calls).to.deep.equal(['link add br0 type bridge', 'link set br0 up', 'link delete br0']);
  });

  it('issues no kernel change and no store write for a converged pass over many links', async () => {
    const kernel = new FakeKernel();
    const c = new LinkSpecController(kernel);
    for (let i = 0; i < 200; i++) await put(link(`br${i}`, { logical: true, kind: 'bridge', mtu: 1400 }));
    const ac = new AbortController();
    const ctx = createControllerContext(h().state, c, ac.signal);
    await c.reconcile(ctx);
    expect(kernel.links_).to.have.length(200);
    const calls = kernel.calls.length;
    const versions = (await h().state.list({ namespace: NETWORK_NAMESPACE, type: NetworkConditionType.type })).map(
      (r) => r.metadata.version,
    );
    await c.reconcile(ctx);
    expect(kernel.calls.length).to.equal(calls);
    const after = await h().state.list({ namespace: NETWORK_NAMESPACE, type: NetworkConditionType.type });
    expect(after.map((r) => r.metadata.version)).to.deep.equal(versions);
    expect(after.every((r) => (r.spec as NetworkConditionSpec).state === 'Applied')).to.equal(true);
  });
});
