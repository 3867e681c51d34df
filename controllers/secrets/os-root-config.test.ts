// The root-secret controllers: OSRootSecret, EtcdRootSecret and KubernetesRootSecret follow the active config, as plain
// PEM, signing only where the config holds the CA keys.
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  ETCD_ROOT_ID,
  EtcdRootSecretType,
  KUBERNETES_ROOT_ID,
  KubernetesRootSecretType,
  MachineConfigType,
  OS_ROOT_ID,
  OSRootSecretType,
  SECRETS_NAMESPACE,
  type EtcdRootSecretSpec,
  type KubernetesRootSecretSpec,
  type OSRootSecretSpec,
  type Resource,
} from '../../resources/index.js';
import { testPki } from '../../resources/config/v1alpha1/fixture.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { EtcdRootConfigController } from './etcd-root-config.js';
import { KubernetesRootConfigController } from './kubernetes-root-config.js';
import { OSRootConfigController } from './os-root-config.js';
import { putConfig } from './testing.js';

const ptr = (type: string, id: string) => ({ namespace: SECRETS_NAMESPACE, type, id });
const os = ptr(OSRootSecretType.type, OS_ROOT_ID);
const etcd = ptr(EtcdRootSecretType.type, ETCD_ROOT_ID);
const k8s = ptr(KubernetesRootSecretType.type, KUBERNETES_ROOT_ID);
const pem = (b64: string) => Buffer.from(b64, 'base64').toString();
const signs = (want: boolean) => (r: Resource | undefined) =>
  (r?.spec as { signs?: boolean } | undefined)?.signs === want;

describe('secrets root config controllers', () => {
  const h = useHarness({ types: [MachineConfigType, OSRootSecretType, EtcdRootSecretType, KubernetesRootSecretType] });

  it('hold the CAs of a control-plane config and sign; a worker holds certificates only; no config, nothing', async () => {
    h().runtime.register(new OSRootConfigController());
    h().runtime.register(new EtcdRootConfigController());
    h().runtime.register(new KubernetesRootConfigController());
    h().start();
    await putConfig(h().state);
    const p = testPki();
    const o = (await h().waitFor(os, signs(true)))!.spec as OSRootSecretSpec;
    expect(o).to.deep.equal({
      ca: { crt: pem(p.machineCa.crt), key: pem(p.machineCa.key) },
      signs: true,
      certSANs: ['10.5.0.2', 'node1.example.com', '*.nodes.example.com'],
      token: 'abcdef.0123456789abcdef',
    });
    const e = (await h().waitFor(etcd, signs(true)))!.spec as EtcdRootSecretSpec;
    expect(e.ca.crt).to.equal(pem(p.etcdCa.crt));
    const k = (await h().waitFor(k8s, signs(true)))!.spec as KubernetesRootSecretSpec;
    expect(k).to.deep.include({
      clusterName: 'demo',
      endpoint: 'https://10.5.0.2:6443',
      serviceSubnets: ['10.96.0.0/12'],
      certSANs: ['api.example.com', '203.0.113.10'],
      bootstrapToken: 'abcdef.0123456789abcdef',
    });
    expect(k.aggregatorCA.key).to.equal(pem(p.aggregatorCa.key));

    await putConfig(h().state, 'worker');
    const w = (await h().waitFor(os, signs(false)))!.spec as OSRootSecretSpec;
    expect(w.ca).to.deep.equal({ crt: pem(p.machineCa.crt), key: '' });
    await h().waitFor(etcd, (r) => r === undefined);
    const kw = (await h().waitFor(k8s, signs(false)))!.spec as KubernetesRootSecretSpec;
    expect(kw.aggregatorCA).to.deep.equal({ crt: '', key: '' });

    await h().state.destroy({ namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID });
    for (const q of [os, etcd, k8s]) await h().waitFor(q, (r) => r === undefined);
  });
});
