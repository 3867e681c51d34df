// Merge controllers: the highest layer wins per id, tearing-down layers are ignored, merged specs go when their layers do.
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  AddressSpecType,
  CONFIG_NAMESPACE,
  HostnameSpecType,
  LinkSpecType,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  NETWORK_NAMESPACE,
  ResolverSpecType,
  RouteSpecType,
  TimeServerSpecType,
  type Layer,
  type Resource,
  type ResolverSpecSpec,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { AddressConfigController } from './address-config.js';
import { HostnameConfigController } from './hostname-config.js';
import { LinkConfigController } from './link-config.js';
import {
  AddressMergeController,
  HostnameMergeController,
  LinkMergeController,
  ResolverMergeController,
  RouteMergeController,
  TimeServerMergeController,
} from './merge.js';
import { ResolverConfigController } from './resolver-config.js';
import { RouteConfigController } from './route-config.js';
import { TimeServerConfigController } from './timeserver-config.js';

const TYPES = [
  MachineConfigType,
  LinkSpecType,
  AddressSpecType,
  RouteSpecType,
  HostnameSpecType,
  ResolverSpecType,
  TimeServerSpecType,
];
const cfgPtr = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
const merged = (type: string, id: string) => ({ namespace: NETWORK_NAMESPACE, type, id });
const layered = (type: string, id: string) => ({ namespace: NETWORK_CONFIG_NAMESPACE, type, id });
const exists = (r: Resource | undefined) => r !== undefined;
const gone = (r: Resource | undefined) => r === undefined;
const fromLayer = (layer: Layer) => (r: Resource | undefined) =>
  (r?.spec as { layer?: string } | undefined)?.layer === layer;
const resolvers = (dnsServers: string[], layer: Layer): ResolverSpecSpec => ({ dnsServers, searchDomains: [], layer });

