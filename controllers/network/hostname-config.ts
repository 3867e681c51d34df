// HostnameConfigController: produces layered HostnameSpecs in `network-config` from the kernel command line and machine.network.hostname.
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  HOSTNAME_ID,
  HostnameSpecType,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  layeredId,
  type HostnameSpecSpec,
  type Layer,
} from '../../resources/index.js';
import { silentLogger, type Controller, type ControllerContext, type Logger } from '../../runtime/index.js';
import { cmdlineNetworkOnce, type CmdlineNetwork } from './cmdline.js';
import { syncOutputs } from './sync.js';

/** Splits `a.b.c` into host name `a` and domain name `b.c` (empty when there is no dot). */
export function hostnameSpec(fqdn: string, layer: Layer): HostnameSpecSpec {
  const dot = fqdn.indexOf('.');
  return dot < 0
    ? { hostname: fqdn, domainname: '', layer }
    : { hostname: fqdn.slice(0, dot), domainname: fqdn.slice(dot + 1), layer };
}

/**
 * Keeps `network-config/HostnameSpec/<layer>/hostname` equal to the host name of each layer: cmdline (`ip=` hostname
 * field, else `talos.hostname=`) and configuration (machine.network.hostname); no default layer. Output kind `shared`:
 * the merge controller writes HostnameSpec too (in `network`).
 */
export class HostnameConfigController implements Controller {
  readonly name = 'network.HostnameConfigController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: HostnameSpecType.type, kind: 'shared' as const }];
  private readonly cmdline: () => CmdlineNetwork | undefined;

  /** `cmdline` is the kernel command line text; a bad `ip=` is logged once to `logger` and ignored. */
  constructor(cmdline: string, logger: Logger = silentLogger) {
    this.cmdline = cmdlineNetworkOnce(cmdline, logger, this.name);
  }

  async reconcile(ctx: ControllerContext): Promise<void> {
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const doc = cfg?.metadata.phase === 'running' ? cfg.spec : undefined;
    const desired = new Map<string, HostnameSpecSpec>();
    const fromCmdline = this.cmdline()?.hostname;
    if (fromCmdline !== undefined) desired.set(layeredId('cmdline', HOSTNAME_ID), hostnameSpec(fromCmdline, 'cmdline'));
    const configured = doc?.machine.network?.hostname;
    if (configured !== undefined) {
      desired.set(layeredId('configuration', HOSTNAME_ID), hostnameSpec(configured, 'configuration'));
    }
    await syncOutputs(ctx, HostnameSpecType, NETWORK_CONFIG_NAMESPACE, desired);
  }
}
