// HostnameSpecController: applies the merged HostnameSpec to the kernel's UTS names and puts them back when changed by hand.
import { HOSTNAME_ID, HostnameSpecType, NETWORK_NAMESPACE } from '../../resources/index.js';
import { HostUts, type Controller, type ControllerContext, type Uts } from '../../runtime/index.js';

/**
 * Makes the kernel hostname and domainname equal to `network/HostnameSpec/hostname`; without a spec it leaves them
 * alone. It writes no resource: HostnameStatusController reports what the kernel has, and a refused call (EPERM)
 * fails the pass, which the runtime logs and retries with backoff.
 */
export class HostnameSpecController implements Controller {
  readonly name = 'network.HostnameSpecController';
  readonly inputs = [
    { namespace: NETWORK_NAMESPACE, type: HostnameSpecType.type, id: HOSTNAME_ID, kind: 'weak' as const },
  ];
  readonly outputs = [];

  constructor(private readonly uts: Uts = new HostUts()) {}

  async reconcile(ctx: ControllerContext): Promise<void> {
    const spec = (await ctx.get(HostnameSpecType, NETWORK_NAMESPACE, HOSTNAME_ID))?.spec;
    if (spec === undefined) return;
    if (this.uts.hostname() !== spec.hostname) this.uts.setHostname(spec.hostname);
    if (this.uts.domainname() !== spec.domainname) this.uts.setDomainname(spec.domainname);
  }

  async watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    // A change by hand (`hostname foo`) wakes a pass, which puts the spec back.
    for await (const _ of this.uts.watch(signal)) changed();
  }
}
