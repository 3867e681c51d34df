// NodeAddressController: global addresses off loopback links, IPv4 first; default is the first; accumulative only grows.
import { expect } from 'chai';
import {
  AddressStatusType,
  LinkStatusType,
  NETWORK_NAMESPACE,
  NodeAddressType,
  putResource,
  type AddressStatusSpec,
  type LinkStatusSpec,
  type Resource,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { NodeAddressController, compareAddresses } from './node-address.js';

const ptr = (id: string) => ({ namespace: NETWORK_NAMESPACE, type: NodeAddressType.type, id });
const addrPtr = (id: string) => ({ namespace: NETWORK_NAMESPACE, type: AddressStatusType.type, id });
const holds = (addresses: string[]) => (r: Resource | undefined) =>
  JSON.stringify(r?.spec) === JSON.stringify({ addresses });

function link(index: number, type: string): LinkStatusSpec {
  return {
    index,
    type,
    kind: '',
    up: true,
    operationalState: 'up',
    carrier: true,
    mtu: 1500,
    hardwareAddr: '',
    masterIndex: null,
  };
}

function address(linkName: string, a: string, scope = 'global'): AddressStatusSpec {
  const linkIndex = linkName === 'lo' ? 1 : 2;
  return { address: a, linkName, linkIndex, family: a.includes(':') ? 'inet6' : 'inet4', scope, flags: 'permanent' };
}

describe('network.NodeAddressController', () => {
  const h = useHarness({ types: [AddressStatusType, LinkStatusType, NodeAddressType] });

  it('orders IPv4 before IPv6, then numerically', () => {
    const sorted = ['fd00::10/64', '10.0.0.10/24', 'fd00::2/64', '10.0.0.9/24', '::ffff:1.2.3.4/128'].sort(
      compareAddresses,
    );
    expect(sorted).to.deep.equal(['10.0.0.9/24', '10.0.0.10/24', '::ffff:1.2.3.4/128', 'fd00::2/64', 'fd00::10/64']);
  });

  it('picks global addresses off loopback links; accumulative keeps what went away', async () => {
    const s = h().state;
    await putResource(s, { namespace: NETWORK_NAMESPACE, type: LinkStatusType.type, id: 'lo' }, link(1, 'loopback'));
    await putResource(s, { namespace: NETWORK_NAMESPACE, type: LinkStatusType.type, id: 'eth0' }, link(2, 'ether'));
    const all = [
      address('lo', '127.0.0.1/8', 'host'),
      address('lo', '10.99.0.1/32'),
      address('eth0', 'fe80::1/64', 'link'),
      address('eth0', 'fd00::5/64'),
      address('eth0', '10.5.0.2/24'),
    ];
    for (const a of all) await putResource(s, addrPtr(`${a.linkName}/${a.address}`), a);
    h().runtime.register(new NodeAddressController());
    h().start();
    await h().waitFor(ptr('current'), holds(['10.5.0.2/24', 'fd00::5/64']));
    await h().waitFor(ptr('default'), holds(['10.5.0.2/24']));
    await h().waitFor(ptr('accumulative'), holds(['10.5.0.2/24', 'fd00::5/64']));

    await s.teardown(addrPtr('eth0/10.5.0.2/24'));
    await s.destroy(addrPtr('eth0/10.5.0.2/24'));
    await putResource(s, addrPtr('eth0/10.5.0.3/24'), address('eth0', '10.5.0.3/24'));
    await h().waitFor(ptr('current'), holds(['10.5.0.3/24', 'fd00::5/64']));
    await h().waitFor(ptr('default'), holds(['10.5.0.3/24']));
    await h().waitFor(ptr('accumulative'), holds(['10.5.0.2/24', '10.5.0.3/24', 'fd00::5/64']));

    for (const id of ['eth0/10.5.0.3/24', 'eth0/fd00::5/64']) {
      await s.teardown(addrPtr(id));
      await s.destroy(addrPtr(id));
    }
    await h().waitFor(ptr('current'), holds([]));
    await h().waitFor(ptr('default'), holds([]));
  });
});
