// The MachineConfig type in a store: what non-strict validation accepts, the store keeps as written; what it refuses, the store refuses.
import { expect } from 'chai';
import { isInvalidSpec } from '../../errors.js';
import { InMemoryState } from '../../state/memory.js';
import { ACTIVE_CONFIG_ID, CONFIG_NAMESPACE, MachineConfigType, PERSISTENT_CONFIG_ID } from '../machine-config.js';
import { fullConfig, minimalConfig, testPki } from './fixture.js';
import { edit } from './testing.js';
import { validateMachineConfig } from './validate.js';

const ptr = (id: string) => ({ namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id });

describe('MachineConfig in the store', () => {
  it('creates a resource from a document validation accepts, unknown fields kept', async () => {
    const state = new InMemoryState();
    await state.registerType(MachineConfigType);
    const doc = edit(fullConfig(), ['machine', 'futureField'], { enabled: true });
    const { config, warnings } = validateMachineConfig(doc, { mode: 'metal', strict: false });
    expect(warnings.map((w) => w.path)).to.deep.equal(['machine.futureField']);
    const r = await state.create({ metadata: ptr(ACTIVE_CONFIG_ID), spec: config });
    expect(r.spec).to.deep.equal(doc);
    const p = await state.create({ metadata: ptr(PERSISTENT_CONFIG_ID), spec: minimalConfig() });
    expect(p.metadata.id).to.equal('persistent');
  });

  it('refuses what validation refuses, naming the field', async () => {
    const state = new InMemoryState();
    await state.registerType(MachineConfigType);
    const doc = edit(fullConfig(), ['machine', 'network', 'interfaces', 0, 'routes', 0, 'gateway'], '10.6.0.1');
    expect(() => validateMachineConfig(doc, { mode: 'container', strict: false })).to.throw(/routes\[0\]\.gateway/);
    const err: unknown = await state.create({ metadata: ptr(ACTIVE_CONFIG_ID), spec: doc }).catch((e: unknown) => e);
    expect(isInvalidSpec(err)).to.be.true;
    expect((err as Error).message).to.include(
      'machine.network.interfaces[0].routes[0].gateway: 10.6.0.1 is not inside',
    );
  });

  it('keeps key material out of the store error too', async () => {
    const state = new InMemoryState();
    await state.registerType(MachineConfigType);
    const wrongKey = testPki().machineCa.key;
    const doc = edit(fullConfig(), ['cluster', 'ca', 'key'], wrongKey);
    const err: unknown = await state.create({ metadata: ptr(ACTIVE_CONFIG_ID), spec: doc }).catch((e: unknown) => e);
    expect((err as Error).message).to.include('cluster.ca.key: does not belong to the certificate');
    expect((err as Error).message).not.to.include(wrongKey.slice(0, 30));
  });
});
