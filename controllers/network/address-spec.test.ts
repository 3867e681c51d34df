// AddressSpecController against the fake kernel: adds addresses, puts back deleted ones, removes only what it added.
import { expect } from 'chai';
import {
  AddressSpecType,
  NETWORK_NAMESPACE,
  NetworkConditionType,
  putResource,
  type AddressSpecSpec,
  type NetworkConditionSpec,
  type Resource,
} from '../../resources/index.js';
import { createControllerContext } from '../../runtime/controller/context.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { AddressSpecController } from './address-spec.js';
import { FakeKernel, fakeAddress, fakeLink } from './testing.js';

const addr = (linkName: string, address: string, more: Partial<AddressSpecSpec> = {}): AddressSpecSpec => ({
  address,
  linkName,
  family: address.includes(':') ? 'inet6' : 'inet4',
  scope: 'global',
  flags: '',
  layer: 'configuration',
  ...more,
});
const idOf = (s: AddressSpecSpec) => `${s.linkName}/${s.address}`;
const specPtr = (id: string) => ({ namespace: NETWORK_NAMESPACE, type: AddressSpecType.type, id });
const condPtr = (id: string) => ({
  namespace: NETWORK_NAMESPACE,
  type: NetworkConditionType.type,
  id: `AddressSpec/${id}`,
});
const inState =
  (state: NetworkConditionSpec['state']) =>
  (r: Resource | undefined): boolean =>
    (r?.spec as NetworkConditionSpec | undefined)?.state === state;

describe('network.AddressSpecController', () => {
  const h = useHarness({ types: [AddressSpecType, NetworkConditionType] });
  const put = (s: AddressSpecSpec) => putResource(h().state, specPtr(idOf(s)), s);
  const has = (k: FakeKernel, link: number, a: string) =>
    k.addresses_.some((x) => x.linkIndex === link && x.address === a);

  it('adds v4 and v6 addresses and puts back one deleted by hand', async () => {
    const kernel = new FakeKernel();
    kernel.links_ = [fakeLink(2, 'eth0')];
    await put(addr('eth0', '10.5.0.2/24'));
    await put(addr('eth0', 'fd00:0::0002/64', { flags: 'nodad' }));
    h().runtime.register(new AddressSpecController(kernel));
    h().start();
    await h().waitFor(condPtr('eth0/10.5.0.2/24'), inState('Applied'));
    await h().waitFor(condPtr('eth0/fd00:0::0002/64'), inState('Applied'));
    expect(kernel.addresses_.find((a) => a.address === 'fd00::2')).to.include({ prefixLength: 64, flags: 0x82 });
    await h().until(() => kernel.subscribers === 1, 'the controller to subscribe');

    const v4 = kernel.addresses_.find((a) => a.address === '10.5.0.2');
    if (v4 === undefined) throw new Error('10.5.0.2 missing');
    const before = kernel.calls.length;
    kernel.dropAddress(v4);
    await h().until(() => has(kernel, 2, '10.5.0.2'), 'the address to be put back');
    expect(kernel.calls.slice(before)).to.deep.equal(['address add 10.5.0.2/24 dev eth0']);
  });

  it('waits for a missing link, applies on two links, and reports the kernel refusal', async () => {
    const kernel = new FakeKernel();
    kernel.links_ = [fakeLink(2, 'eth0')];
    await put(addr('eth1', '10.6.0.2/24'));
    await put(addr('eth0', '10.6.0.2/24'));
    h().runtime.register(new AddressSpecController(kernel));
    h().start();
    await h().waitFor(condPtr('eth0/10.6.0.2/24'), inState('Applied'));
    const p = await h().waitFor(condPtr('eth1/10.6.0.2/24'), inState('Pending'));
    expect((p?.spec as NetworkConditionSpec).reason).to.equal('waiting for link eth1 to appear');
    await h().until(() => kernel.subscribers === 1, 'the controller to subscribe');
    kernel.plug(fakeLink(3, 'eth1'));
    await h().waitFor(condPtr('eth1/10.6.0.2/24'), inState('Applied'));
    expect(has(kernel, 2, '10.6.0.2') && has(kernel, 3, '10.6.0.2')).to.equal(true);

    await put(addr('eth0', 'not-an-address/99'));
    const f = await h().waitFor(condPtr('eth0/not-an-address/99'), inState('Failed'));
    expect((f?.spec as NetworkConditionSpec).reason).to.contain("malformed address 'not-an-address/99'");
  });

  it('removes only the addresses it added once their spec is gone', async () => {
    const kernel = new FakeKernel();
    kernel.links_ = [fakeLink(2, 'eth0')];
    kernel.addresses_ = [fakeAddress(2, '10.7.0.9', 24), fakeAddress(2, '10.7.0.5', 24)];
    await put(addr('eth0', '10.7.0.1/24'));
    await put(addr('eth0', '10.7.0.5/24')); // present before us: not ours
    h().runtime.register(new AddressSpecController(kernel));
    h().start();
    await h().waitFor(condPtr('eth0/10.7.0.1/24'), inState('Applied'));
    await h().waitFor(condPtr('eth0/10.7.0.5/24'), inState('Applied'));
    await h().state.destroy(specPtr('eth0/10.7.0.1/24'));
    await h().state.destroy(specPtr('eth0/10.7.0.5/24'));
    await h().until(() => !has(kernel, 2, '10.7.0.1'), 'our address to be removed');
    await h().waitFor(condPtr('eth0/10.7.0.1/24'), (r) => r === undefined);
    await h().waitFor(condPtr('eth0/10.7.0.5/24'), (r) => r === undefined);
    expect(kernel.addresses_.map((a) => a.address)).to.deep.equal(['10.7.0.9', '10.7.0.5']);
    expect(kernel.calls).to.deep.equal(['address add 10.7.0.1/24 dev eth0', 'address delete 10.7.0.1/24 dev eth0']);
  });

  it('issues no kernel change and no store write for a converged pass over 1,000 addresses', async () => {
    const kernel = new FakeKernel();
    kernel.links_ = [fakeLink(2, 'eth0'), fakeLink(3, 'eth1')];
    for (let i = 0; i < 1000; i++) await put(addr(i % 2 ? 'eth1' : 'eth0', `10.${i >> 8}.${i & 255}.1/32`));
    const c = new AddressSpecController(kernel);
    const ctx = createControllerContext(h().state, c, new AbortController().signal);
    await c.reconcile(ctx);
    expect(kernel.addresses_).to.have.length(1000);
    const calls = kernel.calls.length;
    const kind = { namespace: NETWORK_NAMESPACE, type: NetworkConditionType.type };
    const versions = (await h().state.list(kind)).map((r) => r.metadata.version);
    expect(versions).to.have.length(1000);
    const start = performance.now();
    await c.reconcile(ctx);
    const ms = performance.now() - start;
    expect(kernel.calls.length).to.equal(calls);
    expect((await h().state.list(kind)).map((r) => r.metadata.version)).to.deep.equal(versions);
    expect(ms).to.be.below(500);
  });
});
