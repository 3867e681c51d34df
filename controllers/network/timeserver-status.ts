// TimeServerSpecController: produces TimeServerStatus (the NTP servers in effect) from the merged TimeServerSpec.
import { NETWORK_NAMESPACE, TIMESERVERS_ID, TimeServerSpecType, TimeServerStatusType } from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { syncOutputs } from './sync.js';

/**
 * Copies `network/TimeServerSpec/timeservers` (without its layer) to `network/TimeServerStatus/timeservers`, and
 * removes the status when the spec goes. There is no NTP client yet: nothing syncs the clock from these servers.
 */
export class TimeServerSpecController implements Controller {
  readonly name = 'network.TimeServerSpecController';
  readonly inputs = [
    { namespace: NETWORK_NAMESPACE, type: TimeServerSpecType.type, id: TIMESERVERS_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: TimeServerStatusType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const spec = (await ctx.get(TimeServerSpecType, NETWORK_NAMESPACE, TIMESERVERS_ID))?.spec;
    const desired = new Map<string, { ntpServers: string[] }>();
    if (spec !== undefined) desired.set(TIMESERVERS_ID, { ntpServers: [...spec.ntpServers] });
    await syncOutputs(ctx, TimeServerStatusType, NETWORK_NAMESPACE, desired);
  }
}
