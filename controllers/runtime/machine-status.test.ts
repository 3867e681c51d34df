// MachineStatusController: ready only when running with a config and a serving API; each unmet condition says why.
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  API_STATUS_ID,
  ApiStatusType,
  CONFIG_NAMESPACE,
  MACHINE_ID,
  MachineConfigType,
  MachineStageType,
  MachineStatusType,
  RUNTIME_NAMESPACE,
  type MachineStatusSpec,
  type Resource,
} from '../../resources/index.js';
import { createHarness, type Harness } from '../../runtime/controller/testing.js';
import { MachineStatusController } from './machine-status.js';

const statusPtr = { namespace: RUNTIME_NAMESPACE, type: MachineStatusType.type, id: MACHINE_ID };
const apiPtr = { namespace: RUNTIME_NAMESPACE, type: ApiStatusType.type, id: API_STATUS_ID };
const spec = (r: Resource | undefined) => r?.spec as MachineStatusSpec | undefined;
const unmet = (names: string[], ready: boolean) => (r: Resource | undefined) =>
  spec(r)?.ready === ready && JSON.stringify(spec(r)?.unmetConditions.map((c) => c.name)) === JSON.stringify(names);

describe('runtime.MachineStatusController', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ types: [MachineConfigType, MachineStageType, MachineStatusType, ApiStatusType] });
    h.runtime.register(new MachineStatusController());
    h.start();
  });
  afterEach(() => h.stop());

  it('is ready when running with a config; an API that is off is an unmet condition with its reason', async () => {
    await h.state.create({
      metadata: { namespace: RUNTIME_NAMESPACE, type: MachineStageType.type, id: MACHINE_ID },
      spec: { stage: 'running' },
    });
    await h.waitFor(statusPtr, unmet(['config'], false));
    await h.state.create({
      metadata: { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID },
      spec: { version: 'v1alpha1', machine: { type: 'worker' } },
    });
    await h.waitFor(statusPtr, unmet([], true));
    const reason = 'no CA key: waiting for a certificate from a control plane';
    const api = await h.state.create({ metadata: apiPtr, spec: { mode: 'off', endpoint: '', reason } });
    const r = await h.waitFor(statusPtr, unmet(['api'], false));
    expect(spec(r)?.unmetConditions[0]?.reason).to.equal(reason);
    await h.state.update({
      metadata: { ...apiPtr, version: api.metadata.version },
      spec: { mode: 'secure', endpoint: '0.0.0.0:50000', reason: '' },
    });
    await h.waitFor(statusPtr, unmet([], true));
  });
});
