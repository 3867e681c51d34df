// AddressConfigController: the ip= address on its device, configured and VLAN addresses (bare ones as host prefixes), ids like AddressStatus.
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  AddressSpecType,
  CONFIG_NAMESPACE,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  type AddressSpecSpec,
  type Resource,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { AddressConfigController } from './address-config.js';

const cfgPtr = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
const ptr = (id: string) => ({ namespace: NETWORK_CONFIG_NAMESPACE, type: AddressSpecType.type, id });
const exists = (r: Resource | undefined) => r !== undefined;
const gone = (r: Resource | undefined) => r === undefined;
const config = (interfaces: unknown[]) => ({
  version: 'v1alpha1',
  machine: { type: 'controlplane', network: { interfaces } },
});

describe('network.AddressConfigController', () => {
  const h = useHarness({ types: [MachineConfigType, AddressSpecType] });
  const ids = async () =>
    (await h().state.list({ namespace: NETWORK_CONFIG_NAMESPACE, type: AddressSpecType.type })).map(
      (r) => r.metadata.id,
    );

  it('writes the cmdline and configured addresses, then follows the config', async () => {
    h().runtime.register(new AddressConfigController('ip=10.5.0.2::10.5.0.1:255.255.255.0::eth0'));
    const cfg = await h().state.create({
      metadata: cfgPtr,
      spec: config([
        {
          interface: 'eth0',
          addresses: ['10.5.0.3/24', 'fd00::2/64', '203.0.113.10', 'fd00::a'],
          vlans: [{ vlanId: 100, addresses: ['192.168.100.2/24'] }],
        },
        { interface: 'eth5', ignore: true, addresses: ['10.9.0.2/24'] },
      ]),
    });
    h().start();
    const cmd = await h().waitFor(ptr('cmdline/eth0/10.5.0.2/24'), exists);
    expect(cmd?.spec).to.deep.equal({
      address: '10.5.0.2/24',
      linkName: 'eth0',
      family: 'inet4',
      scope: 'global',
      flags: '',
      layer: 'cmdline',
    } satisfies AddressSpecSpec);
    const v6 = await h().waitFor(ptr('configuration/eth0/fd00::a/128'), exists);
    expect((v6?.spec as AddressSpecSpec).family).to.equal('inet6');
    await h().waitFor(ptr('configuration/eth0.100/192.168.100.2/24'), exists);
    expect(await ids()).to.deep.equal([
      'cmdline/eth0/10.5.0.2/24',
      'configuration/eth0.100/192.168.100.2/24',
      'configuration/eth0/10.5.0.3/24',
      'configuration/eth0/203.0.113.10/32',
      'configuration/eth0/fd00::2/64',
      'configuration/eth0/fd00::a/128',
    ]);

    await h().state.update({
      metadata: { ...cfgPtr, version: cfg.metadata.version },
      spec: config([{ interface: 'eth0', addresses: ['10.5.0.3/24'] }]),
    });
    await h().waitFor(ptr('configuration/eth0.100/192.168.100.2/24'), gone);
    await h().waitFor(ptr('configuration/eth0/fd00::a/128'), gone);
    expect(await ids()).to.deep.equal(['cmdline/eth0/10.5.0.2/24', 'configuration/eth0/10.5.0.3/24']);
    await h().state.destroy(cfgPtr);
    await h().waitFor(ptr('configuration/eth0/10.5.0.3/24'), gone);
    expect(await ids()).to.deep.equal(['cmdline/eth0/10.5.0.2/24']);
  });

  it('binds no address to a link when ip= names no device', async () => {
    h().runtime.register(new AddressConfigController('ip=10.5.0.2::10.5.0.1:24'));
    await h().state.create({ metadata: cfgPtr, spec: config([{ interface: 'eth1', addresses: ['10.6.0.2/24'] }]) });
    h().start();
    await h().waitFor(ptr('configuration/eth1/10.6.0.2/24'), exists);
    expect(await ids()).to.deep.equal(['configuration/eth1/10.6.0.2/24']);
  });
});
