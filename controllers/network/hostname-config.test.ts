// HostnameConfigController: the ip= hostname field and machine.network.hostname, split into host and domain names.
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  HostnameSpecType,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  type Resource,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { HostnameConfigController } from './hostname-config.js';

const cfgPtr = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
const ptr = (id: string) => ({ namespace: NETWORK_CONFIG_NAMESPACE, type: HostnameSpecType.type, id });
const exists = (r: Resource | undefined) => r !== undefined;
const gone = (r: Resource | undefined) => r === undefined;

describe('network.HostnameConfigController', () => {
  const h = useHarness({ types: [MachineConfigType, HostnameSpecType] });
  const ids = async () =>
    (await h().state.list({ namespace: NETWORK_CONFIG_NAMESPACE, type: HostnameSpecType.type })).map(
      (r) => r.metadata.id,
    );

  it('writes the cmdline and configured host names, split at the first dot, and no default', async () => {
    h().runtime.register(new HostnameConfigController('ip=:::::eth0 talos.hostname=boot-1.example.com'));
    h().start();
    const cmd = await h().waitFor(ptr('cmdline/hostname'), exists);
    expect(cmd?.spec).to.deep.equal({ hostname: 'boot-1', domainname: 'example.com', layer: 'cmdline' });
    expect(await ids()).to.deep.equal(['cmdline/hostname']);

    const network = { hostname: 'worker-1' };
    await h().state.create({ metadata: cfgPtr, spec: { version: 'v1alpha1', machine: { type: 'worker', network } } });
    const conf = await h().waitFor(ptr('configuration/hostname'), exists);
    expect(conf?.spec).to.deep.equal({ hostname: 'worker-1', domainname: '', layer: 'configuration' });
    await h().state.destroy(cfgPtr);
    await h().waitFor(ptr('configuration/hostname'), gone);
    expect(await ids()).to.deep.equal(['cmdline/hostname']);
  });
});
