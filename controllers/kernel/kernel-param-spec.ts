// KernelParamSpecController: writes each merged KernelParamSpec to /proc/sys, puts back values changed by hand, and
// produces KernelParamStatus (current value, value before the node changed it, and why not when it is not applied).
import { normalizeSysctlValue } from '../../kernel-config/index.js';
import {
  KernelParamSpecType,
  KernelParamStatusType,
  RUNTIME_NAMESPACE,
  isNetworkNamespaced,
  sysctlPath,
  type KernelParamSpecSpec,
  type KernelParamStatusSpec,
} from '../../resources/index.js';
import { silentLogger, type Controller, type ControllerContext, type Logger } from '../../runtime/index.js';
import { HostSysctls, isSysctlError, type Sysctls } from '../../runtime/host/sysctl.js';
import { sysctlSkipReason, type KernelScope } from './scope.js';

const same = (a: string, b: string): boolean => normalizeSysctlValue(a) === normalizeSysctlValue(b);

/**
 * Makes each sysctl of `runtime/KernelParamSpec` hold its value, as far as the node's {@link KernelScope} allows, and
 * keeps `runtime/KernelParamStatus/<name>` saying how it went. It is the only writer of sysctls, and it writes the
 * status too (as Talos's does): only the writer knows the value before its first write (`default`) and the kernel's
 * refusal. A sysctl the kernel lacks is Unsupported and the others still apply; a refused value is Failed with the
 * kernel's words and is tried again on the next pass (a spec or a watched value changed), never in a loop. The sysctls it applies are watched (inotify plus a
 * periodic re-read, see HostSysctls): a change by hand wakes a pass, which records it (Pending) and puts the value back.
 * When a spec goes away, the value it had before the node first wrote it is written back and the status destroyed.
 */
export class KernelParamSpecController implements Controller {
  readonly name = 'kernel.KernelParamSpecController';
  readonly inputs = [{ namespace: RUNTIME_NAMESPACE, type: KernelParamSpecType.type, kind: 'weak' as const }];
  readonly outputs = [{ type: KernelParamStatusType.type, kind: 'exclusive' as const }];
  /** The sysctls the last pass applied (or tried to): what the outside watch follows. */
  private watched: string[] = [];
  private ownNetns: Promise<boolean> | undefined;

  constructor(
    private readonly scope: KernelScope,
    private readonly sysctls: Sysctls = new HostSysctls(),
    private readonly logger: Logger = silentLogger,
  ) {}

  async reconcile(ctx: ControllerContext): Promise<void> {
    this.ownNetns ??= this.sysctls.ownNetworkNamespace();
    const ownNetns = await this.ownNetns;
    const statuses = new Map((await ctx.list(KernelParamStatusType, RUNTIME_NAMESPACE)).map((r) => [r.metadata.id, r]));
    const keep = new Set<string>();
    const watched: string[] = [];
    for (const r of await ctx.list(KernelParamSpecType, RUNTIME_NAMESPACE)) {
      if (r.metadata.phase === 'tearingDown') continue;
      const name = r.metadata.id;
      keep.add(name);
      const prev = statuses.get(name)?.spec;
      const skip = sysctlSkipReason(name, this.scope, ownNetns);
      if (skip === undefined) watched.push(name);
      const status = await this.apply(ctx, name, r.spec, prev, skip);
      await ctx.modify(KernelParamStatusType, RUNTIME_NAMESPACE, name, () => status);
    }
    this.watched = watched;
    for (const [name, r] of statuses) {
      if (keep.has(name)) continue;
      await this.restore(ctx, name, r.spec);
      await ctx.teardownAndDestroy(KernelParamStatusType, RUNTIME_NAMESPACE, name);
    }
  }

  async watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    for await (const _ of this.sysctls.watch(() => this.watched, signal)) changed();
  }

  /** Reads, writes when allowed and needed, and returns the status to store. */
  private async apply(
    ctx: ControllerContext,
    name: string,
    spec: KernelParamSpecSpec,
    prev: KernelParamStatusSpec | undefined,
    skip: string | undefined,
  ): Promise<KernelParamStatusSpec> {
    const wanted = spec.value;
    const base = { wanted, layer: spec.layer, unsupported: false };
    let current: string | undefined;
    try {
      current = await this.sysctls.read(name, ctx.signal);
    } catch (e) {
      if (!isSysctlError(e)) throw e;
      const text = prev?.current ?? '';
      return { ...base, current: text, default: prev?.default ?? text, state: 'Failed', reason: e.message };
    }
    if (current === undefined) {
      const where = isNetworkNamespaced(name) ? "in this node's network namespace" : 'in this kernel';
      const reason = `no such sysctl ${where} (${sysctlPath(name)} does not exist)`;
      return { ...base, current: '', default: '', unsupported: true, state: 'Unsupported', reason };
    }
    const found = normalizeSysctlValue(current);
    const dflt = prev?.default ?? found;
    if (skip !== undefined) return { ...base, current: found, default: dflt, state: 'Skipped', reason: skip };
    if (same(found, wanted)) return { ...base, current: found, default: dflt, state: 'Applied', reason: '' };
    if (prev?.state === 'Applied' && same(prev.wanted, wanted)) {
      // It held the value and someone changed it: record what they did, so that a watch shows it, then put it back.
      const reason = `changed to ${found} outside the node; putting back ${wanted}`;
      const pending: KernelParamStatusSpec = { ...base, current: found, default: dflt, state: 'Pending', reason };
      await ctx.modify(KernelParamStatusType, RUNTIME_NAMESPACE, name, () => pending);
    }
    try {
      await this.sysctls.write(name, wanted, ctx.signal);
    } catch (e) {
      if (!isSysctlError(e)) throw e;
      return { ...base, current: found, default: dflt, state: 'Failed', reason: e.message };
    }
    const now = normalizeSysctlValue((await this.sysctls.read(name, ctx.signal)) ?? '');
    // The kernel may accept a write and keep another value (a clamped range): say so rather than claim it applied.
    if (!same(now, wanted)) {
      const reason = `the kernel accepted ${wanted} but holds ${now}`;
      return { ...base, current: now, default: dflt, state: 'Failed', reason };
    }
    return { ...base, current: now, default: dflt, state: 'Applied', reason: '' };
  }

  /** Writes back the value a sysctl had before the node first changed it (best effort: a failure is logged). */
  private async restore(ctx: ControllerContext, name: string, s: KernelParamStatusSpec): Promise<void> {
    const changedIt =
      (s.state === 'Applied' || s.state === 'Pending') && s.default !== '' && !same(s.default, s.current);
    if (!changedIt) return;
    try {
      await this.sysctls.write(name, s.default, ctx.signal);
    } catch (e) {
      if (!isSysctlError(e)) throw e;
      this.logger.log('warn', this.name, `could not put back ${name}=${s.default}: ${e.message}`);
    }
  }
}
