// MachineStatusController: produces MachineStatus (stage, ready, unmet conditions) from MachineStage, the active
// MachineConfig and ApiStatus.
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
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';

/** Keeps `runtime/MachineStatus/machine` in step with the boot stage and the conditions a node needs to be ready. */
export class MachineStatusController implements Controller {
  readonly name = 'runtime.MachineStatusController';
  readonly inputs = [
    { namespace: RUNTIME_NAMESPACE, type: MachineStageType.type, id: MACHINE_ID, kind: 'weak' as const },
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
    { namespace: RUNTIME_NAMESPACE, type: ApiStatusType.type, id: API_STATUS_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: MachineStatusType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const stage = (await ctx.get(MachineStageType, RUNTIME_NAMESPACE, MACHINE_ID))?.spec.stage ?? 'booting';
    const config = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const unmet: MachineStatusSpec['unmetConditions'] = [];
    if (config === undefined) {
      unmet.push({ name: 'config', reason: 'no machine config yet: apply one with osctl apply-config' });
    }
    // A node run without an API (embedded in tests) has no ApiStatus; machined writes one before the stage running.
    const api = await ctx.get(ApiStatusType, RUNTIME_NAMESPACE, API_STATUS_ID);
    if (api?.spec.mode === 'off') unmet.push({ name: 'api', reason: api.spec.reason });
    const spec: MachineStatusSpec = { stage, ready: stage === 'running' && unmet.length === 0, unmetConditions: unmet };
    await ctx.modify(MachineStatusType, RUNTIME_NAMESPACE, MACHINE_ID, () => spec);
  }
}
