// Swapping the API certificate while the server runs, over real TLS on loopback: an open watch stream goes on, new
// connections get the new certificate, and a new CA admits its clients and refuses the old CA's on new connections.
import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { parse } from 'yaml';
import { MachineStageType, RUNTIME_NAMESPACE, type InMemoryState } from '../../resources/index.js';
import type { PbWatchResponse } from '../proto/types.js';
import { issueClientCertificate, issueServerCertificate } from './certs.js';
import type { ApiServer } from './server.js';
import {
  call,
  clientCredentials,
  clients,
  closeAll,
  secureServer,
  stream,
  take,
  testCa,
  testState,
  type TestCa,
} from './testing.js';

const kind = { namespace: RUNTIME_NAMESPACE, type: MachineStageType.type };

/** The certificate the server presents to a fresh TLS connection (a client certificate from `ca`, ALPN h2). */
function presented(port: number, ca: TestCa): Promise<X509Certificate> {
  const client = issueClientCertificate({ caCertPem: ca.crt, caKeyPem: ca.key, roles: ['os:reader'] });
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: ca.crt,
      cert: client.certPem,
      key: client.keyPem,
      ALPNProtocols: ['h2'],
    });
    socket.once('secureConnect', () => {
      const raw = socket.getPeerCertificate().raw;
      socket.destroy();
      resolve(new X509Certificate(raw));
    });
    socket.once('error', reject);
  });
}

describe('api server: certificate swap', function () {
  this.timeout(30_000);
  let ca: TestCa;
  let state: InMemoryState;
  let server: ApiServer;
  before(async () => {
    ca = await testCa();
  });
  beforeEach(async () => {
    state = await testState();
    await state.create({ metadata: { ...kind, id: 'a' }, spec: { stage: 'booting' } });
    server = await secureServer(ca, state);
  });
  afterEach(() => server.close());

  it('keeps an open watch streaming while new connections get the new certificate', async () => {
    const c = clients(server.port, clientCredentials(ca, ['os:reader']));
    try {
      const s = stream<PbWatchResponse>(c.state, 'Watch', { ...kind, options: { bootstrapContents: true } });
      expect(await take(s, 3)).to.have.length(3); // ready, CREATED a, BOOTSTRAPPED
      const old = await presented(server.port, ca);
      expect(old.subjectAltName).to.equal('DNS:localhost, IP Address:127.0.0.1');

      const next = issueServerCertificate({
        caCertPem: ca.crt,
        caKeyPem: ca.key,
        dnsNames: ['localhost', 'renewed.example'],
        ips: ['127.0.0.1'],
      });
      server.updateCertificate({ caPem: ca.crt, ...next });
      const now = await presented(server.port, ca);
      expect(now.fingerprint256).to.equal(new X509Certificate(next.certPem).fingerprint256);
      expect(now.subjectAltName).to.include('DNS:renewed.example');

      await state.update({ metadata: { ...kind, id: 'a', version: 1 }, spec: { stage: 'running' } });
      const [ev] = await take(s, 1);
      expect(ev?.event[0]?.eventType).to.equal('UPDATED');
      expect(parse(ev?.event[0]?.resource?.spec?.yamlSpec ?? '')).to.deep.equal({ stage: 'running' });
      s.cancel();
    } finally {
      closeAll(c);
    }
  });

  it('a new CA admits its clients and refuses the old CA on new connections', async () => {
    const ca2 = await testCa('second-ca');
    const next = issueServerCertificate({
      caCertPem: ca2.crt,
      caKeyPem: ca2.key,
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
    });
    server.updateCertificate({ caPem: ca2.crt, ...next });
    const fresh = clients(server.port, clientCredentials(ca2, ['os:reader']));
    const stale = clients(server.port, clientCredentials(ca, ['os:reader'], { trust: ca2 }));
    try {
      const v = await call<{ messages: unknown[] }>(fresh.machine, 'Version', {});
      expect(v.messages).to.have.length(1);
      const e = (await call(stale.machine, 'Version', {}).catch((x: unknown) => x)) as ServiceError;
      expect(e.code).to.equal(status.UNAVAILABLE);
    } finally {
      closeAll(fresh);
      closeAll(stale);
    }
  });
});
