// KernelModuleConfigController: produces a KernelModuleSpec in `runtime` for each module of machine.kernel.modules.
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  KernelModuleSpecType,
  MachineConfigType,
  RUNTIME_NAMESPACE,
  type KernelModuleSpecSpec,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { syncKind } from './sync.js';

/**
 * Keeps `runtime/KernelModuleSpec/<name>` equal to each entry of machine.kernel.modules (the parameters in config
 * order; a module listed twice takes its last entry), and destroys the specs of modules no longer listed. No layers:
 * the node loads no module by default.
 */
export class KernelModuleConfigController implements Controller {
  readonly name = 'kernel.KernelModuleConfigController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: KernelModuleSpecType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const modules = cfg?.metadata.phase === 'running' ? (cfg.spec.machine.kernel?.modules ?? []) : [];
    const desired = new Map<string, KernelModuleSpecSpec>();
    for (const m of modules) desired.set(m.name, { name: m.name, parameters: [...(m.parameters ?? [])] });
    await syncKind(ctx, KernelModuleSpecType, RUNTIME_NAMESPACE, desired);
  }
}
