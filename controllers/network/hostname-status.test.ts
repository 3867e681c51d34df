// HostnameStatusController: mirrors the (fake) kernel's names, woken by its change notification.
import { HOSTNAME_ID, HostnameStatusType, NETWORK_NAMESPACE, type Resource } from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { MemoryUts } from '../../runtime/index.js';
import { HostnameStatusController } from './hostname-status.js';

const ptr = { namespace: NETWORK_NAMESPACE, type: HostnameStatusType.type, id: HOSTNAME_ID };
const is = (hostname: string, domainname: string) => (r: Resource | undefined) =>
  JSON.stringify(r?.spec) === JSON.stringify({ hostname, domainname });

describe('network.HostnameStatusController', () => {
  const h = useHarness({ types: [HostnameStatusType] });

  it('reports the kernel names and follows changes', async () => {
    const uts = new MemoryUts('node-a', '');
    h().runtime.register(new HostnameStatusController(uts));
    h().start();
    await h().waitFor(ptr, is('node-a', ''));
    uts.setByHand('node-b', 'example.org');
    await h().waitFor(ptr, is('node-b', 'example.org'));
  });
});
