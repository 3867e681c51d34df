// ApiCertificatesSpecController on a worker, with a scripted RemoteSigner standing in for trustd: the CSR carries the
// node's names and goes with the join token to the endpoint; the answer becomes ApiCertificates (checked by openssl);
// a failed request is retried with backoff and keeps the certificate held; names and 2/3 of the lifetime re-request;
// an answer from another CA is refused.
import { expect } from 'chai';
import {
  API_CERTIFICATES_ID,
  ApiCertificatesType,
  HostnameStatusType,
  KubernetesRootSecretType,
  MachineConfigType,
  NodeAddressType,
  OSRootSecretType,
  SECRETS_NAMESPACE,
  type ApiCertificatesSpec,
  type Resource,
} from '../../resources/index.js';
import { testPki } from '../../resources/config/v1alpha1/fixture.js';
import { memoryLogger, useHarness } from '../../runtime/controller/testing.js';
import type { RemoteSignRequest, RemoteSigner } from './api-certificates-remote.js';
import { ApiCertificatesSpecController } from './api-certificates-spec.js';
import { signCsr } from './csr-sign.js';
import { parseCsr } from './csr.js';
import { KubernetesRootConfigController } from './kubernetes-root-config.js';
import { OSRootConfigController } from './os-root-config.js';
import { ManualClock, inspect, opensslCa, putConfig, putNames } from './testing.js';
import type { IssuingCa } from './x509.js';

const DAY = 86_400_000;
const certsPtr = { namespace: SECRETS_NAMESPACE, type: ApiCertificatesType.type, id: API_CERTIFICATES_ID };
const spec = (r: Resource | undefined) => r?.spec as ApiCertificatesSpec | undefined;
const pem = (b64: string) => Buffer.from(b64, 'base64').toString();
const machineCa = (): IssuingCa => ({ crt: pem(testPki().machineCa.crt), key: pem(testPki().machineCa.key) });

/** A trustd stand-in: records requests, fails while `failures` > 0, signs with `ca` for `ttlMs` from `clock`. */
class ScriptedSigner implements RemoteSigner {
  readonly requests: RemoteSignRequest[] = [];
  failures = 0;
  ca: IssuingCa = machineCa();

  constructor(
    private readonly clock: { now(): number },
    private readonly ttlMs = 300 * DAY,
  ) {}

  sign(req: RemoteSignRequest): Promise<{ ca: string; crt: string }> {
    this.requests.push(req);
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error('waiting for trustd at 10.5.0.2:50001: unreachable: connect ECONNREFUSED'));
    }
    const now = this.clock.now();
    const { crt } = signCsr(this.ca, req.csr, {
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + this.ttlMs),
    });
    return Promise.resolve({ ca: this.ca.crt, crt });
  }
}

describe('secrets.ApiCertificatesSpecController on a worker (trustd)', function () {
  this.timeout(30_000);
  const h = useHarness({
    types: [
      MachineConfigType,
      OSRootSecretType,
      KubernetesRootSecretType,
      ApiCertificatesType,
      NodeAddressType,
      HostnameStatusType,
    ],
  });
  const lines: string[] = [];
  const start = (signer: RemoteSigner, clock?: ManualClock) => {
    lines.length = 0;
    h().runtime.register(new OSRootConfigController());
    h().runtime.register(new KubernetesRootConfigController());
    const o = { remote: signer, logger: memoryLogger(lines), ...(clock === undefined ? {} : { clock }) };
    h().runtime.register(new ApiCertificatesSpecController(o));
    h().start();
  };

  it('sends a CSR for its names with the token to the endpoint, and serves what trustd signed', async () => {
    const signer = new ScriptedSigner(Date);
    await putNames(h().state, 'worker-1', ['10.5.0.3/24']);
    await putConfig(h().state, 'worker');
    start(signer);
    const got = spec(await h().waitFor(certsPtr, (x) => x !== undefined))!;
    const req = signer.requests[0]!;
    expect(req.endpoint).to.equal('https://10.5.0.2:6443');
    expect(req.token).to.equal('abcdef.0123456789abcdef');
    expect(req.caPem).to.equal(machineCa().crt);
    const asked = parseCsr(req.csr);
    expect(asked.commonName).to.equal('worker-1');
    expect(asked.ips).to.include.members(['10.5.0.3', '127.0.0.1', '::1']);
    expect(asked.dnsNames).to.include.members(['worker-1', 'node1.example.com', 'localhost']);
    expect(got.ca).to.equal(machineCa().crt);
    expect(got.ips).to.deep.equal(asked.ips);
    const { verify, text } = await inspect(got.ca, got.crt);
    expect(verify).to.match(/: OK$/);
    expect(text).to.include('DNS:worker-1');
    expect(lines.join('\n')).to.match(/issued the API certificate from trustd \(first issue\) for worker-1, /);
    expect(lines.join('\n')).not.to.include('PRIVATE KEY');
  });

  it('retries a failed request with backoff, keeping the certificate it holds; re-requests on new names', async () => {
    const signer = new ScriptedSigner(Date);
    signer.failures = 3;
    await putNames(h().state, 'worker-1', ['10.5.0.3/24']);
    await putConfig(h().state, 'worker');
    start(signer);
    const first = spec(await h().waitFor(certsPtr, (x) => x !== undefined))!;
    expect(signer.requests.length).to.equal(4);
    const stats = h().runtime.stats().get('secrets.ApiCertificatesSpecController');
    expect(stats?.crashes).to.equal(3);
    expect(stats?.lastError).to.include('waiting for trustd at 10.5.0.2:50001');
    signer.failures = 2;
    await putNames(h().state, 'worker-1', ['10.5.0.3/24', '10.5.0.9/24']);
    await h().until(() => signer.requests.length === 2 + 4, 'two failed re-requests');
    expect(spec(await h().state.get(certsPtr))?.crt).to.equal(first.crt);
    const second = spec(await h().waitFor(certsPtr, (x) => spec(x)?.ips.includes('10.5.0.9') === true))!;
    expect((await inspect(second.ca, second.crt)).text).to.include('IP Address:10.5.0.9');
  });

  it('re-requests at 2/3 of the lifetime trustd gave, on the injected clock', async () => {
    const clock = new ManualClock();
    const signer = new ScriptedSigner(clock, 3 * DAY);
    await putNames(h().state, 'worker-1', ['10.5.0.3/24']);
    await putConfig(h().state, 'worker');
    start(signer, clock);
    const first = spec(await h().waitFor(certsPtr, (x) => x !== undefined))!;
    await h().until(() => clock.pending === 1, 'the renewal timer');
    clock.advance(Date.parse(first.renewAt) - clock.now());
    await h().waitFor(certsPtr, (x) => spec(x)?.crt !== first.crt);
    expect(signer.requests.length).to.equal(2);
  });

  it('refuses an answer that does not chain to machine.ca', async () => {
    const signer = new ScriptedSigner(Date);
    signer.ca = await opensslCa('ec', 'impostor');
    await putNames(h().state, 'worker-1', ['10.5.0.3/24']);
    await putConfig(h().state, 'worker');
    start(signer);
    await h().until(() => signer.requests.length >= 2, 'a retry');
    const stats = h().runtime.stats().get('secrets.ApiCertificatesSpecController');
    expect(stats?.lastError).to.match(/not issued by machine\.ca \(issuer O=osnode tests\nCN=impostor\)/);
    expect(await h().state.find(certsPtr)).to.equal(undefined);
  });
});
