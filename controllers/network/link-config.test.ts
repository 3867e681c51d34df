// LinkConfigController: loopback by default, the ip= device from the command line, and configured links incl. bridge, bond, dummy and VLAN.
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  LinkSpecType,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  type LinkSpecSpec,
  type Resource,
} from '../../resources/index.js';
import { memoryLogger, useHarness } from '../../runtime/controller/testing.js';
import { LinkConfigController } from './link-config.js';

const cfgPtr = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
const ptr = (id: string) => ({ namespace: NETWORK_CONFIG_NAMESPACE, type: LinkSpecType.type, id });
const exists = (r: Resource | undefined) => r !== undefined;
const gone = (r: Resource | undefined) => r === undefined;

const link = (name: string, over: Partial<LinkSpecSpec> = {}): LinkSpecSpec => ({
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
  ...over,
});

const config = (interfaces: unknown[]) => ({
  version: 'v1alpha1',
  machine: { type: 'controlplane', network: { interfaces } },
});

describe('network.LinkConfigController', () => {
  const h = useHarness({ types: [MachineConfigType, LinkSpecType] });
  const ids = async () =>
    (await h().state.list({ namespace: NETWORK_CONFIG_NAMESPACE, type: LinkSpecType.type })).map((r) => r.metadata.id);

  it('writes lo and the ip= device without a config, then the configured links, and removes what the config drops', async () => {
    h().runtime.register(new LinkConfigController('ip=10.5.0.2::10.5.0.1:24::eth9'));
    h().start();
    const lo = await h().waitFor(ptr('default/lo'), exists);
    expect(lo?.spec).to.deep.equal(link('lo', { layer: 'default' }));
    const dev = await h().waitFor(ptr('cmdline/eth9'), exists);
    expect(dev?.spec).to.deep.equal(link('eth9', { layer: 'cmdline' }));
    expect(lo?.metadata.owner).to.equal('network.LinkConfigController');
    expect(await ids()).to.deep.equal(['cmdline/eth9', 'default/lo']);

    const cfg = await h().state.create({
      metadata: cfgPtr,
      spec: config([
        { interface: 'eth0', mtu: 9000, vlans: [{ vlanId: 100, mtu: 1400 }, { vlanId: 200 }] },
        { interface: 'br0', bridge: { interfaces: ['eth1'] } },
        { interface: 'bond0', bond: { interfaces: ['eth2', 'eth3'] } },
        { interface: 'bond1', bond: { interfaces: ['eth6'], mode: 'active-backup' } },
        { interface: 'eth3', mtu: 1500 },
        { interface: 'dummy0', dummy: true },
        { interface: 'eth5', ignore: true },
      ]),
    });
    const want: Record<string, LinkSpecSpec> = {
      eth0: link('eth0', { mtu: 9000 }),
      'eth0.100': link('eth0.100', { logical: true, kind: 'vlan', parent: 'eth0', vlanId: 100, mtu: 1400 }),
      'eth0.200': link('eth0.200', { logical: true, kind: 'vlan', parent: 'eth0', vlanId: 200 }),
      br0: link('br0', { logical: true, kind: 'bridge' }),
      eth1: link('eth1', { master: 'br0' }),
      bond0: link('bond0', { logical: true, kind: 'bond', bondMode: 'balance-rr' }),
      eth2: link('eth2', { master: 'bond0' }),
      eth3: link('eth3', { master: 'bond0', mtu: 1500 }),
      bond1: link('bond1', { logical: true, kind: 'bond', bondMode: 'active-backup' }),
      eth6: link('eth6', { master: 'bond1' }),
      dummy0: link('dummy0', { logical: true, kind: 'dummy' }),
    };
    for (const [name, spec] of Object.entries(want)) {
      const r = await h().waitFor(ptr(`configuration/${name}`), exists);
      expect(r?.spec, name).to.deep.equal(spec);
    }
    expect(await ids()).to.not.include('configuration/eth5');
    expect(await ids()).to.have.length(Object.keys(want).length + 2);

    await h().state.update({
      metadata: { ...cfgPtr, version: cfg.metadata.version },
      spec: config([{ interface: 'eth0', mtu: 9000 }]),
    });
    await h().waitFor(ptr('configuration/br0'), gone);
    await h().waitFor(ptr('configuration/eth0.100'), gone);
    await h().waitFor(ptr('configuration/eth6'), gone);
    expect(await ids()).to.deep.equal(['cmdline/eth9', 'configuration/eth0', 'default/lo']);

    await h().state.destroy(cfgPtr);
    await h().waitFor(ptr('configuration/eth0'), gone);
    expect(await ids()).to.deep.equal(['cmdline/eth9', 'default/lo']);
  });

  it('ignores a bad ip= (logging once) and still writes the other layers', async () => {
    const lines: string[] = [];
    h().runtime.register(new LinkConfigController('ip=10.5.0.2::10.5.0.1:24::eth9:off:8.8.8', memoryLogger(lines)));
    await h().state.create({ metadata: cfgPtr, spec: config([{ interface: 'eth0' }]) });
    h().start();
    await h().waitFor(ptr('configuration/eth0'), exists);
    await h().waitFor(ptr('default/lo'), exists);
    expect(await ids()).to.deep.equal(['configuration/eth0', 'default/lo']);
    const warnings = lines.filter((l) => l.includes('dns0-ip'));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^warn network\.LinkConfigController kernel argument ip=: dns0-ip "8\.8\.8"/);
  });
});
