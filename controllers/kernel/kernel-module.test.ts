// KernelModuleConfigController and KernelModuleSpecController: machine.kernel.modules loaded with their parameters on
// metal, a missing module Failed with modprobe's message (once), and nothing loaded on a shared kernel.
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  KernelModuleSpecType,
  KernelModuleStatusType,
  MachineConfigType,
  RUNTIME_NAMESPACE,
  putResource,
  type KernelModuleStatusSpec,
  type Resource,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { HostKmod, MemoryKmod } from '../../runtime/host/kmod.js';
import { KernelModuleConfigController } from './kernel-module-config.js';
import { KernelModuleSpecController } from './kernel-module-spec.js';
import { SHARED_KERNEL_MODULE_REASON } from './scope.js';

const cfgPtr = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
const status = (id: string) => ({ namespace: RUNTIME_NAMESPACE, type: KernelModuleStatusType.type, id });
const stateIs = (state: string) => (r: Resource | undefined) =>
  (r?.spec as KernelModuleStatusSpec | undefined)?.state === state;
const config = (modules: { name: string; parameters?: string[] }[]) => ({
  version: 'v1alpha1',
  machine: { type: 'worker', kernel: { modules } },
});

describe('kernel.KernelModuleConfigController + KernelModuleSpecController', () => {
  const h = useHarness({ types: [MachineConfigType, KernelModuleSpecType, KernelModuleStatusType] });

  it("on metal loads each module with its parameters; a missing one fails with modprobe's message, once", async () => {
    const kmod = new MemoryKmod(new Set(['br_netfilter']));
    h().runtime.register(new KernelModuleConfigController());
    h().runtime.register(new KernelModuleSpecController({ metal: true }, kmod));
    h().start();
    await putResource(
      h().state,
      cfgPtr,
      config([{ name: 'br_netfilter', parameters: ['nf_conntrack_max=131072'] }, { name: 'osnode_nosuch' }]),
    );
    const loaded = await h().waitFor(status('br_netfilter'), stateIs('Loaded'));
    expect(loaded?.spec).to.deep.equal({
      state: 'Loaded',
      parameters: ['nf_conntrack_max=131072'],
      reason: 'loaded by modprobe with nf_conntrack_max=131072',
    });
    const failed = await h().waitFor(status('osnode_nosuch'), stateIs('Failed'));
    expect((failed?.spec as KernelModuleStatusSpec).reason).to.equal(
      'modprobe: FATAL: Module osnode_nosuch not found in directory /lib/modules/6.1.0-test',
    );
    // Another pass (the config changes) neither reloads the loaded module nor retries the missing one.
    await putResource(
      h().state,
      cfgPtr,
      config([
        { name: 'br_netfilter', parameters: ['nf_conntrack_max=131072'] },
        { name: 'osnode_nosuch' },
        { name: 'veth' },
      ]),
    );
    await h().waitFor(status('veth'), stateIs('Failed'));
    expect(kmod.loads).to.deep.equal(['br_netfilter nf_conntrack_max=131072', 'osnode_nosuch', 'veth']);

    await h().state.destroy(cfgPtr);
    await h().waitFor(status('br_netfilter'), (r) => r === undefined);
  });

  it('on a shared kernel loads nothing: Skipped, or Loaded when the module is in the kernel already', async () => {
    const kmod = new MemoryKmod(new Set(['br_netfilter']));
    kmod.loaded.add('bridge');
    h().runtime.register(new KernelModuleConfigController());
    h().runtime.register(new KernelModuleSpecController({ metal: false }, kmod));
    h().start();
    await putResource(h().state, cfgPtr, config([{ name: 'br_netfilter' }, { name: 'bridge' }]));
    const skipped = await h().waitFor(status('br_netfilter'), stateIs('Skipped'));
    expect(skipped?.spec).to.include({ reason: SHARED_KERNEL_MODULE_REASON });
    await h().waitFor(status('bridge'), stateIs('Loaded'));
    expect(kmod.loads).to.deep.equal([]);
  });

  it("with the real modprobe, a module that does not exist is Failed with modprobe's own words", async () => {
    // Loading nothing changes this machine: modprobe fails before touching the kernel.
    h().runtime.register(new KernelModuleConfigController());
    h().runtime.register(new KernelModuleSpecController({ metal: true }, new HostKmod()));
    h().start();
    await putResource(h().state, cfgPtr, config([{ name: 'osnode_no_such_module' }]));
    const failed = await h().waitFor(status('osnode_no_such_module'), stateIs('Failed'), 15_000);
    expect((failed?.spec as KernelModuleStatusSpec).reason).to.match(
      /^(modprobe: FATAL: Module osnode_no_such_module not found in directory \/lib\/modules\/\S+|modprobe not found on this node .*)$/,
    );
  });
});
