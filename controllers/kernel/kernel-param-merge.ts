// KernelParamMergeController: produces each KernelParamSpec in `runtime` from its layered specs in `runtime-config`, the highest layer winning.
import {
  KernelParamSpecType,
  RUNTIME_CONFIG_NAMESPACE,
  RUNTIME_NAMESPACE,
  layerRank,
  splitLayeredId,
  type KernelParamSpecSpec,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { syncKind } from './sync.js';

/**
 * Keeps `runtime/KernelParamSpec/<name>` equal to the spec of the highest layer among
 * `runtime-config/KernelParamSpec/<layer>/<name>` (machine.sysctls over the hardening defaults); merged specs whose name
 * no longer has a layered spec are destroyed. Layered specs tearing down are ignored. Output kind `shared`, since the
 * config controller writes the same type in `runtime-config`.
 */
export class KernelParamMergeController implements Controller {
  readonly name = 'kernel.KernelParamMergeController';
  readonly inputs = [{ namespace: RUNTIME_CONFIG_NAMESPACE, type: KernelParamSpecType.type, kind: 'weak' as const }];
  readonly outputs = [{ type: KernelParamSpecType.type, kind: 'shared' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const merged = new Map<string, KernelParamSpecSpec>();
    for (const r of await ctx.list(KernelParamSpecType, RUNTIME_CONFIG_NAMESPACE)) {
      if (r.metadata.phase === 'tearingDown') continue;
      const id = splitLayeredId(r.metadata.id)?.id;
      if (id === undefined) continue;
      const best = merged.get(id);
      if (best === undefined || layerRank(r.spec.layer) > layerRank(best.layer)) merged.set(id, r.spec);
    }
    await syncKind(ctx, KernelParamSpecType, RUNTIME_NAMESPACE, merged);
  }
}
