// EtcdSecretsSpecController over the real runtime: etcd's server, peer and two client certificates from cluster.etcd.ca,
// checked by openssl (chain, SANs, usages, subjects); re-issued when the hostname changes; none on a worker.
import { expect } from 'chai';
import {
  ETCD_ROOT_ID,
  ETCD_SECRETS_ID,
  EtcdRootSecretType,
  EtcdSecretsType,
  HostnameStatusType,
  MachineConfigType,
  NodeAddressType,
  SECRETS_NAMESPACE,
  type EtcdSecretsSpec,
  type Resource,
} from '../../resources/index.js';
import { testPki } from '../../resources/config/v1alpha1/fixture.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { EtcdRootConfigController } from './etcd-root-config.js';
import { EtcdSecretsSpecController } from './etcd-secrets-spec.js';
import { inspect, putConfig, putNames } from './testing.js';

const ptr = { namespace: SECRETS_NAMESPACE, type: EtcdSecretsType.type, id: ETCD_SECRETS_ID };
const rootPtr = { namespace: SECRETS_NAMESPACE, type: EtcdRootSecretType.type, id: ETCD_ROOT_ID };
const spec = (r: Resource | undefined) => r?.spec as EtcdSecretsSpec | undefined;
const BOTH = /Extended Key Usage:\s*\n\s+TLS Web Server Authentication, TLS Web Client Authentication\n/;
const CLIENT = /Extended Key Usage:\s*\n\s+TLS Web Client Authentication\n/;

describe('secrets.EtcdSecretsSpecController', function () {
  this.timeout(30_000);
  const h = useHarness({
    types: [MachineConfigType, EtcdRootSecretType, EtcdSecretsType, NodeAddressType, HostnameStatusType],
  });
  const start = () => {
    h().runtime.register(new EtcdRootConfigController());
    h().runtime.register(new EtcdSecretsSpecController());
    h().start();
  };

  it('issues server, peer, etcdctl and kube-apiserver client certificates that openssl verifies', async () => {
    await putNames(h().state, 'controlplane-1', ['10.5.0.2/24', 'fd00::2/64']);
    await putConfig(h().state);
    start();
    const s = spec(await h().waitFor(ptr, (x) => spec(x)?.ips.includes('10.5.0.2') === true))!;
    const ca = Buffer.from(testPki().etcdCa.crt, 'base64').toString();
    expect(s.ca).to.equal(ca);
    const sans =
      'DNS:controlplane-1, DNS:localhost, IP Address:10.5.0.2, IP Address:FD00:0:0:0:0:0:0:2, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1';
    for (const [name, pair] of [
      ['server', s.server],
      ['peer', s.peer],
    ] as const) {
      const { verify, text } = await inspect(ca, pair.crt);
      expect(verify, name).to.match(/: OK$/);
      expect(text, name).to.include('Subject: CN = controlplane-1').and.include(sans);
      expect(text, name).to.match(BOTH);
    }
    const admin = await inspect(ca, s.admin.crt);
    expect(admin.verify).to.match(/: OK$/);
    expect(admin.text).to.include('Subject: O = etcd:admin, CN = root').and.match(CLIENT);
    const apiserver = await inspect(ca, s.apiServerClient.crt);
    expect(apiserver.verify).to.match(/: OK$/);
    expect(apiserver.text).to.include('Subject: O = system:masters, CN = kube-apiserver-etcd-client').and.match(CLIENT);
    expect(new Set([s.server.key, s.peer.key, s.admin.key, s.apiServerClient.key]).size).to.equal(4);
  });

  it('re-issues when the hostname changes', async () => {
    await putNames(h().state, 'controlplane-1', ['10.5.0.2/24']);
    await putConfig(h().state);
    start();
    const first = spec(await h().waitFor(ptr, (x) => x !== undefined))!;
    await putNames(h().state, 'etcd-a', ['10.5.0.2/24']);
    const second = spec(await h().waitFor(ptr, (x) => spec(x)?.dnsNames[0] === 'etcd-a'))!;
    expect(second.peer.crt).not.to.equal(first.peer.crt);
    expect((await inspect(second.ca, second.peer.crt)).text).to.include('DNS:etcd-a, DNS:localhost');
  });

  it('issues nothing on a worker: its config holds no etcd CA', async () => {
    await putNames(h().state, 'worker-1', ['10.5.0.4/24']);
    await putConfig(h().state, 'worker');
    start();
    const runs = (name: string) => h().runtime.stats().get(`secrets.${name}`)!.reconciles;
    await h().until(() => runs('EtcdRootConfigController') >= 1 && runs('EtcdSecretsSpecController') >= 1, 'passes');
    expect(await h().state.find(rootPtr)).to.equal(undefined);
    expect(await h().state.find(ptr)).to.equal(undefined);
  });
});
