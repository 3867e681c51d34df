// Roles from the client certificate: the method table, sensitive resource types, refused write verbs, unknown types,
// and what each role can still do; plus server reflection.
import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MACHINE_ID,
  MachineConfigType,
  MachineStatusType,
  RUNTIME_NAMESPACE,
  type InMemoryState,
} from '../../resources/index.js';
import { allowedRoles, authorizeByRole, peerRoles } from './roles.js';
import type { ApiServer } from './server.js';
import {
  call,
  clientCredentials,
  clients,
  closeAll,
  collect,
  fakeOps,
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

describe('api server: roles', function () {
  this.timeout(30_000);
  let ca: TestCa;
  let state: InMemoryState;
  let server: ApiServer;
  let ops: ReturnType<typeof fakeOps>;
  const as: Record<string, ReturnType<typeof clients>> = {};
  const creds: Record<string, ReturnType<typeof clientCredentials>> = {};
  before(async () => {
    ca = await testCa();
    for (const role of ['os:admin', 'os:operator', 'os:reader']) creds[role] = clientCredentials(ca, [role]);
  });
  beforeEach(async () => {
    state = await testState();
    await state.create({
      metadata: { namespace: RUNTIME_NAMESPACE, type: MachineStatusType.type, id: MACHINE_ID },
      spec: { stage: 'running', ready: true, unmetConditions: [] },
    });
    await state.create({
      metadata: { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID },
      spec: { version: 'v1alpha1', machine: { type: 'worker' } },
    });
    ops = fakeOps();
    server = await secureServer(ca, state, ops);
    for (const role of ['os:admin', 'os:operator', 'os:reader']) as[role] = clients(server.port, creds[role]!);
  });
  afterEach(async () => {
    for (const c of Object.values(as)) closeAll(c);
    await server.close();
  });
  const get = (who: string, type: string, id: string, namespace = '') =>
    call<{ resource: { metadata: { id: string } } }>(as[who]!.state, 'Get', { namespace, type, id });

  it('a reader may not reboot; the refusal names the method and the roles that may', async () => {
    const e = await fail(call(as['os:reader']!.machine, 'Reboot', {}));
    expect(e.code).to.equal(status.PERMISSION_DENIED);
    expect(e.details).to.equal(
      'machine.MachineService/Reboot may be called by roles os:admin, os:operator; the client certificate has roles os:reader',
    );
    expect(ops.acted).to.deep.equal([]);
  });

  it('an operator may reboot: the node acts after the reply', async () => {
    const r = await call<{ messages: { metadata: { hostname: string }; actorId: string }[] }>(
      as['os:operator']!.machine,
      'Reboot',
      {},
    );
    expect(r.messages[0]?.metadata.hostname).to.equal('node-1');
    expect(ops.acted).to.deep.equal(['reboot']);
  });

  it('a reader may not read a sensitive type (MachineConfig); an admin may', async () => {
    const e = await fail(get('os:reader', 'MachineConfig', ACTIVE_CONFIG_ID, CONFIG_NAMESPACE));
    expect(e.code).to.equal(status.PERMISSION_DENIED);
    expect(e.details).to.include('MachineConfig').and.include('os:admin').and.include('os:reader');
    const w = await fail(
      collect(stream(as['os:operator']!.state, 'Watch', { namespace: CONFIG_NAMESPACE, type: 'MachineConfig' })),
    );
    expect(w.code).to.equal(status.PERMISSION_DENIED);
    const r = await get('os:admin', 'MachineConfig', ACTIVE_CONFIG_ID, CONFIG_NAMESPACE);
    expect(r.resource.metadata.id).to.equal(ACTIVE_CONFIG_ID);
  });

  it('a reader gets and lists public types; an empty namespace means the default one', async () => {
    const r = await get('os:reader', 'MachineStatus', MACHINE_ID);
    expect(r.resource.metadata.id).to.equal(MACHINE_ID);
    const list = await collect(
      stream(as['os:reader']!.state, 'List', { namespace: 'meta', type: 'ResourceDefinition' }),
    );
    expect(list.map((m) => (m as { resource: { metadata: { id: string } } }).resource.metadata.id)).to.include(
      'MachineConfig',
    );
  });

  it('an operator may not fetch a kubeconfig', async () => {
    const e = await fail(collect(stream(as['os:operator']!.machine, 'Kubeconfig', {})));
    expect(e.code).to.equal(status.PERMISSION_DENIED);
    expect(e.details).to.include('Kubeconfig').and.include('roles os:admin;');
  });

  it('refuses the write verbs to everyone', async () => {
    const resource = {
      metadata: { namespace: 'runtime', type: 'MachineStatus', id: 'x' },
      spec: { yamlSpec: 'stage: running' },
    };
    for (const [method, req] of [
      ['Create', { resource }],
      ['Update', { newResource: resource, currentVersion: '1' }],
      ['Destroy', { namespace: 'runtime', type: 'MachineStatus', id: MACHINE_ID }],
      ['Teardown', { namespace: 'runtime', type: 'MachineStatus', id: MACHINE_ID }],
      ['TeardownAndDestroy', { namespace: 'runtime', type: 'MachineStatus', id: MACHINE_ID }],
    ] as const) {
      const e = await fail(call(as['os:admin']!.state, method, req));
      expect(e.code, method).to.equal(status.PERMISSION_DENIED);
      expect(e.details).to.equal('write access is not allowed');
    }
    expect(
      (await state.get({ namespace: RUNTIME_NAMESPACE, type: 'MachineStatus', id: MACHINE_ID })).metadata.version,
    ).to.equal(1);
  });

  it('an unknown type is NOT_FOUND naming it (and what was meant)', async () => {
    const e = await fail(get('os:reader', 'Bogus', 'x'));
    expect(e.code).to.equal(status.NOT_FOUND);
    expect(e.details).to.include('"Bogus"');
    const alias = await fail(get('os:reader', 'machinestatus', 'x'));
    expect(alias.details).to.include('did you mean MachineStatus?');
    const w = await fail(collect(stream(as['os:reader']!.state, 'Watch', { namespace: 'runtime', type: 'Nope' })));
    expect(w.code).to.equal(status.NOT_FOUND);
    const missing = await fail(get('os:reader', 'MachineStatus', 'nope'));
    expect(missing.code).to.equal(status.NOT_FOUND);
  });

  it('typed errors from node operations keep their status (an unknown service is NOT_FOUND)', async () => {
    const e = await fail(call(as['os:operator']!.machine, 'ServiceStart', { id: 'etcd' }));
    expect(e.code).to.equal(status.NOT_FOUND);
    expect(e.details).to.equal('no service etcd');
  });

  it('every Organization value of the certificate counts', async () => {
    const c = clients(server.port, clientCredentials(ca, ['system:masters', 'os:operator']));
    try {
      await call(c.machine, 'Shutdown', {});
      expect(ops.acted).to.deep.equal(['shutdown']);
    } finally {
      closeAll(c);
    }
  });

  it('a certificate without a known role may call nothing', async () => {
    const c = clients(server.port, clientCredentials(ca, ['system:masters']));
    try {
      const e = await fail(call(c.machine, 'Version', {}));
      expect(e.code).to.equal(status.PERMISSION_DENIED);
      expect(e.details).to.include('the client certificate has roles none');
    } finally {
      closeAll(c);
    }
  });

  it('serves reflection: the services can be discovered', async () => {
    const { ServerReflectionClientConstructor } = await reflectionClient();
    const c = new ServerReflectionClientConstructor(`127.0.0.1:${server.port}`, clientCredentials(ca, ['os:reader']));
    try {
      const names = await new Promise<string[]>((resolve, reject) => {
        const s = (
          c as unknown as {
            ServerReflectionInfo(): NodeJS.ReadWriteStream & { end(m: unknown): void; write(m: unknown): boolean };
          }
        ).ServerReflectionInfo();
        s.on('data', (m: { listServicesResponse?: { service: { name: string }[] } }) => {
          resolve(m.listServicesResponse?.service.map((x) => x.name) ?? []);
          s.end();
        });
        s.on('error', reject);
        s.write({ listServices: '' });
      });
      expect(names).to.include.members(['cosi.resource.State', 'machine.MachineService']);
    } finally {
      c.close();
    }
  });
});

async function reflectionClient() {
  const { loadSync } = await import('@grpc/proto-loader');
  const { loadPackageDefinition } = await import('@grpc/grpc-js');
  const { createRequire } = await import('node:module');
  const dir = createRequire(import.meta.url)
    .resolve('@grpc/reflection/package.json')
    .replace(/package\.json$/, '');
  const def = loadSync(`${dir}build/proto/grpc/reflection/v1/reflection.proto`, { keepCase: false, defaults: true });
  const pkg = loadPackageDefinition(def) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: new (t: string, c: unknown) => { close(): void } } } };
  };
  return { ServerReflectionClientConstructor: pkg.grpc.reflection.v1.ServerReflection };
}

describe('api server: role table', () => {
  it('maps methods to roles; a method not in the table needs os:admin', () => {
    expect(allowedRoles('/machine.MachineService/Logs')).to.include('os:reader');
    expect(allowedRoles('/machine.MachineService/ServiceRestart')).to.deep.equal(['os:admin', 'os:operator']);
    expect(allowedRoles('/machine.MachineService/ApplyConfiguration')).to.deep.equal(['os:admin']);
    expect(allowedRoles('/machine.MachineService/SomethingNew')).to.deep.equal(['os:admin']);
  });

  it('reads every Organization value of the peer certificate', () => {
    const peer = (O: unknown) => ({ getAuthContext: () => ({ sslPeerCertificate: { subject: { O } } as never }) });
    expect(peerRoles(peer(['os:reader', 'os:operator', 'other']))).to.deep.equal(['os:operator', 'os:reader']);
    expect(peerRoles(peer('os:admin'))).to.deep.equal(['os:admin']);
    expect(peerRoles({ getAuthContext: () => ({}) })).to.deep.equal([]);
    expect(() => authorizeByRole('/machine.MachineService/Reboot', peer('os:reader'))).to.throw(
      /os:admin, os:operator/,
    );
  });
});
