// NetworkStatusController: each readiness part follows its inputs.
import {
  EtcFileStatusType,
  HOSTNAME_ID,
  HostnameSpecType,
  HostnameStatusType,
  NETWORK_NAMESPACE,
  NETWORK_STATUS_ID,
  NetworkStatusType,
  NodeAddressType,
  RouteStatusType,
  putResource,
  type NetworkStatusSpec,
  type Resource,
  type RouteStatusSpec,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { NetworkStatusController } from './network-status.js';

const ptr = (type: string, id: string) => ({ namespace: NETWORK_NAMESPACE, type, id });
const statusPtr = ptr(NetworkStatusType.type, NETWORK_STATUS_ID);
const is = (want: NetworkStatusSpec) => (r: Resource | undefined) => JSON.stringify(r?.spec) === JSON.stringify(want);

function route(table: string, destination: string): RouteStatusSpec {
  return {
    family: 'inet4',
    destination,
    source: '',
    gateway: '10.5.0.1',
    outLinkName: 'eth0',
    table,
    metric: 1024,
    scope: 'global',
    type: 'unicast',
    protocol: 'static',
  };
}

describe('network.NetworkStatusController', () => {
  const h = useHarness({
    types: [
      NodeAddressType,
      RouteStatusType,
      HostnameSpecType,
      HostnameStatusType,
      EtcFileStatusType,
      NetworkStatusType,
    ],
  });

  it('is ready part by part', async () => {
    const s = h().state;
    h().runtime.register(new NetworkStatusController());
    h().start();
    const none = { addressReady: false, connectivityReady: false, hostnameReady: true, etcFilesReady: false };
    await h().waitFor(statusPtr, is(none));

    await putResource(s, ptr(NodeAddressType.type, 'current'), { addresses: ['10.5.0.2/24'] });
    await putResource(s, ptr(RouteStatusType.type, 'other'), route('100', '0.0.0.0/0'));
    await h().waitFor(statusPtr, is({ ...none, addressReady: true }));
    await putResource(s, ptr(RouteStatusType.type, 'main'), route('main', '0.0.0.0/0'));
    const connected = { ...none, addressReady: true, connectivityReady: true };
    await h().waitFor(statusPtr, is(connected));

    const hostname = ptr(HostnameSpecType.type, HOSTNAME_ID);
    await putResource(s, hostname, { hostname: 'w1', domainname: '', layer: 'configuration' });
    await h().waitFor(statusPtr, is({ ...connected, hostnameReady: false }));
    await putResource(s, ptr(HostnameStatusType.type, HOSTNAME_ID), { hostname: 'w1', domainname: '' });
    await h().waitFor(statusPtr, is(connected));

    await putResource(s, ptr(EtcFileStatusType.type, 'resolv.conf'), { path: '/x/resolv.conf', contents: '' });
    await putResource(s, ptr(EtcFileStatusType.type, 'hosts'), { path: '/x/hosts', contents: '' });
    await h().waitFor(statusPtr, is({ ...connected, etcFilesReady: true }));
  });
});
