// Generated documents: endpoint normalization, what each role holds (the worker no CA keys), SANs, talosconfig; all validate.
import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { validateMachineConfig } from '../../resources/index.js';
import { InvalidArgumentError } from './errors.js';
import {
  checkClusterName,
  controlPlaneConfig,
  normalizeEndpoint,
  normalizeKubernetesVersion,
  talosconfig,
  workerConfig,
  type ClusterInput,
} from './generate.js';
import { fromBase64Pem, generateRsaKey, issueClientCertificate } from './pki.js';
import { generateSecrets } from './secrets.js';

function argumentError(fn: () => unknown): string {
  try {
    fn();
  } catch (e: unknown) {
    if (e instanceof InvalidArgumentError) return e.message;
    throw e;
  }
  throw new Error('expected InvalidArgumentError');
}

describe('generated configs', function () {
  this.timeout(30_000);
  let input: ClusterInput;

  before(async () => {
    input = {
      clusterName: 'demo',
      endpoint: normalizeEndpoint('https://10.5.0.2:6443'),
      secrets: await generateSecrets(),
      dnsDomain: 'cluster.local',
      additionalSans: ['cp.example.com', '10.5.0.2'],
      kubernetesVersion: '1.32.0',
      installDisk: '/dev/sda',
    };
  });

  it('normalizes endpoints: https URLs kept, bare host[:port] given https and 6443, the rest refused', () => {
    expect(normalizeEndpoint('https://10.5.0.2:6443').origin).to.equal('https://10.5.0.2:6443');
    expect(normalizeEndpoint('https://cp.example.com:6443/').origin).to.equal('https://cp.example.com:6443');
    expect(normalizeEndpoint('10.5.0.2').origin).to.equal('https://10.5.0.2:6443');
    expect(normalizeEndpoint('cp.example.com:7443').origin).to.equal('https://cp.example.com:7443');
    expect(normalizeEndpoint('fd00::2').origin).to.equal('https://[fd00::2]:6443');
    expect(normalizeEndpoint('[fd00::2]:443').origin).to.equal('https://[fd00::2]');
    expect(argumentError(() => normalizeEndpoint('http://10.5.0.2:6443'))).to.include('must use https');
    expect(argumentError(() => normalizeEndpoint('https://10.5.0.2:6443/api'))).to.include(
      'scheme, host and port only',
    );
    expect(argumentError(() => normalizeEndpoint('10.5.0.2:99999'))).to.include('neither a URL nor a host[:port]');
    expect(argumentError(() => normalizeEndpoint('a b'))).to.include('https://10.5.0.2:6443');
    expect(argumentError(() => normalizeEndpoint(''))).to.include('empty');
  });

  it('checks cluster names and Kubernetes versions', () => {
    expect(checkClusterName('demo-1')).to.equal('demo-1');
    expect(argumentError(() => checkClusterName('-x'))).to.include('cluster name "-x"');
    expect(normalizeKubernetesVersion('v1.31.2')).to.equal('1.31.2');
    expect(argumentError(() => normalizeKubernetesVersion('latest'))).to.include('not a version');
  });

  it('gives the control plane every CA with its key, etcd, images of the pinned version and SANs', () => {
    const cp = controlPlaneConfig(input);
    const s = input.secrets;
    expect(cp).to.nested.include({
      'machine.type': 'controlplane',
      'machine.token': s.trustdinfo.token,
      'machine.ca.key': s.certs.os.key,
      'machine.install.disk': '/dev/sda',
      'cluster.controlPlane.endpoint': 'https://10.5.0.2:6443',
      'cluster.token': s.secrets.bootstraptoken,
      'cluster.ca.key': s.certs.k8s.key,
      'cluster.etcd.ca.key': s.certs.etcd.key,
      'cluster.serviceAccount.key': s.certs.k8sserviceaccount.key,
      'cluster.apiServer.image': 'registry.k8s.io/kube-apiserver:v1.32.0',
      'machine.kubelet.image': 'ghcr.io/siderolabs/kubelet:v1.32.0',
    });
    expect(cp).to.have.deep.nested.property('machine.certSANs', ['10.5.0.2', 'cp.example.com']);
    expect(cp).to.have.deep.nested.property('cluster.apiServer.certSANs', ['10.5.0.2', 'cp.example.com']);
    expect(cp).to.have.deep.nested.property('cluster.network.podSubnets', ['10.244.0.0/16']);
  });

  it('gives the worker CA certificates without keys, and nothing of etcd or the control plane', () => {
    const w = workerConfig(input);
    expect(w).to.nested.include({ 'machine.type': 'worker', 'machine.ca.key': '', 'cluster.ca.key': '' });
    expect(w).to.have.nested.property('machine.ca.crt', input.secrets.certs.os.crt);
    const cluster = w['cluster'] as Record<string, unknown>;
    for (const k of ['etcd', 'aggregatorCA', 'serviceAccount', 'secretboxEncryptionSecret', 'apiServer']) {
      expect(cluster, k).not.to.have.property(k);
    }
    expect(JSON.stringify(w)).not.to.include(input.secrets.certs.etcd.key);
  });

  it('produces configs the v1alpha1 validator accepts in strict metal mode', () => {
    for (const doc of [controlPlaneConfig(input), workerConfig(input)]) {
      expect(validateMachineConfig(doc, { mode: 'metal', strict: true }).warnings).to.deep.equal([]);
    }
  });

  it('writes a talosconfig whose context names the cluster and holds an os:admin certificate', async () => {
    const os = input.secrets.certs.os;
    const caPem = fromBase64Pem(os.crt) ?? '';
    const client = issueClientCertificate(
      { crt: caPem, key: fromBase64Pem(os.key) ?? '' },
      await generateRsaKey(),
      {
        organization: ['os:admin'],
      },
      new Date(),
    );
    const tc = talosconfig('demo', input.endpoint, os.crt, client);
    expect(tc).to.have.property('context', 'demo');
    expect(tc).to.have.deep.nested.property('contexts.demo.endpoints', ['10.5.0.2']);
    expect(tc).to.have.deep.nested.property('contexts.demo.nodes', []);
    expect(tc).to.have.nested.property('contexts.demo.ca', os.crt);
    const crt = new X509Certificate(
      fromBase64Pem((tc['contexts'] as Record<string, Record<string, string>>)['demo']?.['crt'] ?? '') ?? '',
    );
    expect(crt.subject).to.equal('O=os:admin');
    expect(crt.checkIssued(new X509Certificate(caPem))).to.equal(true);
  });
});
