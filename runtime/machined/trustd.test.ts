// A control plane's trustd and a worker in one process, over real TLS on loopback: the worker's controllers send their
// CSR with the join token, its API serves in secure mode with the certificate trustd signed (an os:reader client gets
// its version); with a wrong token the worker's API stays off, its ApiStatus saying why, and trustd logs the refusal.
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { call, clientCredentials, clients, closeAll, fakeOps, testState } from '../../api/server/testing.js';
import { ApiCertificatesSpecController } from '../../controllers/secrets/api-certificates-spec.js';
import { KubernetesRootConfigController } from '../../controllers/secrets/kubernetes-root-config.js';
import { OSRootConfigController } from '../../controllers/secrets/os-root-config.js';
import { putConfig, putNames } from '../../controllers/secrets/testing.js';
import { testPki } from '../../resources/config/v1alpha1/fixture.js';
import {
  API_CERTIFICATES_ID,
  API_STATUS_ID,
  ApiCertificatesType,
  ApiStatusType,
  RUNTIME_NAMESPACE,
  SECRETS_NAMESPACE,
  waitFor,
  type ApiCertificatesSpec,
  type ApiStatusSpec,
  type InMemoryState,
} from '../../resources/index.js';
import { ControllerRuntime, type Controller } from '../controller/index.js';
import { memoryLogger } from '../controller/testing.js';
import { NodeApi } from './api.js';
import { TrustdClient } from './trustd-client.js';
import { NodeTrustd } from './trustd.js';

const pem = (b64: string) => Buffer.from(b64, 'base64').toString();
const machineCa = () => ({ crt: pem(testPki().machineCa.crt), key: pem(testPki().machineCa.key) });
const statusPtr = { namespace: RUNTIME_NAMESPACE, type: ApiStatusType.type, id: API_STATUS_ID };
const certsPtr = { namespace: SECRETS_NAMESPACE, type: ApiCertificatesType.type, id: API_CERTIFICATES_ID };
const apiStatus = (r: { spec: unknown } | undefined) => r?.spec as ApiStatusSpec | undefined;

/** One in-process node: a store and a runtime running `controllers`; `stop` ends it. */
async function node(controllers: Controller[]): Promise<{ state: InMemoryState; stop: () => Promise<void> }> {
  const state = await testState();
  const runtime = new ControllerRuntime(state);
  for (const c of controllers) runtime.register(c);
  const ac = new AbortController();
  const running = runtime.run(ac.signal);
  return {
    state,
    stop: async () => {
      ac.abort();
      await running;
    },
  };
}

describe('machined: trustd on a control plane, a worker asking it', function () {
  this.timeout(30_000);
  const cpLines: string[] = [];
  const workerLines: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  let trustd: NodeTrustd;

  beforeEach(async () => {
    cpLines.length = 0;
    workerLines.length = 0;
    const cp = await node([new OSRootConfigController(), new ApiCertificatesSpecController()]);
    stops.push(cp.stop);
    await putConfig(cp.state);
    trustd = NodeTrustd.start({ state: cp.state, host: '127.0.0.1', port: 0, logger: memoryLogger(cpLines) });
    stops.push(() => trustd.close());
    await waitFor(cp.state, certsPtr, (r) => r !== undefined);
    const end = Date.now() + 5000;
    while (trustd.listenPort === undefined && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect(trustd.listenPort, cpLines.join('\n')).to.be.a('number');
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  /** A worker whose config has `token` and points at trustd on loopback; its API with the trustd client's status. */
  async function worker(token: string): Promise<{ state: InMemoryState; api: NodeApi }> {
    const client = new TrustdClient({ port: trustd.listenPort ?? 0, timeoutMs: 3000 });
    const w = await node([
      new OSRootConfigController(),
      new KubernetesRootConfigController(),
      new ApiCertificatesSpecController({ remote: client }),
    ]);
    stops.push(w.stop);
    await putNames(w.state, 'worker-1', ['10.5.0.3/24']);
    await putConfig(w.state, 'worker', (doc) => {
      (doc as { machine: { token: string } }).machine.token = token;
      (doc as { cluster: { controlPlane: { endpoint: string } } }).cluster.controlPlane.endpoint =
        'https://127.0.0.1:6443';
    });
    const api = await NodeApi.start({
      state: w.state,
      host: '127.0.0.1',
      port: 0,
      logger: memoryLogger(workerLines),
      ops: () => fakeOps(),
      trustdWaiting: client.waiting,
    });
    stops.push(() => api.close());
    return { state: w.state, api };
  }

  it('signs the worker a certificate; the worker API serves it in secure mode', async () => {
    const w = await worker('abcdef.0123456789abcdef');
    await waitFor(w.state, statusPtr, (r) => apiStatus(r)?.mode === 'secure');
    const certs = (await w.state.get(certsPtr)).spec as ApiCertificatesSpec;
    const cert = new X509Certificate(certs.crt);
    expect(cert.verify(new X509Certificate(machineCa().crt).publicKey)).to.equal(true);
    expect(cert.subjectAltName).to.include('IP Address:10.5.0.3');
    expect(cpLines.join('\n')).to.match(/info trustd signed an API server certificate for worker-1, .*10\.5\.0\.3/);
    const c = clients(w.api.listenPort, clientCredentials(machineCa(), ['os:reader']));
    try {
      const v = await call<{ messages: { version: { tag: string } }[] }>(c.machine, 'Version', {});
      expect(v.messages[0]?.version.tag).to.equal('v0.1.0');
    } finally {
      closeAll(c);
    }
  });

  it('with a wrong token the worker API stays off, saying why; trustd logs the refusal', async () => {
    const w = await worker('wrong0.0000000000000000');
    const off = await waitFor(w.state, statusPtr, (r) => /join token/.test(apiStatus(r)?.reason ?? ''));
    expect(apiStatus(off)?.mode).to.equal('off');
    expect(apiStatus(off)?.reason).to.match(
      /^waiting for trustd at 127\.0\.0\.1:\d+: the join token was refused \(invalid token\): machine\.token must be the control plane's$/,
    );
    expect(workerLines.join('\n')).to.match(/warn apid the node API is not served yet: waiting for trustd at/);
    expect(cpLines.join('\n')).to.match(/warn trustd refused a certificate request from .*: invalid token/);
    expect(await w.state.find(certsPtr)).to.equal(undefined);
  });
});
