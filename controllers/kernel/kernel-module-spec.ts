// KernelModuleSpecController: loads each KernelModuleSpec with modprobe (on metal) and produces KernelModuleStatus.
import {
  KernelModuleSpecType,
  KernelModuleStatusType,
  RUNTIME_NAMESPACE,
  deepEqual,
  type KernelModuleSpecSpec,
  type KernelModuleStatusSpec,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { HostKmod, isKmodError, type Kmod } from '../../runtime/host/kmod.js';
import { SHARED_KERNEL_MODULE_REASON, type KernelScope } from './scope.js';

/**
 * Makes each module of `runtime/KernelModuleSpec` be in the kernel and keeps `runtime/KernelModuleStatus/<name>`
 * saying so, or why not. A module already in the kernel (loaded earlier, or built in) is Loaded without a modprobe.
 * Modules are global to a kernel, so a node that shares its kernel (not metal) loads none: Skipped. A module modprobe
 * cannot load is Failed with modprobe's own message and is not tried again until its spec changes (a missing module
 * does not appear by retrying). A module dropped from the config stays loaded, as with Talos: unloading one under
 * running workloads is riskier than leaving it.
 */
export class KernelModuleSpecController implements Controller {
  readonly name = 'kernel.KernelModuleSpecController';
  readonly inputs = [{ namespace: RUNTIME_NAMESPACE, type: KernelModuleSpecType.type, kind: 'weak' as const }];
  readonly outputs = [{ type: KernelModuleStatusType.type, kind: 'exclusive' as const }];

  constructor(
    private readonly scope: KernelScope,
    private readonly kmod: Kmod = new HostKmod(),
  ) {}

  async reconcile(ctx: ControllerContext): Promise<void> {
    const statuses = new Map(
      (await ctx.list(KernelModuleStatusType, RUNTIME_NAMESPACE)).map((r) => [r.metadata.id, r]),
    );
    const keep = new Set<string>();
    for (const r of await ctx.list(KernelModuleSpecType, RUNTIME_NAMESPACE)) {
      if (r.metadata.phase === 'tearingDown') continue;
      keep.add(r.metadata.id);
      const status = await this.status(ctx, r.spec, statuses.get(r.metadata.id)?.spec);
      await ctx.modify(KernelModuleStatusType, RUNTIME_NAMESPACE, r.metadata.id, () => status);
    }
    await ctx.cleanupOutputs(KernelModuleStatusType, RUNTIME_NAMESPACE, keep);
  }

  private async status(
    ctx: ControllerContext,
    spec: KernelModuleSpecSpec,
    prev: KernelModuleStatusSpec | undefined,
  ): Promise<KernelModuleStatusSpec> {
    const parameters = [...spec.parameters];
    const sameAsked = prev !== undefined && deepEqual(prev.parameters, parameters);
    if (await this.kmod.isLoaded(spec.name, ctx.signal)) {
      const reason =
        sameAsked && prev.state === 'Loaded' ? prev.reason : 'already in the kernel (loaded before, or built in)';
      return { state: 'Loaded', parameters, reason };
    }
    if (!this.scope.metal) return { state: 'Skipped', parameters, reason: SHARED_KERNEL_MODULE_REASON };
    if (sameAsked && prev.state === 'Failed') return prev;
    try {
      await this.kmod.load(spec.name, parameters, ctx.signal);
    } catch (e) {
      if (!isKmodError(e)) throw e;
      return { state: 'Failed', parameters, reason: e.message };
    }
    const how = parameters.length === 0 ? 'loaded by modprobe' : `loaded by modprobe with ${parameters.join(' ')}`;
    return { state: 'Loaded', parameters, reason: how };
  }
}
