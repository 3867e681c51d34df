// CertificateStatusController with every secrets controller over the real runtime: one public Certificate per held
// certificate (facts agree with node:crypto and openssl, no key anywhere), following a switch to a worker config.
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import {
  ALL_TYPES,
  CertificateType,
  SECRETS_NAMESPACE,
  type CertificateSpec,
  type Resource,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { ApiCertificatesSpecController } from './api-certificates-spec.js';
import { CertificateStatusController, describeCertificate } from './certificate-status.js';
import { EtcdRootConfigController } from './etcd-root-config.js';
import { EtcdSecretsSpecController } from './etcd-secrets-spec.js';
import { KubernetesRootConfigController } from './kubernetes-root-config.js';
import { KubernetesSecretsSpecController } from './kubernetes-secrets-spec.js';
import { OSRootConfigController } from './os-root-config.js';
import { openssl, pemDir, putConfig, putNames } from './testing.js';

const ALL_IDS = [
  'api',
  'etcd-admin',
  'etcd-apiserver-client',
  'etcd-ca',
  'etcd-peer',
  'etcd-server',
  'k8s-admin',
  'k8s-aggregator-ca',
  'k8s-apiserver',
  'k8s-apiserver-kubelet-client',
  'k8s-ca',
  'k8s-front-proxy-client',
  'os-ca',
];

const cert = (id: string) => ({ namespace: SECRETS_NAMESPACE, type: CertificateType.type, id });

describe('secrets.CertificateStatusController', function () {
  this.timeout(30_000);
  const h = useHarness({ types: ALL_TYPES });
  const ids = async () =>
    (await h().state.list({ namespace: SECRETS_NAMESPACE, type: CertificateType.type })).map((r) => r.metadata.id);
  const views = async () =>
    new Map(
      (await h().state.list({ namespace: SECRETS_NAMESPACE, type: CertificateType.type })).map((r) => [
        r.metadata.id,
        r as Resource<CertificateSpec>,
      ]),
    );
  const start = () => {
    for (const c of [
      new OSRootConfigController(),
      new EtcdRootConfigController(),
      new KubernetesRootConfigController(),
      new ApiCertificatesSpecController(),
      new EtcdSecretsSpecController(),
      new KubernetesSecretsSpecController(),
      new CertificateStatusController(),
    ])
      h().runtime.register(c);
    h().start();
  };

  it('describes each of the thirteen certificates of a control-plane node, keys never included', async () => {
    await putNames(h().state, 'controlplane-1', ['10.5.0.2/24']);
    await putConfig(h().state);
    start();
    for (const id of ALL_IDS) await h().waitFor(cert(id), (r) => r !== undefined);
    expect(await ids()).to.deep.equal(ALL_IDS);
    const v = await views();
    const api = v.get('api')!.spec;
    expect(api).to.deep.include({
      source: 'ApiCertificates/api.crt',
      subject: 'CN=controlplane-1',
      issuer: 'CN=osnode, O=osnode tests',
      usages: ['server'],
      keyType: 'ECDSA P-256',
    });
    expect(api.ips).to.deep.equal(['10.5.0.2', '127.0.0.1', '::1']);
    expect(v.get('os-ca')!.spec).to.deep.include({ usages: ['ca'], keyType: 'RSA 2048', source: 'OSRootSecret/os.ca' });
    expect(v.get('etcd-peer')!.spec.usages).to.deep.equal(['server', 'client']);
    expect(v.get('k8s-admin')!.spec.subject).to.equal('O=system:masters, CN=admin');
    expect(v.get('k8s-front-proxy-client')!.spec.issuer).to.equal('CN=front-proxy, O=osnode tests');
    for (const r of v.values()) expect(JSON.stringify(r.spec)).not.to.include('PRIVATE KEY');

    // The facts agree with openssl's reading of the same certificate.
    const certs = (await h().state.get({ namespace: SECRETS_NAMESPACE, type: 'ApiCertificates', id: 'api' })).spec as {
      crt: string;
    };
    const d = await pemDir();
    try {
      const file = await d.write('api.crt', certs.crt);
      const out = await openssl(['x509', '-in', file, '-noout', '-fingerprint', '-sha256', '-serial', '-enddate']);
      expect(out).to.include(`sha256 Fingerprint=${api.sha256}`);
      expect(out.toLowerCase()).to.include(`serial=${api.serial}`);
      const end = /notAfter=(.*)/.exec(out)?.[1] ?? '';
      expect(Date.parse(end)).to.equal(Date.parse(api.notAfter));
      expect(api.notAfter).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    } finally {
      await d.done();
    }
    expect(describeCertificate('x', certs.crt).sha256).to.equal(new X509Certificate(certs.crt).fingerprint256);
  });

  it('keeps only the CA certificates a worker holds', async () => {
    await putNames(h().state, 'worker-1', ['10.5.0.4/24']);
    await putConfig(h().state);
    start();
    await h().waitFor(cert('k8s-admin'), (r) => r !== undefined);
    await putConfig(h().state, 'worker');
    for (const id of ALL_IDS.filter((i) => i !== 'k8s-ca' && i !== 'os-ca')) {
      await h().waitFor(cert(id), (r) => r === undefined);
    }
    expect(await ids()).to.deep.equal(['k8s-ca', 'os-ca']);
  });
});
