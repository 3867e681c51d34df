// RouteSpecController against the fake kernel: installs routes, heals deleted ones, retries unreachable gateways on events only.
import { expect } from 'chai';
import {
  NETWORK_NAMESPACE,
  NetworkConditionType,
  RouteSpecType,
  putResource,
  type NetworkConditionSpec,
  type Resource,
  type RouteSpecSpec,
} from '../../resources/index.js';
import { createControllerContext } from '../../runtime/controller/context.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { RouteSpecController } from './route-spec.js';
import { FakeKernel, fakeAddress, fakeLink, fakeRoute } from './testing.js';

const route = (destination: string, gateway: string, more: Partial<RouteSpecSpec> = {}): RouteSpecSpec => ({
  family: destination.includes(':') ? 'inet6' : 'inet4',
  destination,
  source: '',
  gateway,
  outLinkName: 'eth0',
  table: 'main',
  metric: 1024,
  scope: 'global',
  type: 'unicast',
  protocol: 'static',
  mtu: 0,
  layer: 'configuration',
  ...more,
});
const idOf = (s: RouteSpecSpec) => `${s.table}/${s.family}/${s.gateway}/${s.destination}/${s.metric}/${s.outLinkName}`;
const specPtr = (id: string) => ({ namespace: NETWORK_NAMESPACE, type: RouteSpecType.type, id });
const condPtr = (s: RouteSpecSpec) => ({
  namespace: NETWORK_NAMESPACE,
  type: NetworkConditionType.type,
  id: `RouteSpec/${idOf(s)}`,
});
const inState =
  (state: NetworkConditionSpec['state']) =>
  (r: Resource | undefined): boolean =>
    (r?.spec as NetworkConditionSpec | undefined)?.state === state;

describe('network.RouteSpecController', () => {
  const h = useHarness({ types: [RouteSpecType, NetworkConditionType] });
  const put = (s: RouteSpecSpec) => putResource(h().state, specPtr(idOf(s)), s);
  const withEth0 = (): FakeKernel => {
    const k = new FakeKernel();
    k.links_ = [fakeLink(2, 'eth0')];
    k.addresses_ = [fakeAddress(2, '10.5.0.2', 24), fakeAddress(2, 'fd05::2', 64)];
    return k;
  };

  it('installs v4 and v6 routes via gateways and puts back one deleted by hand', async () => {
    const kernel = withEth0();
    const dflt = route('0.0.0.0/0', '10.5.0.1', { source: '10.5.0.2' });
    const v6 = route('fd06::/64', 'fd05::1', { metric: 0 });
    await put(dflt);
    await put(v6);
    h().runtime.register(new RouteSpecController(kernel));
    h().start();
    await h().waitFor(condPtr(dflt), inState('Applied'));
    await h().waitFor(condPtr(v6), inState('Applied'));
    expect(kernel.routes_.find((r) => r.dst === '0.0.0.0')).to.include({
      gateway: '10.5.0.1',
      oif: 2,
      priority: 1024,
      prefsrc: '10.5.0.2',
      table: 254,
      protocol: 4,
      scope: 0,
    });
    expect(kernel.routes_.find((r) => r.dst === 'fd06::')).to.include({ gateway: 'fd05::1', priority: 1024 });
    await h().until(() => kernel.subscribers === 1, 'the controller to subscribe');

    const r = kernel.routes_.find((x) => x.dst === '0.0.0.0');
    if (r === undefined) throw new Error('default route missing');
    const before = kernel.calls.length;
    kernel.dropRoute(r);
    await h().until(() => kernel.routes_.some((x) => x.dst === '0.0.0.0'), 'the route to be put back');
    expect(kernel.calls.slice(before)).to.deep.equal(['route add 0.0.0.0/0 via 10.5.0.1']);
  });

  it('reports an unreachable gateway as Failed and retries it when the addresses change, not in a loop', async () => {
    const kernel = withEth0();
    const c = new RouteSpecController(kernel);
    const far = route('10.9.0.0/16', '10.8.0.1');
    await put(far);
    h().runtime.register(c);
    h().start();
    const f = await h().waitFor(condPtr(far), inState('Failed'));
    expect((f?.spec as NetworkConditionSpec).reason).to.contain('ENETUNREACH');
    await h().until(() => kernel.subscribers === 1, 'the controller to subscribe');
    const passes = h().runtime.stats().get(c.name)?.reconciles ?? 0;
    const attempts = kernel.calls.length;
    expect(attempts).to.be.within(1, 2);

    // An address of the gateway's subnet appears: the event retries the route.
    await kernel.addAddress({ link: 'eth0', address: '10.8.0.2', prefixLength: 24 });
    await h().waitFor(condPtr(far), inState('Applied'));
    expect(h().runtime.stats().get(c.name)?.reconciles ?? 0).to.be.below(passes + 5);
    expect(h().runtime.stats().get(c.name)?.crashes).to.equal(0);
  });

  it('removes only the routes it installed once their spec is gone', async () => {
    const kernel = withEth0();
    kernel.routes_ = [fakeRoute('10.20.0.0', 16, { gateway: '10.5.0.254', oif: 2, priority: 1024 })];
    const ours = route('10.10.0.0/16', '10.5.0.1');
    const theirs = route('10.20.0.0/16', '10.5.0.254');
    await put(ours);
    await put(theirs);
    h().runtime.register(new RouteSpecController(kernel));
    h().start();
    await h().waitFor(condPtr(ours), inState('Applied'));
    await h().waitFor(condPtr(theirs), inState('Applied'));
    await h().state.destroy(specPtr(idOf(ours)));
    await h().state.destroy(specPtr(idOf(theirs)));
    await h().until(() => !kernel.routes_.some((r) => r.dst === '10.10.0.0'), 'our route to be removed');
    await h().waitFor(condPtr(theirs), (r) => r === undefined);
    expect(kernel.routes_.map((r) => r.dst)).to.deep.equal(['10.20.0.0']);
    expect(kernel.calls).to.deep.equal(['route add 10.10.0.0/16 via 10.5.0.1', 'route delete 10.10.0.0/16']);
  });

  it('waits for its out link, and issues no kernel change for a converged pass over 200 routes', async () => {
    const kernel = withEth0();
    const c = new RouteSpecController(kernel);
    const later = route('10.30.0.0/16', '', { outLinkName: 'eth9', scope: 'link' });
    await put(later);
    for (let i = 0; i < 200; i++) await put(route(`10.${100 + (i >> 8)}.${i & 255}.0/24`, '10.5.0.1'));
    const ctx = createControllerContext(h().state, c, new AbortController().signal);
    await c.reconcile(ctx);
    expect(kernel.routes_).to.have.length(200);
    const p = await h().state.get(condPtr(later));
    expect(p.spec).to.include({ state: 'Pending', reason: 'waiting for link eth9 to appear' });
    const calls = kernel.calls.length;
    await c.reconcile(ctx);
    expect(kernel.calls.length).to.equal(calls);

    kernel.plug(fakeLink(9, 'eth9'));
    await c.reconcile(ctx);
    expect(kernel.routes_.find((r) => r.dst === '10.30.0.0')).to.include({ oif: 9, scope: 253, gateway: null });
    expect(kernel.calls.length).to.equal(calls + 1);
    await c.reconcile(ctx);
    expect(kernel.calls.length).to.equal(calls + 1);
  });
});
