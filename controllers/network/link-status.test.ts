// LinkStatusController: a kernel dump becomes LinkStatus resources; link events update and destroy them.
import { expect } from 'chai';
import { LinkStatusType, NETWORK_NAMESPACE, type LinkStatusSpec, type Resource } from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { LinkStatusController } from './link-status.js';
import { FakeKernel, fakeLink } from './testing.js';

const ptr = (id: string) => ({ namespace: NETWORK_NAMESPACE, type: LinkStatusType.type, id });
const spec = (r: Resource | undefined) => r?.spec as LinkStatusSpec | undefined;

describe('network.LinkStatusController', () => {
  const h = useHarness({ types: [LinkStatusType] });

  it('mirrors the dump, then follows link events', async () => {
    const kernel = new FakeKernel();
    const lo = fakeLink(1, 'lo', { mac: '00:00:00:00:00:00', mtu: 65536, operState: 'unknown' });
    const br = fakeLink(3, 'br0', { kind: 'bridge', up: false, operState: 'down' });
    kernel.links_ = [lo, br];
    h().runtime.register(new LinkStatusController(kernel));
    h().start();
    const r = await h().waitFor(ptr('lo'), (x) => x !== undefined);
    expect(spec(r)).to.deep.equal({
      index: 1,
      type: 'loopback',
      kind: '',
      up: true,
      operationalState: 'unknown',
      carrier: true,
      mtu: 65536,
      hardwareAddr: '00:00:00:00:00:00',
      masterIndex: null,
    } satisfies LinkStatusSpec);
    expect(spec(await h().waitFor(ptr('br0'), (x) => x !== undefined))?.type).to.equal('ether');
    await h().until(() => kernel.subscribers === 1, 'the controller to subscribe');

    const upBr = { ...br, up: true, operState: 'up' as const };
    kernel.links_ = [lo, upBr];
    kernel.emit({ kind: 'link', op: 'new', link: upBr });
    await h().waitFor(ptr('br0'), (x) => spec(x)?.operationalState === 'up' && spec(x)?.up === true);

    kernel.links_ = [lo];
    kernel.emit({ kind: 'link', op: 'del', link: upBr });
    await h().waitFor(ptr('br0'), (x) => x === undefined);
  });
});
