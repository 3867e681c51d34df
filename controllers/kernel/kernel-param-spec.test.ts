// KernelParamSpecController over an in-memory /proc/sys: applied with status, a change by hand put back (and seen),
// unsupported and refused sysctls reported while the rest apply, the scope honoured, and defaults restored on removal.
import { expect } from 'chai';
import {
  KernelParamSpecType,
  KernelParamStatusType,
  RUNTIME_NAMESPACE,
  putResource,
  type KernelParamStatusSpec,
  type Resource,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { MemorySysctls } from '../../runtime/host/sysctl-memory.js';
import { KernelParamSpecController } from './kernel-param-spec.js';
import { HOST_NETNS_REASON, SHARED_KERNEL_REASON } from './scope.js';

const spec = (name: string) => ({ namespace: RUNTIME_NAMESPACE, type: KernelParamSpecType.type, id: name });
const status = (name: string) => ({ namespace: RUNTIME_NAMESPACE, type: KernelParamStatusType.type, id: name });
const stateIs = (state: string) => (r: Resource | undefined) =>
  (r?.spec as KernelParamStatusSpec | undefined)?.state === state;
const want = (name: string, value: string, layer: 'default' | 'configuration' = 'default') => ({ name, value, layer });

describe('kernel.KernelParamSpecController', () => {
  const h = useHarness({ types: [KernelParamSpecType, KernelParamStatusType] });

  it('writes the value, records the one before, and puts back a change by hand (the status shows it)', async () => {
    const sys = new MemorySysctls({ 'net.ipv4.conf.all.rp_filter': '0' });
    h().runtime.register(new KernelParamSpecController({ metal: false }, sys));
    h().start();
    const seen: string[] = [];
    const sub = h()
      .state.watch(status('net.ipv4.conf.all.rp_filter'))
      .subscribe((e) => {
        if (e.type === 'created' || e.type === 'updated') {
          const s = e.resource.spec as KernelParamStatusSpec;
          seen.push(`${s.state} ${s.current}`);
        }
      });
    await putResource(h().state, spec('net.ipv4.conf.all.rp_filter'), want('net.ipv4.conf.all.rp_filter', '1'));
    const applied = await h().waitFor(status('net.ipv4.conf.all.rp_filter'), stateIs('Applied'));
    expect(applied?.spec).to.deep.equal({
      current: '1',
      wanted: '1',
      default: '0',
      layer: 'default',
      unsupported: false,
      state: 'Applied',
      reason: '',
    });
    expect(sys.get('net.ipv4.conf.all.rp_filter')).to.equal('1');

    sys.setByHand('net.ipv4.conf.all.rp_filter', '2');
    await h().until(() => sys.get('net.ipv4.conf.all.rp_filter') === '1' && seen.length >= 3, 'the value put back');
    await h().waitFor(status('net.ipv4.conf.all.rp_filter'), stateIs('Applied'));
    sub.unsubscribe();
    expect(seen).to.deep.equal(['Applied 1', 'Pending 2', 'Applied 1']);
    expect(sys.writes).to.equal(2);
  });

  it('reports a missing sysctl as Unsupported and a refused value with the kernel error; the rest apply, nothing spins', async () => {
    const sys = new MemorySysctls({ 'net.ipv4.ip_default_ttl': '64', 'net.ipv4.tcp_syncookies': '0' });
    sys.refuse('net.ipv4.ip_default_ttl');
    h().runtime.register(new KernelParamSpecController({ metal: false }, sys));
    h().start();
    await putResource(h().state, spec('net.ipv4.nosuch'), want('net.ipv4.nosuch', '1', 'configuration'));
    await putResource(
      h().state,
      spec('net.ipv4.ip_default_ttl'),
      want('net.ipv4.ip_default_ttl', '0', 'configuration'),
    );
    await putResource(h().state, spec('net.ipv4.tcp_syncookies'), want('net.ipv4.tcp_syncookies', '1'));
    const missing = await h().waitFor(status('net.ipv4.nosuch'), stateIs('Unsupported'));
    expect(missing?.spec).to.include({ unsupported: true, current: '' });
    expect((missing?.spec as KernelParamStatusSpec).reason).to.match(/no such sysctl in this node's network namespace/);
    const refused = await h().waitFor(status('net.ipv4.ip_default_ttl'), stateIs('Failed'));
    expect((refused?.spec as KernelParamStatusSpec).reason).to.equal(
      'write 0 to net.ipv4.ip_default_ttl: invalid argument (EINVAL)',
    );
    expect(refused?.spec).to.include({ current: '64', wanted: '0' });
    await h().waitFor(status('net.ipv4.tcp_syncookies'), stateIs('Applied'));
    const writes = sys.writes;
    sys.setByHand('net.ipv4.conf.lo.forwarding', '1'); // wakes a pass: it writes nothing new
    await h().waitFor(status('net.ipv4.tcp_syncookies'), stateIs('Applied'));
    expect(sys.writes).to.be.at.most(writes + 1);
  });

  it('on a shared kernel writes only the sysctls of its own network namespace', async () => {
    const sys = new MemorySysctls({ 'kernel.kptr_restrict': '0', 'net.ipv4.tcp_syncookies': '0' });
    h().runtime.register(new KernelParamSpecController({ metal: false }, sys));
    h().start();
    await putResource(h().state, spec('kernel.kptr_restrict'), want('kernel.kptr_restrict', '2'));
    await putResource(h().state, spec('net.ipv4.tcp_syncookies'), want('net.ipv4.tcp_syncookies', '1'));
    const skipped = await h().waitFor(status('kernel.kptr_restrict'), stateIs('Skipped'));
    expect(skipped?.spec).to.include({ current: '0', wanted: '2', reason: SHARED_KERNEL_REASON });
    await h().waitFor(status('net.ipv4.tcp_syncookies'), stateIs('Applied'));
    expect(sys.get('kernel.kptr_restrict')).to.equal('0');
  });

  it("in the host's network namespace writes no net.* sysctl either; on metal writes all", async () => {
    const shared = new MemorySysctls({ 'net.ipv4.tcp_syncookies': '0' });
    shared.ownNetns = false;
    h().runtime.register(new KernelParamSpecController({ metal: false }, shared));
    h().start();
    await putResource(h().state, spec('net.ipv4.tcp_syncookies'), want('net.ipv4.tcp_syncookies', '1'));
    const skipped = await h().waitFor(status('net.ipv4.tcp_syncookies'), stateIs('Skipped'));
    expect(skipped?.spec).to.include({ reason: HOST_NETNS_REASON });
    expect(shared.writes).to.equal(0);
  });

  it('on metal writes global sysctls, and puts back the earlier value when the spec goes away', async () => {
    const sys = new MemorySysctls({ 'kernel.kptr_restrict': '0' });
    sys.ownNetns = false;
    h().runtime.register(new KernelParamSpecController({ metal: true }, sys));
    h().start();
    await putResource(h().state, spec('kernel.kptr_restrict'), want('kernel.kptr_restrict', '2'));
    await h().waitFor(status('kernel.kptr_restrict'), stateIs('Applied'));
    expect(sys.get('kernel.kptr_restrict')).to.equal('2');
    await h().state.destroy(spec('kernel.kptr_restrict'));
    await h().waitFor(status('kernel.kptr_restrict'), (r) => r === undefined);
    expect(sys.get('kernel.kptr_restrict')).to.equal('0');
    expect(sys.watchers).to.equal(1);
    await h().stop();
    expect(sys.watchers).to.equal(0);
  });
});
