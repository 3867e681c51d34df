// TimeServerConfigController: the default server, the ip= NTP server, machine.time.servers, and an empty list when time sync is off.
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  TimeServerSpecType,
  type Resource,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { TimeServerConfigController } from './timeserver-config.js';

const cfgPtr = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
const ptr = (id: string) => ({ namespace: NETWORK_CONFIG_NAMESPACE, type: TimeServerSpecType.type, id });
const exists = (r: Resource | undefined) => r !== undefined;
const gone = (r: Resource | undefined) => r === undefined;
const servers = (want: string[]) => (r: Resource | undefined) =>
  JSON.stringify((r?.spec as { ntpServers?: string[] } | undefined)?.ntpServers) === JSON.stringify(want);
const config = (time: object) => ({ version: 'v1alpha1', machine: { type: 'controlplane', time } });

describe('network.TimeServerConfigController', () => {
  const h = useHarness({ types: [MachineConfigType, TimeServerSpecType] });

  it('writes default, cmdline and configured servers; disabled time sync is an empty configuration layer', async () => {
    h().runtime.register(new TimeServerConfigController('ip=:::::eth0::::10.0.0.123'));
    h().start();
    const d = await h().waitFor(ptr('default/timeservers'), exists);
    expect(d?.spec).to.deep.equal({ ntpServers: ['time.cloudflare.com'], layer: 'default' });
    await h().waitFor(ptr('cmdline/timeservers'), servers(['10.0.0.123']));

    const cfg = await h().state.create({ metadata: cfgPtr, spec: config({ servers: ['pool.ntp.org'] }) });
    await h().waitFor(ptr('configuration/timeservers'), servers(['pool.ntp.org']));
    const upd = await h().state.update({
      metadata: { ...cfgPtr, version: cfg.metadata.version },
      spec: config({ disabled: true, servers: ['pool.ntp.org'] }),
    });
    await h().waitFor(ptr('configuration/timeservers'), servers([]));
    await h().state.update({ metadata: { ...cfgPtr, version: upd.metadata.version }, spec: config({}) });
    await h().waitFor(ptr('configuration/timeservers'), gone);
  });
});