describe('network merge controllers', () => {
  const h = useHarness({ types: TYPES });

  it('run beside every config controller: configuration beats cmdline beats default', async () => {
    const cmdline = 'ip=10.5.0.2::10.5.0.1:24:boot-1:eth0::10.0.0.53::10.0.0.123';
    const rt = h().runtime;
    rt.register(new LinkConfigController(cmdline));
    rt.register(new AddressConfigController(cmdline));
    rt.register(new RouteConfigController(cmdline));
    rt.register(new HostnameConfigController(cmdline));
    rt.register(new ResolverConfigController(cmdline));
    rt.register(new TimeServerConfigController(cmdline));
    for (const m of [
      new LinkMergeController(),
      new AddressMergeController(),
      new RouteMergeController(),
      new HostnameMergeController(),
      new ResolverMergeController(),
      new TimeServerMergeController(),
    ]) {
      rt.register(m);
    }
    h().start();
    const lo = await h().waitFor(merged('LinkSpec', 'lo'), fromLayer('default'));
    expect(lo?.metadata.owner).to.equal('network.LinkMergeController');
    await h().waitFor(merged('LinkSpec', 'eth0'), fromLayer('cmdline'));
    await h().waitFor(merged('AddressSpec', 'eth0/10.5.0.2/24'), fromLayer('cmdline'));
    await h().waitFor(merged('RouteSpec', 'main/inet4/10.5.0.1/0.0.0.0/0/1024/eth0'), fromLayer('cmdline'));
    await h().waitFor(merged('HostnameSpec', 'hostname'), fromLayer('cmdline'));
    await h().waitFor(merged('ResolverSpec', 'resolvers'), fromLayer('cmdline'));
    await h().waitFor(merged('TimeServerSpec', 'timeservers'), fromLayer('cmdline'));

    const spec = {
      version: 'v1alpha1',
      machine: {
        type: 'controlplane',
        network: { hostname: 'cp-1', interfaces: [{ interface: 'eth0', mtu: 9000 }], nameservers: ['9.9.9.9'] },
        time: { servers: ['pool.ntp.org'] },
      },
    };
    await h().state.create({ metadata: cfgPtr, spec });
    const eth0 = await h().waitFor(merged('LinkSpec', 'eth0'), fromLayer('configuration'));
    expect(eth0?.spec).to.include({ mtu: 9000 });
    const host = await h().waitFor(merged('HostnameSpec', 'hostname'), fromLayer('configuration'));
    expect(host?.spec).to.include({ hostname: 'cp-1' });
    const res = await h().waitFor(merged('ResolverSpec', 'resolvers'), fromLayer('configuration'));
    expect(res?.spec).to.deep.include({ dnsServers: ['9.9.9.9'] });
    await h().waitFor(merged('TimeServerSpec', 'timeservers'), fromLayer('configuration'));

    await h().state.destroy(cfgPtr);
    const back = await h().waitFor(merged('LinkSpec', 'eth0'), fromLayer('cmdline'));
    expect(back?.spec).to.include({ mtu: 0 });
    await h().waitFor(merged('ResolverSpec', 'resolvers'), fromLayer('cmdline'));
  });

  it('ignores layered specs tearing down and destroys merged specs once consumers let go', async () => {
    h().runtime.register(new ResolverMergeController());
    const put = (layer: Layer, servers: string[]) =>
      h().state.create({
        metadata: layered('ResolverSpec', `${layer}/resolvers`),
        spec: resolvers(servers, layer),
      });
    await put('default', ['1.1.1.1']);
    await put('configuration', ['9.9.9.9']);
    await put('cmdline', ['10.0.0.53']);
    await h().state.create({ metadata: layered('ResolverSpec', 'nolayer'), spec: resolvers(['1.2.3.4'], 'default') });
    h().start();
    const r = await h().waitFor(merged('ResolverSpec', 'resolvers'), fromLayer('configuration'));
    expect(r?.spec).to.deep.equal(resolvers(['9.9.9.9'], 'configuration'));

    // A configuration layer held by a finalizer while tearing down no longer counts.
    const conf = layered('ResolverSpec', 'configuration/resolvers');
    await h().state.addFinalizer(conf, ['someone']);
    await h().state.teardown(conf);
    await h().waitFor(merged('ResolverSpec', 'resolvers'), fromLayer('cmdline'));

    // A consumer's finalizer on the merged spec delays its destruction until released.
    const out = merged('ResolverSpec', 'resolvers');
    await h().state.addFinalizer(out, ['consumer']);
    for (const layer of ['default', 'cmdline'] as const)
      await h().state.destroy(layered('ResolverSpec', `${layer}/resolvers`));
    await h().waitFor(out, (x) => x?.metadata.phase === 'tearingDown');
    await h().state.removeFinalizer(out, ['consumer']);
    await h().waitFor(out, gone);

    // A layer coming back makes it again.
    await put('default', ['1.1.1.1']);
    await h().waitFor(out, exists);
    expect(
      (await h().state.list({ namespace: NETWORK_NAMESPACE, type: 'ResolverSpec' })).map((x) => x.metadata.id),
    ).to.deep.equal(['resolvers']);
  });

  it('remakes a merged spec that is wanted again while a consumer still holds it', async () => {
    h().runtime.register(new ResolverMergeController());
    const def = layered('ResolverSpec', 'default/resolvers');
    await h().state.create({ metadata: def, spec: resolvers(['1.1.1.1'], 'default') });
    h().start();
    const out = merged('ResolverSpec', 'resolvers');
    await h().waitFor(out, exists);
    await h().state.addFinalizer(out, ['consumer']);
    await h().state.destroy(def);
    await h().waitFor(out, (x) => x?.metadata.phase === 'tearingDown');
    await h().state.create({
      metadata: layered('ResolverSpec', 'cmdline/resolvers'),
      spec: resolvers(['10.0.0.53'], 'cmdline'),
    });
    await h().state.removeFinalizer(out, ['consumer']);
    const again = await h().waitFor(out, (x) => x?.metadata.phase === 'running' && fromLayer('cmdline')(x));
    expect(again?.spec).to.deep.equal(resolvers(['10.0.0.53'], 'cmdline'));
  });
});
