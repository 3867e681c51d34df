// NodeApi with the secrets controllers over the real runtime and real TLS on loopback: the API serves the certificate
// ApiCertificates holds; when the node gains an address the certificate is re-issued with the new SAN and swapped in,
// an open `get --watch` stream goes on, and new connections see the new certificate.
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { issueClientCertificate } from '../../api/server/index.js';
import type { PbWatchResponse } from '../../api/proto/types.js';
import { clientCredentials, clients, closeAll, fakeOps, stream, take, testState } from '../../api/server/testing.js';
import { ApiCertificatesSpecController } from '../../controllers/secrets/api-certificates-spec.js';
import { OSRootConfigController } from '../../controllers/secrets/os-root-config.js';
import { putConfig, putNames } from '../../controllers/secrets/testing.js';
import { testPki } from '../../resources/config/v1alpha1/fixture.js';
import {
  API_STATUS_ID,
  ApiStatusType,
  NETWORK_NAMESPACE,
  NodeAddressType,
  RUNTIME_NAMESPACE,
  putResource,
  waitFor,
  type InMemoryState,
} from '../../resources/index.js';
import { ControllerRuntime } from '../controller/index.js';
import { memoryLogger } from '../controller/testing.js';
import { NodeApi } from './api.js';

const pem = (b64: string) => Buffer.from(b64, 'base64').toString();
const ca = () => ({ crt: pem(testPki().machineCa.crt), key: pem(testPki().machineCa.key) });

/** The certificate the API presents to a fresh TLS connection. */
function presented(port: number): Promise<X509Certificate> {
  const c = issueClientCertificate({ caCertPem: ca().crt, caKeyPem: ca().key, roles: ['os:reader'] });
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca: ca().crt,
      cert: c.certPem,
      key: c.keyPem,
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

/** Waits until `pred` holds, checking every few milliseconds (no fixed sleeps). */
async function until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('machined: the node API follows ApiCertificates', function () {
  this.timeout(30_000);
  let state: InMemoryState;
  let ac: AbortController;
  let running: Promise<void>;
  let api: NodeApi | undefined;
  const lines: string[] = [];
  beforeEach(async () => {
    state = await testState();
    const runtime = new ControllerRuntime(state);
    runtime.register(new OSRootConfigController());
    runtime.register(new ApiCertificatesSpecController());
    ac = new AbortController();
    running = runtime.run(ac.signal);
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
    ac.abort();
    await running;
  });

  it('swaps in the re-issued certificate on an address change; an open watch survives it', async () => {
    await putNames(state, 'controlplane-1', ['10.5.0.2/24']);
    await putConfig(state);
    api = await NodeApi.start({
      state,
      host: '127.0.0.1',
      port: 0,
      logger: memoryLogger(lines),
      ops: () => fakeOps(),
    });
    const status = { namespace: RUNTIME_NAMESPACE, type: ApiStatusType.type, id: API_STATUS_ID };
    await waitFor(state, status, (r) => (r?.spec as { mode?: string } | undefined)?.mode === 'secure');
    const first = await presented(api.listenPort);
    expect(first.subjectAltName).to.include('IP Address:10.5.0.2').and.not.include('10.5.0.3');

    const c = clients(api.listenPort, clientCredentials(ca(), ['os:reader']));
    try {
      const s = stream<PbWatchResponse>(c.state, 'Watch', {
        namespace: NETWORK_NAMESPACE,
        type: NodeAddressType.type,
        options: { bootstrapContents: true },
      });
      expect(await take(s, 3)).to.have.length(3); // ready, CREATED accumulative, BOOTSTRAPPED

      await putNames(state, 'controlplane-1', ['10.5.0.2/24', '10.5.0.3/24']);
      const [changed] = await take(s, 1);
      expect(changed?.event[0]?.eventType).to.equal('UPDATED');
      await until(() => lines.some((l) => l.includes('new API certificate')), 'the swap');
      const second = await presented(api.listenPort);
      expect(second.subjectAltName).to.include('IP Address:10.5.0.3');
      expect(second.serialNumber).not.to.equal(first.serialNumber);

      // The stream opened before the swap still delivers.
      await putResource(
        state,
        { namespace: NETWORK_NAMESPACE, type: NodeAddressType.type, id: 'current' },
        {
          addresses: ['10.5.0.3/24'],
        },
      );
      const [after] = await take(s, 1);
      expect(after?.event[0]?.eventType).to.equal('CREATED');
      expect(after?.event[0]?.resource?.metadata?.id).to.equal('current');
      s.cancel();
    } finally {
      closeAll(c);
    }
    expect(lines.join('\n')).not.to.include('PRIVATE KEY');
  });
});
