// AddressStatusController: a kernel dump becomes AddressStatus resources; address events create and destroy them.
import { expect } from 'chai';
import { AddressStatusType, NETWORK_NAMESPACE, type AddressStatusSpec, type Resource } from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { AddressStatusController } from './address-status.js';
import { FakeKernel, fakeAddress, fakeLink } from './testing.js';

const ptr = (id: string) => ({ namespace: NETWORK_NAMESPACE, type: AddressStatusType.type, id });
const exists = (r: Resource | undefined) => r !== undefined;
const gone = (r: Resource | undefined) => r === undefined;

describe('network.AddressStatusController', () => {
  const h = useHarness({ types: [AddressStatusType] });
  let kernel: FakeKernel;

  beforeEach(() => {
    kernel = new FakeKernel();
    kernel.links_ = [fakeLink(1, 'lo', { mac: '00:00:00:00:00:00' }), fakeLink(2, 'eth0')];
    kernel.addresses_ = [fakeAddress(1, '127.0.0.1', 8), fakeAddress(2, 'fe80::1', 64)];
    h().runtime.register(new AddressStatusController(kernel));
    h().start();
  });

  it('mirrors the dump, then creates and destroys resources on address events', async () => {
    const lo = await h().waitFor(ptr('lo/127.0.0.1/8'), exists);
    expect(lo?.spec).to.deep.equal({
      address: '127.0.0.1/8',
      linkName: 'lo',
      linkIndex: 1,
      family: 'inet4',
      scope: 'global',
      flags: 'permanent',
    } satisfies AddressStatusSpec);
    expect(lo?.metadata.owner).to.equal('network.AddressStatusController');
    await h().waitFor(ptr('eth0/fe80::1/64'), exists);
    await h().until(() => kernel.subscribers === 1, 'the controller to subscribe');

    const added = fakeAddress(2, '10.99.0.1', 24);
    kernel.addresses_.push(added);
    kernel.emit({ kind: 'address', op: 'new', address: added });
    await h().waitFor(ptr('eth0/10.99.0.1/24'), exists);

    kernel.addresses_ = kernel.addresses_.filter((a) => a !== added);
    kernel.emit({ kind: 'address', op: 'del', address: added });
    await h().waitFor(ptr('eth0/10.99.0.1/24'), gone);
    expect((await h().state.list({ namespace: NETWORK_NAMESPACE, type: AddressStatusType.type })).length).to.equal(2);
  });

  it('resynchronizes on an overrun', async () => {
    await h().waitFor(ptr('lo/127.0.0.1/8'), exists);
    await h().until(() => kernel.subscribers === 1, 'the controller to subscribe');
    // Events were lost: the overrun alone must bring the resources in line with the kernel.
    kernel.addresses_ = [fakeAddress(2, '10.0.0.2', 8)];
    kernel.emit({ kind: 'overrun' });
    await h().waitFor(ptr('eth0/10.0.0.2/8'), exists);
    await h().waitFor(ptr('lo/127.0.0.1/8'), gone);
  });
});
