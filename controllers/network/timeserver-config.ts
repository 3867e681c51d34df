// TimeServerConfigController: produces layered TimeServerSpecs in `network-config` (default, `ip=` NTP server, machine.time).
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  TIMESERVERS_ID,
  TimeServerSpecType,
  layeredId,
  type TimeServerSpecSpec,
} from '../../resources/index.js';
import { silentLogger, type Controller, type ControllerContext, type Logger } from '../../runtime/index.js';
import { cmdlineNetworkOnce, type CmdlineNetwork } from './cmdline.js';
import { syncOutputs } from './sync.js';

/** The NTP servers of the default layer (the machine.time.servers default). */
export const DEFAULT_TIME_SERVERS: readonly string[] = ['time.cloudflare.com'];

/**
 * Keeps `network-config/TimeServerSpec/<layer>/timeservers` equal to the NTP servers of each layer: default
 * (time.cloudflare.com), cmdline (the `ip=` ntp0 field) and configuration (machine.time.servers; an empty list when
 * machine.time.disabled, so that it overrides the lower layers). Output kind `shared`: the merge controller writes
 * TimeServerSpec too (in `network`).
 */
export class TimeServerConfigController implements Controller {
  readonly name = 'network.TimeServerConfigController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: TimeServerSpecType.type, kind: 'shared' as const }];
  private readonly cmdline: () => CmdlineNetwork | undefined;

  /** `cmdline` is the kernel command line text; a bad `ip=` is logged once to `logger` and ignored. */
  constructor(cmdline: string, logger: Logger = silentLogger) {
    this.cmdline = cmdlineNetworkOnce(cmdline, logger, this.name);
  }

  async reconcile(ctx: ControllerContext): Promise<void> {
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const doc = cfg?.metadata.phase === 'running' ? cfg.spec : undefined;
    const desired = new Map<string, TimeServerSpecSpec>();
    desired.set(layeredId('default', TIMESERVERS_ID), { ntpServers: [...DEFAULT_TIME_SERVERS], layer: 'default' });
    const ntp = this.cmdline()?.ntp ?? [];
    if (ntp.length > 0) desired.set(layeredId('cmdline', TIMESERVERS_ID), { ntpServers: [...ntp], layer: 'cmdline' });
    const time = doc?.machine.time;
    const servers = time?.disabled === true ? [] : time?.servers;
    if (servers !== undefined) {
      desired.set(layeredId('configuration', TIMESERVERS_ID), { ntpServers: [...servers], layer: 'configuration' });
    }
    await syncOutputs(ctx, TimeServerSpecType, NETWORK_CONFIG_NAMESPACE, desired);
  }
}
