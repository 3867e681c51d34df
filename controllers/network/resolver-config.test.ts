// ResolverConfigController: default resolvers, ip= DNS servers, and machine.network nameservers and search domains.
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  ResolverSpecType,
  type Resource,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { ResolverConfigController } from './resolver-config.js';

const cfgPtr = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
const ptr = (id: string) => ({ namespace: NETWORK_CONFIG_NAMESPACE, type: ResolverSpecType.type, id });
const exists = (r: Resource | undefined) => r !== undefined;
const gone = (r: Resource | undefined) => r === undefined;
const config = (network: object) => ({ version: 'v1alpha1', machine: { type: 'controlplane', network } });

describe('network.ResolverConfigController', () => {
  const h = useHarness({ types: [MachineConfigType, ResolverSpecType] });

  it('writes default and cmdline resolvers, and the configured ones while the config sets them', async () => {
    h().runtime.register(new ResolverConfigController('ip=:::::eth0::10.0.0.53:10.0.0.54'));
    h().start();
    const d = await h().waitFor(ptr('default/resolvers'), exists);
    expect(d?.spec).to.deep.equal({ dnsServers: ['1.1.1.1', '8.8.8.8'], searchDomains: [], layer: 'default' });
    const c = await h().waitFor(ptr('cmdline/resolvers'), exists);
    expect(c?.spec).to.deep.equal({ dnsServers: ['10.0.0.53', '10.0.0.54'], searchDomains: [], layer: 'cmdline' });

    const cfg = await h().state.create({
      metadata: cfgPtr,
      spec: config({ nameservers: ['9.9.9.9'], searchDomains: ['example.com'] }),
    });
    const conf = await h().waitFor(
      ptr('configuration/resolvers'),
      (r) => (r?.spec as { dnsServers?: string[] } | undefined)?.dnsServers?.[0] === '9.9.9.9',
    );
    expect(conf?.spec).to.deep.equal({
      dnsServers: ['9.9.9.9'],
      searchDomains: ['example.com'],
      layer: 'configuration',
    });

    // Search domains alone keep the servers of the layers below.
    const upd = await h().state.update({
      metadata: { ...cfgPtr, version: cfg.metadata.version },
      spec: config({ searchDomains: ['corp.example'] }),
    });
    const only = await h().waitFor(
      ptr('configuration/resolvers'),
      (r) => (r?.spec as { searchDomains?: string[] } | undefined)?.searchDomains?.[0] === 'corp.example',
    );
    expect(only?.spec).to.deep.include({ dnsServers: ['10.0.0.53', '10.0.0.54'] });

    await h().state.update({ metadata: { ...cfgPtr, version: upd.metadata.version }, spec: config({}) });
    await h().waitFor(ptr('configuration/resolvers'), gone);
    await h().waitFor(ptr('default/resolvers'), exists);
  });
});
