// KubernetesSecretsSpecController over the real runtime: the kube-apiserver certificate with the usual SANs, the
// kubelet, front-proxy and admin client certificates, checked by openssl against the right CA; none on a worker.
import { expect } from 'chai';
import {
  HostnameStatusType,
  KUBERNETES_ROOT_ID,
  KUBERNETES_SECRETS_ID,
  KubernetesRootSecretType,
  KubernetesSecretsType,
  MachineConfigType,
  NodeAddressType,
  SECRETS_NAMESPACE,
  type KubernetesRootSecretSpec,
  type KubernetesSecretsSpec,
  type Resource,
} from '../../resources/index.js';
import { testPki } from '../../resources/config/v1alpha1/fixture.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { KubernetesRootConfigController } from './kubernetes-root-config.js';
import { KubernetesSecretsSpecController, firstIp } from './kubernetes-secrets-spec.js';
import { inspect, putConfig, putNames } from './testing.js';

const ptr = { namespace: SECRETS_NAMESPACE, type: KubernetesSecretsType.type, id: KUBERNETES_SECRETS_ID };
const rootPtr = { namespace: SECRETS_NAMESPACE, type: KubernetesRootSecretType.type, id: KUBERNETES_ROOT_ID };
const spec = (r: Resource | undefined) => r?.spec as KubernetesSecretsSpec | undefined;
const pem = (b64: string) => Buffer.from(b64, 'base64').toString();
const CLIENT = /Extended Key Usage:\s*\n\s+TLS Web Client Authentication\n/;

describe('secrets.KubernetesSecretsSpecController', function () {
  this.timeout(30_000);
  const h = useHarness({
    types: [MachineConfigType, KubernetesRootSecretType, KubernetesSecretsType, NodeAddressType, HostnameStatusType],
  });
  const start = () => {
    h().runtime.register(new KubernetesRootConfigController());
    h().runtime.register(new KubernetesSecretsSpecController());
    h().start();
  };

  it('names the first address of a service subnet', () => {
    expect(firstIp('10.96.0.0/12')).to.equal('10.96.0.1');
    expect(firstIp('10.96.7.9/12')).to.equal('10.96.0.1');
    expect(firstIp('fd00:10:96::/112')).to.equal('fd00:10:96::1');
    expect(firstIp('192.168.0.0/24')).to.equal('192.168.0.1');
  });

  it('issues the API server certificate with the service names, endpoint, certSANs and node addresses', async () => {
    await putNames(h().state, 'controlplane-1', ['10.5.0.2/24', '10.5.0.9/24']);
    await putConfig(h().state);
    start();
    const s = spec(await h().waitFor(ptr, (x) => spec(x)?.ips.includes('10.5.0.9') === true))!;
    const ca = pem(testPki().clusterCa.crt);
    const { verify, text } = await inspect(ca, s.apiServer.crt);
    expect(verify).to.match(/: OK$/);
    expect(text).to.include('Subject: CN = kube-apiserver');
    expect(text).to.include(
      'DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, DNS:api.example.com, DNS:controlplane-1, DNS:localhost, IP Address:10.5.0.2, IP Address:203.0.113.10, IP Address:10.96.0.1, IP Address:10.5.0.9, IP Address:127.0.0.1',
    );
    expect(text).to.match(/Extended Key Usage:\s*\n\s+TLS Web Server Authentication\n/);

    const kubelet = await inspect(ca, s.apiServerKubeletClient.crt);
    expect(kubelet.verify).to.match(/: OK$/);
    expect(kubelet.text).to.include('Subject: O = system:masters, CN = apiserver-kubelet-client').and.match(CLIENT);
    const admin = await inspect(ca, s.admin.crt);
    expect(admin.verify).to.match(/: OK$/);
    expect(admin.text).to.include('Subject: O = system:masters, CN = admin').and.match(CLIENT);
    const proxy = await inspect(pem(testPki().aggregatorCa.crt), s.frontProxyClient.crt);
    expect(proxy.verify).to.match(/: OK$/);
    expect(proxy.text).to.include('Subject: CN = front-proxy-client').and.match(CLIENT);
    const wrong = await inspect(ca, s.frontProxyClient.crt).catch((e: unknown) => (e as Error).message);
    expect(wrong).to.match(/unable to get local issuer certificate/);
    expect(s.endpoint).to.equal('https://10.5.0.2:6443');

    const root = (await h().state.get(rootPtr)).spec as KubernetesRootSecretSpec;
    expect(root).to.deep.include({ clusterName: 'demo', dnsDomain: 'cluster.local', signs: true });
    expect(root.serviceAccountKey).to.match(/^-----BEGIN EC PRIVATE KEY-----\n/);
  });

  it('re-issues when the endpoint changes; a worker holds the CA certificate only and issues nothing', async () => {
    await putNames(h().state, 'controlplane-1', ['10.5.0.2/24']);
    await putConfig(h().state);
    start();
    await h().waitFor(ptr, (x) => x !== undefined);
    await putConfig(h().state, 'controlplane', (doc) => {
      (doc['cluster'] as { controlPlane: { endpoint: string } }).controlPlane.endpoint = 'https://k8s.example.com:6443';
    });
    const moved = spec(await h().waitFor(ptr, (x) => spec(x)?.dnsNames.includes('k8s.example.com') === true))!;
    expect(moved.endpoint).to.equal('https://k8s.example.com:6443');

    await putConfig(h().state, 'worker');
    await h().waitFor(rootPtr, (x) => (x?.spec as KubernetesRootSecretSpec | undefined)?.signs === false);
    await h().waitFor(ptr, (x) => x === undefined);
    const root = (await h().state.get(rootPtr)).spec as KubernetesRootSecretSpec;
    expect(root.ca.key).to.equal('');
    expect(root.serviceAccountKey).to.equal('');
  });
});
