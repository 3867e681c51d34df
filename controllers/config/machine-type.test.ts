// MachineTypeController: the role follows the active machine config, and falls back to unknown without one.
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MACHINE_TYPE_ID,
  MachineConfigType,
  MachineTypeType,
  type Resource,
} from '../../resources/index.js';
import { createHarness, type Harness } from '../../runtime/controller/testing.js';
import { MachineTypeController } from './machine-type.js';

const cfgPtr = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
const typePtr = { namespace: CONFIG_NAMESPACE, type: MachineTypeType.type, id: MACHINE_TYPE_ID };
const typeOf = (want: string) => (r: Resource | undefined) => (r?.spec as { type?: string } | undefined)?.type === want;

describe('config.MachineTypeController', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ types: [MachineConfigType, MachineTypeType] });
    h.runtime.register(new MachineTypeController());
    h.start();
  });
  afterEach(() => h.stop());

  it('is unknown without a config, then follows machine.type', async () => {
    await h.waitFor(typePtr, typeOf('unknown'));
    const spec = { version: 'v1alpha1', machine: { type: 'controlplane' } };
    const cfg = await h.state.create({ metadata: cfgPtr, spec });
    await h.waitFor(typePtr, typeOf('controlplane'));
    await h.state.update({
      metadata: { ...cfgPtr, version: cfg.metadata.version },
      spec: { ...spec, machine: { type: 'worker' } },
    });
    const r = await h.waitFor(typePtr, typeOf('worker'));
    expect(r?.metadata.owner).to.equal('config.MachineTypeController');
    await h.state.destroy(cfgPtr);
    await h.waitFor(typePtr, typeOf('unknown'));
  });
});
