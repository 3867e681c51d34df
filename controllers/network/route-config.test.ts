// RouteConfigController: the ip= default route, configured and VLAN routes normalized, with ids equal to the RouteStatus ids.
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  RouteSpecType,
  type Resource,
  type RouteSpecSpec,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { routeSpecId, RouteConfigController } from './route-config.js';
import { routeStatusId } from './route-status.js';

const cfgPtr = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
const ptr = (id: string) => ({ namespace: NETWORK_CONFIG_NAMESPACE, type: RouteSpecType.type, id });
const exists = (r: Resource | undefined) => r !== undefined;
const gone = (r: Resource | undefined) => r === undefined;
const config = (interfaces: unknown[]) => ({
  version: 'v1alpha1',
  machine: { type: 'controlplane', network: { interfaces } },
});

describe('network.RouteConfigController', () => {
  const h = useHarness({ types: [MachineConfigType, RouteSpecType] });
  const ids = async () =>
    (await h().state.list({ namespace: NETWORK_CONFIG_NAMESPACE, type: RouteSpecType.type })).map((r) => r.metadata.id);

  it('shares the RouteStatus id format', () => {
    const spec: RouteSpecSpec = {
      family: 'inet4',
      destination: '0.0.0.0/0',
      source: '',
      gateway: '10.5.0.1',
      outLinkName: 'eth0',
      table: 'main',
      metric: 1024,
      scope: 'global',
      type: 'unicast',
      protocol: 'static',
      mtu: 0,
      layer: 'cmdline',
    };
    expect(routeSpecId(spec)).to.equal('main/inet4/10.5.0.1/0.0.0.0/0/1024/eth0');
    expect(routeSpecId(spec)).to.equal(routeStatusId(spec));
  });

  it('writes the cmdline default route and configured routes, then follows the config', async () => {
    h().runtime.register(new RouteConfigController('ip=10.5.0.2::10.5.0.1:24::eth0'));
    const cfg = await h().state.create({
      metadata: cfgPtr,
      spec: config([
        {
          interface: 'eth0',
          addresses: ['10.5.0.3/24', 'fd00::2/64'],
          routes: [
            { network: '0.0.0.0/0', gateway: '10.5.0.254', source: '10.5.0.3', metric: 100, mtu: 1400 },
            { network: '::/0', gateway: 'fd00::1' },
          ],
          vlans: [{ vlanId: 100, addresses: ['192.168.100.2/24'], routes: [{ network: '192.168.0.0/16' }] }],
        },
        { interface: 'eth1', addresses: ['203.0.113.10/32'], routes: [{ network: '172.31.1.1/32' }] },
      ]),
    });
    h().start();
    const cmd = await h().waitFor(ptr('cmdline/main/inet4/10.5.0.1/0.0.0.0/0/1024/eth0'), exists);
    expect(cmd?.spec).to.deep.equal({
      family: 'inet4',
      destination: '0.0.0.0/0',
      source: '',
      gateway: '10.5.0.1',
      outLinkName: 'eth0',
      table: 'main',
      metric: 1024,
      scope: 'global',
      type: 'unicast',
      protocol: 'static',
      mtu: 0,
      layer: 'cmdline',
    } satisfies RouteSpecSpec);
    const r = await h().waitFor(ptr('configuration/main/inet4/10.5.0.254/0.0.0.0/0/100/eth0'), exists);
    expect(r?.spec).to.include({ source: '10.5.0.3', mtu: 1400, scope: 'global', layer: 'configuration' });
    const host = await h().waitFor(ptr('configuration/main/inet4//172.31.1.1/32/1024/eth1'), exists);
    expect(host?.spec).to.include({ scope: 'link', gateway: '', family: 'inet4' });
    await h().waitFor(ptr('configuration/main/inet6/fd00::1/::/0/1024/eth0'), exists);
    await h().waitFor(ptr('configuration/main/inet4//192.168.0.0/16/1024/eth0.100'), exists);
    expect(await ids()).to.have.length(5);

    await h().state.update({
      metadata: { ...cfgPtr, version: cfg.metadata.version },
      spec: config([{ interface: 'eth1', addresses: ['203.0.113.10/32'], routes: [{ network: '172.31.1.1/32' }] }]),
    });
    await h().waitFor(ptr('configuration/main/inet6/fd00::1/::/0/1024/eth0'), gone);
    expect(await ids()).to.deep.equal([
      'cmdline/main/inet4/10.5.0.1/0.0.0.0/0/1024/eth0',
      'configuration/main/inet4//172.31.1.1/32/1024/eth1',
    ]);
  });
});
