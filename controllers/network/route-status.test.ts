// RouteStatusController: a kernel dump becomes RouteStatus resources with unique ids; route events create and destroy them.
import { expect } from 'chai';
import { NETWORK_NAMESPACE, RouteStatusType, type Resource, type RouteStatusSpec } from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { RouteStatusController } from './route-status.js';
import { FakeKernel, fakeLink, fakeRoute } from './testing.js';

const ptr = (id: string) => ({ namespace: NETWORK_NAMESPACE, type: RouteStatusType.type, id });
const exists = (r: Resource | undefined) => r !== undefined;

describe('network.RouteStatusController', () => {
  const h = useHarness({ types: [RouteStatusType] });

  it('mirrors the dump (one resource per per-link multicast route), then follows route events', async () => {
    const kernel = new FakeKernel();
    kernel.links_ = [fakeLink(2, 'eth0'), fakeLink(3, 'eth1')];
    const multicast = { table: 255, priority: 256, type: 5, protocol: 2 };
    kernel.routes_ = [
      fakeRoute('ff00::', 8, { ...multicast, oif: 2 }),
      fakeRoute('ff00::', 8, { ...multicast, oif: 3 }),
    ];
    h().runtime.register(new RouteStatusController(kernel));
    h().start();
    await h().waitFor(ptr('local/inet6//ff00::/8/256/eth0'), exists);
    const r = await h().waitFor(ptr('local/inet6//ff00::/8/256/eth1'), exists);
    expect(r?.spec).to.deep.equal({
      family: 'inet6',
      destination: 'ff00::/8',
      source: '',
      gateway: '',
      outLinkName: 'eth1',
      table: 'local',
      metric: 256,
      scope: 'global',
      type: 'multicast',
      protocol: 'kernel',
    } satisfies RouteStatusSpec);
    await h().until(() => kernel.subscribers === 1, 'the controller to subscribe');

    const dflt = fakeRoute('0.0.0.0', 0, { gateway: '10.5.0.1', oif: 2, priority: 1024, protocol: 16 });
    kernel.routes_.push(dflt);
    kernel.emit({ kind: 'route', op: 'new', route: dflt });
    const d = await h().waitFor(ptr('main/inet4/10.5.0.1/0.0.0.0/0/1024/eth0'), exists);
    expect((d?.spec as RouteStatusSpec).protocol).to.equal('dhcp');

    kernel.routes_ = kernel.routes_.filter((x) => x !== dflt);
    kernel.emit({ kind: 'route', op: 'del', route: dflt });
    await h().waitFor(ptr('main/inet4/10.5.0.1/0.0.0.0/0/1024/eth0'), (x) => x === undefined);
  });
});
