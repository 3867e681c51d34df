// MachineStatusController: produces MachineStatus (stage, ready, unmet conditions) from MachineStage and the active MachineConfig.
import {
  ACTIVE_CONFIG_ID,
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
  ];
  readonly outputs = [{ type: MachineStatusType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const stage = (await ctx.get(MachineStageType, RUNTIME_NAMESPACE, MACHINE_ID))?.spec.stage ?? 'booting';
    const config = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const unmet: MachineStatusSpec['unmetConditions'] = [];
    if (config === undefined) {
      unmet.push({ name: 'config', reason: 'no machine config yet: apply one with osctl apply-config' });
    }
    const spec: MachineStatusSpec = { stage, ready: stage === 'running' && unmet.length === 0, unmetConditions: unmet };
    await ctx.modify(MachineStatusType, RUNTIME_NAMESPACE, MACHINE_ID, () => spec);
  }
}
