// KernelParamConfigController: produces layered KernelParamSpecs in `runtime-config` from the hardening defaults and machine.sysctls.
import { DEFAULT_SYSCTLS } from '../../kernel-config/index.js';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  KernelParamSpecType,
  MachineConfigType,
  RUNTIME_CONFIG_NAMESPACE,
  canonicalSysctlName,
  layeredId,
  type KernelParamSpecSpec,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { syncKind } from './sync.js';

/** A default sysctl value: its name and value. */
export interface SysctlDefault {
  readonly name: string;
  readonly value: string;
}

/**
 * Keeps `runtime-config/KernelParamSpec/default/<name>` equal to each hardening default (kernel-config/sysctls.ts,
 * the enforced ones) and `runtime-config/KernelParamSpec/configuration/<name>` equal to each entry of machine.sysctls
 * (numbers written as text, names canonical: `net/ipv4/ip_forward` is `net.ipv4.ip_forward`). The defaults exist
 * from boot, before any config. Output kind `shared`: the merge controller writes KernelParamSpec too (in `runtime`).
 */
export class KernelParamConfigController implements Controller {
  readonly name = 'kernel.KernelParamConfigController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: KernelParamSpecType.type, kind: 'shared' as const }];

  /** `defaults` are the `default` layer; the enforced hardening sysctls unless a test gives others. */
  constructor(private readonly defaults: readonly SysctlDefault[] = DEFAULT_SYSCTLS) {}

  async reconcile(ctx: ControllerContext): Promise<void> {
    const desired = new Map<string, KernelParamSpecSpec>();
    for (const d of this.defaults) {
      const name = canonicalSysctlName(d.name);
      desired.set(layeredId('default', name), { name, value: d.value, layer: 'default' });
    }
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const sysctls = cfg?.metadata.phase === 'running' ? (cfg.spec.machine.sysctls ?? {}) : {};
    for (const [key, value] of Object.entries(sysctls)) {
      const name = canonicalSysctlName(key);
      desired.set(layeredId('configuration', name), { name, value: String(value), layer: 'configuration' });
    }
    await syncKind(ctx, KernelParamSpecType, RUNTIME_CONFIG_NAMESPACE, desired);
  }
}
