// Transport security of the API: clients without a certificate, with one from another CA, or with an expired one are
// refused at the TLS layer (checked with grpc-js and with the openssl binary); maintenance mode serves server-only TLS.
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InMemoryState } from '../../resources/index.js';
import { selfSignedCertificate } from './certs.js';
import type { ApiServer } from './server.js';
import { startApiServer } from './server.js';
import {
  call,
  clientCredentials,
  clients,
  closeAll,
  fakeOps,
  secureServer,
  testCa,
  testState,
  type TestCa,
} from './testing.js';

async function refused(port: number, creds: ReturnType<typeof credentials.createInsecure>): Promise<ServiceError> {
  const c = clients(port, creds);
  try {
    await call(c.machine, 'Version', {});
    throw new Error('the call succeeded');
  } catch (e) {
    return e as ServiceError;
  } finally {
    closeAll(c);
  }
}

/** Runs `openssl s_client` with no client certificate, sends a line, and reports how it ended. */
function sClient(port: number, caFile: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-CAfile',
        caFile,
        '-verify_return_error',
        '-alpn',
        'h2',
        '-ign_eof',
      ],
      { timeout: 10_000 },
      (err, stdout, stderr) => {
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, out: stdout + stderr });
      },
    );
    // -ign_eof keeps s_client reading after its input ends, until the server answers the missing certificate.
    child.stdin?.end('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  });
}

describe('api server: transport security', function () {
  this.timeout(30_000);
  let ca: TestCa;
  let state: InMemoryState;
  let server: ApiServer;
  before(async () => {
    ca = await testCa();
  });
  beforeEach(async () => {
    state = await testState();
    server = await secureServer(ca, state);
  });
  afterEach(() => server.close());

  const servesGoodClient = async (): Promise<void> => {
    const c = clients(server.port, clientCredentials(ca, ['os:reader']));
    try {
      const r = await call<{ messages: { metadata: { hostname: string } }[] }>(c.machine, 'Version', {});
      expect(r.messages[0]?.metadata.hostname).to.equal('node-1');
    } finally {
      closeAll(c);
    }
  };

  it('refuses a client without a certificate, and serves the next good client', async () => {
    const e = await refused(server.port, credentials.createSsl(Buffer.from(ca.crt)));
    expect(e.code).to.equal(status.UNAVAILABLE);
    expect(e.details).to.match(/certificate required/);
    await servesGoodClient();
  });

  it('refuses a certificate from another CA', async () => {
    const other = await testCa('other-ca');
    const e = await refused(server.port, clientCredentials(other, ['os:admin'], { trust: ca }));
    expect(e.code).to.equal(status.UNAVAILABLE);
    // The client trusts the server (same CA): only the server can have ended the handshake.
    await servesGoodClient();
  });

  it('refuses an expired certificate', async () => {
    const creds = clientCredentials(ca, ['os:admin'], {
      notBefore: new Date(Date.now() - 7_200_000),
      ttlMs: 3_600_000,
    });
    const e = await refused(server.port, creds);
    expect(e.code).to.equal(status.UNAVAILABLE);
    expect(e.details).to.not.match(/self-signed|unable to verify/i);
    await servesGoodClient();
  });

  it('openssl s_client without a certificate gets no answer from the API', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'osnode-tls-'));
    try {
      await writeFile(join(dir, 'ca.crt'), ca.crt);
      const r = await sClient(server.port, join(dir, 'ca.crt'));
      // The server's certificate verifies, then the server refuses the client that has none (TLS 1.3 alert 116).
      expect(r.out).to.include('Verification: OK');
      expect(r.out).to.include('alert certificate required');
      expect(r.code).to.not.equal(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await servesGoodClient();
  });
});

describe('api server: maintenance mode', () => {
  let server: ApiServer;
  let state: InMemoryState;
  let applied: unknown[];
  beforeEach(async () => {
    state = await testState();
    applied = [];
    const ops = fakeOps({
      apply: (req) => {
        applied.push(req.config);
        return Promise.resolve({
          mode: 'no-reboot' as const,
          dryRun: false,
          diff: '+machine: ...',
          changed: ['machine'],
          rebootRequired: [],
          warnings: [],
          message: 'applied without a reboot',
        });
      },
    });
    const cert = selfSignedCertificate(['localhost'], ['127.0.0.1']);
    server = await startApiServer({ state, ops, host: '127.0.0.1', port: 0, tls: { mode: 'maintenance', ...cert } });
  });
  afterEach(() => server.close());

  const anonymous = () => credentials.createSsl(null, null, null, { rejectUnauthorized: false });

  it('serves apply-config and version over server-only TLS', async () => {
    const c = clients(server.port, anonymous());
    try {
      const data = Buffer.from('version: v1alpha1\nmachine:\n  type: worker\n');
      const r = await call<{ messages: { modeDetails: string; mode: string; metadata: { hostname: string } }[] }>(
        c.machine,
        'ApplyConfiguration',
        { data, mode: 'AUTO' },
      );
      expect(r.messages[0]).to.include({ modeDetails: 'applied without a reboot', mode: 'NO_REBOOT' });
      expect(r.messages[0]?.metadata.hostname).to.equal('node-1');
      expect(applied).to.deep.equal([{ version: 'v1alpha1', machine: { type: 'worker' } }]);
      const v = await call<{ messages: { version: { tag: string } }[] }>(c.machine, 'Version');
      expect(v.messages[0]?.version.tag).to.equal('v0.1.0');
    } finally {
      closeAll(c);
    }
  });

  it('refuses everything else, naming what is served', async () => {
    const c = clients(server.port, anonymous());
    try {
      const e = (await call(c.state, 'Get', { namespace: 'runtime', type: 'MachineStatus', id: 'machine' }).catch(
        (x: unknown) => x,
      )) as ServiceError;
      expect(e.code).to.equal(status.PERMISSION_DENIED);
      expect(e.details).to.equal('node is in maintenance mode: only apply-config and version are served');
      const r = (await call(c.machine, 'Reboot').catch((x: unknown) => x)) as ServiceError;
      expect(r.code).to.equal(status.PERMISSION_DENIED);
    } finally {
      closeAll(c);
    }
  });

  it('reports YAML errors in the config with line and column', async () => {
    const c = clients(server.port, anonymous());
    try {
      const data = Buffer.from('version: v1alpha1\nmachine: [unclosed\n');
      const e = (await call(c.machine, 'ApplyConfiguration', { data, mode: 'AUTO' }).catch(
        (x: unknown) => x,
      )) as ServiceError;
      expect(e.code).to.equal(status.INVALID_ARGUMENT);
      expect(e.details).to.match(/not valid YAML at line \d+, column \d+/);
      expect(applied).to.deep.equal([]);
    } finally {
      closeAll(c);
    }
  });
});
