// Secrets over the real API: os:reader and os:operator get PERMISSION_DENIED for every secrets type on Get, List and
// Watch; os:admin reads them; everyone may read the public Certificate view.
import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { ALL_TYPES, CertificateType, SECRETS_NAMESPACE, type InMemoryState } from '../../resources/index.js';
import type { ApiServer } from './server.js';
import {
  call,
  clientCredentials,
  clients,
  closeAll,
  collect,
  secureServer,
  stream,
  testCa,
  testState,
  type TestCa,
} from './testing.js';

const fail = (p: Promise<unknown>): Promise<ServiceError> =>
  p.then(
    () => {
      throw new Error('the call succeeded');
    },
    (e: unknown) => e as ServiceError,
  );

const pair = { crt: '-----BEGIN CERTIFICATE-----\n', key: '-----BEGIN PRIVATE KEY-----\nsecret\n' };
const names = { dnsNames: ['node-1'], ips: ['10.5.0.2'], renewAt: '2030-01-01T00:00:00.000Z' };
/** One resource of every sensitive secrets type, as the controllers would write it. */
const SECRETS: Readonly<Record<string, readonly [string, unknown]>> = {
  OSRootSecret: ['os', { ca: pair, signs: true, certSANs: [], token: 'abcdef.0123456789abcdef' }],
  ApiCertificates: ['api', { ca: pair.crt, ...pair, ...names }],
  EtcdRootSecret: ['etcd', { ca: pair, signs: true }],
  EtcdSecrets: ['etcd', { ca: pair.crt, server: pair, peer: pair, admin: pair, apiServerClient: pair, ...names }],
  KubernetesRootSecret: [
    'k8s',
    {
      clusterName: 'demo',
      endpoint: 'https://10.5.0.2:6443',
      dnsDomain: 'cluster.local',
      serviceSubnets: ['10.96.0.0/12'],
      certSANs: [],
      ca: pair,
      aggregatorCA: pair,
      serviceAccountKey: pair.key,
      bootstrapToken: 'abcdef.0123456789abcdef',
      secretboxEncryptionSecret: 'c2VjcmV0',
      signs: true,
    },
  ],
  KubernetesSecrets: [
    'k8s',
    {
      ca: pair.crt,
      aggregatorCA: pair.crt,
      apiServer: pair,
      apiServerKubeletClient: pair,
      frontProxyClient: pair,
      admin: pair,
      endpoint: 'https://10.5.0.2:6443',
      ...names,
    },
  ],
};

describe('api server: secrets are for os:admin only', function () {
  this.timeout(30_000);
  let ca: TestCa;
  let state: InMemoryState;
  let server: ApiServer;
  const as: Record<string, ReturnType<typeof clients>> = {};
  before(async () => {
    ca = await testCa();
    state = await testState();
    for (const [type, [id, spec]] of Object.entries(SECRETS)) {
      await state.create({ metadata: { namespace: SECRETS_NAMESPACE, type, id }, spec });
    }
    await state.create({
      metadata: { namespace: SECRETS_NAMESPACE, type: CertificateType.type, id: 'api' },
      spec: {
        source: 'ApiCertificates/api.crt',
        subject: 'CN=node-1',
        issuer: 'O=os',
        dnsNames: ['node-1'],
        ips: ['10.5.0.2'],
        usages: ['server'],
        keyType: 'ECDSA P-256',
        serial: '01',
        notBefore: '2025-01-01T00:00:00.000Z',
        notAfter: '2026-01-01T00:00:00.000Z',
        sha256: 'AA:BB',
      },
    });
    server = await secureServer(ca, state);
    for (const role of ['os:admin', 'os:operator', 'os:reader'])
      as[role] = clients(server.port, clientCredentials(ca, [role]));
  });
  after(async () => {
    for (const c of Object.values(as)) closeAll(c);
    await server.close();
  });

  it('every sensitive type of namespace secrets is covered here', () => {
    const sensitive = ALL_TYPES.filter(
      (t) => t.definition.defaultNamespace === SECRETS_NAMESPACE && t.definition.sensitivity === 'sensitive',
    ).map((t) => t.type);
    expect(sensitive.sort()).to.deep.equal(Object.keys(SECRETS).sort());
  });

  for (const role of ['os:reader', 'os:operator']) {
    it(`${role}: PERMISSION_DENIED on Get, List and Watch of every secrets type, the key never sent`, async () => {
      for (const [type, [id]] of Object.entries(SECRETS)) {
        const c = as[role]!.state;
        const errors = [
          await fail(call(c, 'Get', { namespace: SECRETS_NAMESPACE, type, id })),
          await fail(collect(stream(c, 'List', { namespace: '', type }))),
          await fail(collect(stream(c, 'Watch', { namespace: SECRETS_NAMESPACE, type }))),
          await fail(collect(stream(c, 'Watch', { namespace: SECRETS_NAMESPACE, type, id }))),
        ];
        for (const e of errors) {
          expect(e.code, `${role} ${type}`).to.equal(status.PERMISSION_DENIED);
          expect(e.details).to.equal(
            `reading ${type} (a sensitive resource type) needs role os:admin; the client certificate has roles ${role}`,
          );
        }
      }
    });
  }

  it('os:admin reads the secrets; a reader reads the public Certificate view', async () => {
    const r = await call<{ resource: { spec: { yamlSpec: string } } }>(as['os:admin']!.state, 'Get', {
      namespace: SECRETS_NAMESPACE,
      type: 'OSRootSecret',
      id: 'os',
    });
    expect(r.resource.spec.yamlSpec).to.include('PRIVATE KEY');
    const list = await collect(stream(as['os:reader']!.state, 'List', { namespace: '', type: CertificateType.type }));
    expect(list).to.have.length(1);
    expect(JSON.stringify(list)).not.to.include('PRIVATE KEY');
  });
});
