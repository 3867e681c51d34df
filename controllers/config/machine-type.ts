// MachineTypeController: produces the node's MachineType (controlplane, worker or unknown) from the active MachineConfig.
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MACHINE_TYPE_ID,
  MachineConfigType,
  MachineTypeType,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';

/** Keeps `config/MachineType/machine-type` equal to `machine.type` of the active config, `unknown` without one. */
export class MachineTypeController implements Controller {
  readonly name = 'config.MachineTypeController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: MachineTypeType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const type = cfg === undefined || cfg.metadata.phase === 'tearingDown' ? 'unknown' : cfg.spec.machine.type;
    await ctx.modify(MachineTypeType, CONFIG_NAMESPACE, MACHINE_TYPE_ID, () => ({ type }));
  }
}
