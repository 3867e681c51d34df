// KernelParamConfigController and KernelParamMergeController: defaults and machine.sysctls layered, then merged.
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  KernelParamSpecType,
  MachineConfigType,
  RUNTIME_CONFIG_NAMESPACE,
  RUNTIME_NAMESPACE,
  putResource,
  type Resource,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { DEFAULT_SYSCTLS } from '../../kernel-config/index.js';
import { KernelParamConfigController } from './kernel-param-config.js';
import { KernelParamMergeController } from './kernel-param-merge.js';

const cfgPtr = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
const merged = (id: string) => ({ namespace: RUNTIME_NAMESPACE, type: KernelParamSpecType.type, id });
const valueIs = (v: string, layer: string) => (r: Resource | undefined) =>
  (r?.spec as { value?: string; layer?: string } | undefined)?.value === v &&
  (r?.spec as { layer?: string }).layer === layer;
const gone = (r: Resource | undefined) => r === undefined;
const config = (sysctls: Record<string, string | number>) => ({
  version: 'v1alpha1',
  machine: { type: 'worker', sysctls },
});

describe('kernel.KernelParamConfigController + KernelParamMergeController', () => {
  const h = useHarness({ types: [MachineConfigType, KernelParamSpecType] });
  const ids = async (namespace: string) =>
    (await h().state.list({ namespace, type: KernelParamSpecType.type })).map((r) => r.metadata.id);

  it('writes the hardening defaults from boot, without a config', async () => {
    h().runtime.register(new KernelParamConfigController());
    h().runtime.register(new KernelParamMergeController());
    h().start();
    await h().waitFor(merged('kernel.kptr_restrict'), valueIs('2', 'default'));
    const want = DEFAULT_SYSCTLS.map((s) => s.name).sort();
    for (const name of want) await h().waitFor(merged(name), (r) => r !== undefined);
    expect((await ids(RUNTIME_NAMESPACE)).sort()).to.deep.equal(want);
    expect(await ids(RUNTIME_CONFIG_NAMESPACE)).to.include('default/kernel.kptr_restrict');
    // kexec_load_disabled is recommended but one-way: audited, never written.
    expect(await ids(RUNTIME_NAMESPACE)).to.not.include('kernel.kexec_load_disabled');
  });

  it('machine.sysctls override a default, add new ones (slash names made canonical), and go away with the config', async () => {
    const defaults = [
      { name: 'kernel.kptr_restrict', value: '2' },
      { name: 'net.ipv4.conf.all.rp_filter', value: '1' },
    ];
    h().runtime.register(new KernelParamConfigController(defaults));
    h().runtime.register(new KernelParamMergeController());
    h().start();
    await h().waitFor(merged('net.ipv4.conf.all.rp_filter'), valueIs('1', 'default'));

    const sysctls = {
      'net/ipv4/conf/all/rp_filter': 2,
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.eth0/100.forwarding': 1,
    };
    await putResource(h().state, cfgPtr, config(sysctls));
    await h().waitFor(merged('net.ipv4.conf.all.rp_filter'), valueIs('2', 'configuration'));
    await h().waitFor(merged('net.ipv4.ip_forward'), valueIs('1', 'configuration'));
    await h().waitFor(merged('net.ipv4.conf.eth0/100.forwarding'), valueIs('1', 'configuration'));
    expect((await ids(RUNTIME_CONFIG_NAMESPACE)).sort()).to.deep.equal([
      'configuration/net.ipv4.conf.all.rp_filter',
      'configuration/net.ipv4.conf.eth0/100.forwarding',
      'configuration/net.ipv4.ip_forward',
      'default/kernel.kptr_restrict',
      'default/net.ipv4.conf.all.rp_filter',
    ]);

    await h().state.destroy(cfgPtr);
    await h().waitFor(merged('net.ipv4.ip_forward'), gone);
    await h().waitFor(merged('net.ipv4.conf.all.rp_filter'), valueIs('1', 'default'));
    expect((await ids(RUNTIME_NAMESPACE)).sort()).to.deep.equal([
      'kernel.kptr_restrict',
      'net.ipv4.conf.all.rp_filter',
    ]);
  });
});
