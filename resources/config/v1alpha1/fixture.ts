// Test fixtures (imported by tests only): a freshly generated PKI and minimal, full control-plane and worker configs.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A certificate and key as the config holds them: base64 of PEM. */
export interface Pair {
  readonly crt: string;
  readonly key: string;
}

/** Every certificate and key the fixtures use, generated once per test run. */
export interface TestPki {
  readonly machineCa: Pair;
  readonly clusterCa: Pair;
  readonly aggregatorCa: Pair;
  readonly etcdCa: Pair;
  /** A leaf (CA:FALSE) certificate signed by clusterCa, with its key. */
  readonly client: Pair;
  /** An ECDSA key (SEC1 "EC PRIVATE KEY") for service account tokens. */
  readonly serviceAccountKey: string;
}

/** base64 of a string, as certificates and keys appear in a config. */
export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function rsaKey(): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

interface Issued {
  readonly certPem: string;
  readonly keyPem: string;
  readonly subject: forge.pki.CertificateField[];
}

function issue(cn: string, isCa: boolean, signer?: Issued): Issued {
  const key = rsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicPem);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  const subject = [
    { name: 'commonName', value: cn },
    { name: 'organizationName', value: 'osnode tests' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(signer?.subject ?? subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: isCa, critical: true },
    { name: 'keyUsage', keyCertSign: isCa, digitalSignature: true, keyEncipherment: !isCa, critical: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(signer?.keyPem ?? key.privatePem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privatePem, subject };
}

const pair = (i: Issued): Pair => ({ crt: b64(i.certPem), key: b64(i.keyPem) });

let pki: TestPki | undefined;

/** The test PKI (generated on first use: RSA keys by node:crypto, certificates built and signed by node-forge). */
export function testPki(): TestPki {
  if (pki !== undefined) return pki;
  const clusterCa = issue('kubernetes', true);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  pki = {
    machineCa: pair(issue('osnode', true)),
    clusterCa: pair(clusterCa),
    aggregatorCa: pair(issue('front-proxy', true)),
    etcdCa: pair(issue('etcd', true)),
    client: pair(issue('registry-client', false, clusterCa)),
    serviceAccountKey: b64(ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString()),
  };
  return pki;
}

/** A plain JSON value, as parsed from YAML. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The smallest accepted config (container or cloud mode). */
export function minimalConfig(): { [k: string]: Json } {
  return { version: 'v1alpha1', machine: { type: 'controlplane' } };
}

const secret32 = (): string => randomBytes(32).toString('base64');

/** A control-plane config that sets every field of the schema (a test checks that it does). */
export function fullConfig(): { [k: string]: Json } {
  const p = testPki();
  return {
    version: 'v1alpha1',
    debug: false,
    persist: true,
    machine: {
      type: 'controlplane',
      token: 'abcdef.0123456789abcdef',
      ca: { ...p.machineCa },
      certSANs: ['10.5.0.2', 'node1.example.com', '*.nodes.example.com'],
      kubelet: {
        image: 'ghcr.io/siderolabs/kubelet:v1.30.0',
        extraArgs: { 'max-pods': '250' },
        extraMounts: [
          {
            destination: '/var/lib/example',
            type: 'bind',
            source: '/var/lib/example',
            options: ['bind', 'rshared', 'rw'],
          },
        ],
        nodeIP: { validSubnets: ['10.5.0.0/24', '!10.5.0.1/32'] },
        clusterDNS: ['10.96.0.10'],
      },
      network: {
        hostname: 'controlplane-1',
        interfaces: [
          {
            interface: 'eth0',
            addresses: ['10.5.0.2/24', 'fd00::2/64'],
            routes: [
              { network: '0.0.0.0/0', gateway: '10.5.0.1', source: '10.5.0.2', metric: 1024, mtu: 1500 },
              { network: '::/0', gateway: 'fe80::1' },
            ],
            mtu: 1500,
            dhcp: false,
            vlans: [
              {
                vlanId: 100,
                addresses: ['192.168.100.2/24'],
                routes: [
                  {
                    network: '192.168.0.0/16',
                    gateway: '192.168.100.1',
                    source: '192.168.100.2',
                    metric: 100,
                    mtu: 1400,
                  },
                ],
                mtu: 1400,
                dhcp: false,
              },
            ],
          },
          {
            // A provider-style /32 address whose gateway is declared on-link by a host route.
            interface: 'eth1',
            addresses: ['203.0.113.10/32'],
            routes: [{ network: '172.31.1.1/32' }, { network: '198.51.100.0/24', gateway: '172.31.1.1' }],
          },
          {
            interface: 'bond0',
            dhcp: true,
            routes: [{ network: '192.0.2.0/24', gateway: '10.99.0.1' }],
            bond: {
              interfaces: ['eth2', 'eth3'],
              mode: '802.3ad',
              lacpRate: 'fast',
              xmitHashPolicy: 'layer3+4',
              miimon: 100,
              updelay: 200,
              downdelay: 200,
              adSelect: 'stable',
              minLinks: 1,
              useCarrier: true,
            },
          },
          {
            interface: 'bond1',
            addresses: ['10.20.0.2/24'],
            bond: {
              interfaces: ['eth6', 'eth7'],
              mode: 'active-backup',
              arpInterval: 1000,
              arpIPTarget: ['10.20.0.1'],
              arpValidate: 'all',
              primary: 'eth6',
              primaryReselect: 'always',
              failOverMac: 'active',
            },
          },
          { interface: 'br0', addresses: ['10.10.0.1/24'], bridge: { interfaces: ['eth4'], stp: { enabled: true } } },
          { interface: 'dummy0', dummy: true, addresses: ['169.254.2.53/32'] },
          { interface: 'eth5', ignore: true },
        ],
        nameservers: ['1.1.1.1', '2606:4700:4700::1111'],
        searchDomains: ['example.com'],
        extraHostEntries: [{ ip: '10.5.0.10', aliases: ['registry.local'] }],
      },
      disks: [{ device: '/dev/sdb', partitions: [{ mountpoint: '/var/mnt/extra', size: '100 GB' }] }],
      install: {
        disk: '/dev/sda',
        image: 'ghcr.io/siderolabs/installer:v1.7.0',
        extraKernelArgs: ['console=ttyS0'],
        wipe: false,
      },
      files: [{ content: 'hello\n', permissions: 0o644, path: '/var/etc/hello.conf', op: 'create' }],
      env: { HTTPS_PROXY: 'http://proxy.example.com:3128' },
      time: { disabled: false, servers: ['time.cloudflare.com', '/dev/ptp0'], bootTimeout: '2m' },
      sysctls: { 'net.ipv4.ip_forward': '1', 'vm.max_map_count': 262144 },
      kernel: { modules: [{ name: 'br_netfilter', parameters: ['nf_conntrack_max=131072'] }] },
      services: [
        {
          name: 'web-probe',
          command: ['/bin/busybox', 'httpd', '-f', '-p', '8080'],
          files: ['/etc/mime.types'],
          environment: { LOG_LEVEL: 'debug' },
          restart: 'always',
          healthCheck: { tcpPort: 8080, initialDelay: '1s', period: '5s', timeout: '500ms' },
        },
      ],
      registries: {
        mirrors: {
          'docker.io': {
            endpoints: ['https://mirror.example.com', 'http://10.5.0.1:5000'],
            overridePath: false,
            skipFallback: true,
          },
        },
        config: {
          'registry.example.com:5000': {
            tls: { clientIdentity: { ...p.client }, ca: p.clusterCa.crt, insecureSkipVerify: false },
            auth: { username: 'robot', password: 'hunter2', auth: b64('robot:hunter2'), identityToken: 'tok' },
          },
        },
      },
    },
    cluster: {
      id: secret32(),
      secret: secret32(),
      controlPlane: { endpoint: 'https://10.5.0.2:6443' },
      clusterName: 'demo',
      network: {
        cni: { name: 'custom', urls: ['https://example.com/cni.yaml'] },
        dnsDomain: 'cluster.local',
        podSubnets: ['10.244.0.0/16', 'fd00:10:244::/56'],
        serviceSubnets: ['10.96.0.0/12'],
      },
      token: 'abcdef.0123456789abcdef',
      secretboxEncryptionSecret: secret32(),
      ca: { ...p.clusterCa },
      aggregatorCA: { ...p.aggregatorCa },
      serviceAccount: { key: p.serviceAccountKey },
      apiServer: {
        image: 'registry.k8s.io/kube-apiserver:v1.30.0',
        extraArgs: { 'feature-gates': 'ServerSideApply=true' },
        certSANs: ['api.example.com', '203.0.113.10'],
      },
      controllerManager: { image: 'registry.k8s.io/kube-controller-manager:v1.30.0', extraArgs: { v: '2' } },
      scheduler: { image: 'registry.k8s.io/kube-scheduler:v1.30.0', extraArgs: { v: '2' } },
      proxy: { disabled: false, mode: 'ipvs', image: 'registry.k8s.io/kube-proxy:v1.30.0', extraArgs: { v: '2' } },
      etcd: {
        image: 'gcr.io/etcd-development/etcd:v3.5.13',
        ca: { ...p.etcdCa },
        extraArgs: { 'election-timeout': '5000' },
        advertisedSubnets: ['10.5.0.0/24'],
        listenSubnets: ['10.5.0.0/24', '!10.5.0.1/32'],
      },
    },
  };
}

/** The worker counterpart of fullConfig: CA certificates without keys, no control-plane secrets. */
export function workerConfig(): { [k: string]: Json } {
  const p = testPki();
  const doc = fullConfig() as { machine: { [k: string]: Json }; cluster: { [k: string]: Json } };
  doc.machine.type = 'worker';
  doc.machine.ca = { crt: p.machineCa.crt, key: '' };
  doc.cluster.ca = { crt: p.clusterCa.crt, key: '' };
  doc.cluster.etcd = { image: 'gcr.io/etcd-development/etcd:v3.5.13' };
  for (const k of ['aggregatorCA', 'serviceAccount', 'secretboxEncryptionSecret'])
    Reflect.deleteProperty(doc.cluster, k);
  return doc;
}
