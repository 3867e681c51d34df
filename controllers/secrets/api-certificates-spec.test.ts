// ApiCertificatesSpecController over the real runtime: the API certificate from machine.ca for the node's live names,
// checked by openssl; re-issued on an address change and at 2/3 of its lifetime (injected clock); none on a worker.
import { expect } from 'chai';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import {
  ACTIVE_CONFIG_ID,
  API_CERTIFICATES_ID,
  ApiCertificatesType,
  CONFIG_NAMESPACE,
  HostnameStatusType,
  KubernetesRootSecretType,
  MachineConfigType,
  NodeAddressType,
  OS_ROOT_ID,
  OSRootSecretType,
  SECRETS_NAMESPACE,
  type ApiCertificatesSpec,
  type OSRootSecretSpec,
  type Resource,
} from '../../resources/index.js';
import { testPki } from '../../resources/config/v1alpha1/fixture.js';
import { memoryLogger, useHarness } from '../../runtime/controller/testing.js';
import { ApiCertificatesSpecController } from './api-certificates-spec.js';
import { OSRootConfigController } from './os-root-config.js';
import { ManualClock, inspect, putConfig, putNames } from './testing.js';

const DAY = 86_400_000;
const certsPtr = { namespace: SECRETS_NAMESPACE, type: ApiCertificatesType.type, id: API_CERTIFICATES_ID };
const rootPtr = { namespace: SECRETS_NAMESPACE, type: OSRootSecretType.type, id: OS_ROOT_ID };
const spec = (r: Resource | undefined) => r?.spec as ApiCertificatesSpec | undefined;
const machineCa = () => Buffer.from(testPki().machineCa.crt, 'base64').toString();

describe('secrets.ApiCertificatesSpecController', function () {
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
  const start = (o: ConstructorParameters<typeof ApiCertificatesSpecController>[0] = {}) => {
    h().runtime.register(new OSRootConfigController());
    h().runtime.register(new ApiCertificatesSpecController(o));
    h().start();
  };

  it('issues a server certificate from machine.ca for the hostname, certSANs and node addresses', async () => {
    await putNames(h().state, 'controlplane-1', ['10.5.0.2/24', 'fd00::2/64']);
    await putConfig(h().state);
    start();
    const r = spec(await h().waitFor(certsPtr, (x) => spec(x)?.ips.includes('10.5.0.2') === true))!;
    expect(r.ca).to.equal(machineCa());
    expect(r.dnsNames).to.deep.equal(['controlplane-1', 'node1.example.com', '*.nodes.example.com', 'localhost']);
    expect(r.ips).to.deep.equal(['10.5.0.2', 'fd00::2', '127.0.0.1', '::1']);
    const { verify, text } = await inspect(r.ca, r.crt);
    expect(verify).to.match(/: OK$/);
    expect(text).to.include(
      'DNS:controlplane-1, DNS:node1.example.com, DNS:*.nodes.example.com, DNS:localhost, IP Address:10.5.0.2, IP Address:FD00:0:0:0:0:0:0:2, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(text).to.match(/Extended Key Usage:\s*\n\s+TLS Web Server Authentication\n/);
    expect(text).to.match(/Key Usage: critical\s*\n\s+Digital Signature, Key Encipherment/);
    const cert = new X509Certificate(r.crt);
    const lifetime = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
    // A year from now (backdated 5 minutes), unless the CA ends sooner: a leaf never outlives its CA.
    const caEnd = Date.parse(new X509Certificate(r.ca).validTo);
    const want = Math.min(365 * DAY + 5 * 60_000, caEnd - Date.parse(cert.validFrom));
    expect(lifetime).to.be.closeTo(want, 2000);
    expect(Date.parse(r.renewAt) - Date.parse(cert.validFrom)).to.be.closeTo((lifetime * 2) / 3, 1000);
    expect(cert.checkPrivateKey(createPrivateKey(r.key))).to.equal(true);
  });

  it('re-issues with the new SAN when the node gains an address, from the same CA', async () => {
    await putNames(h().state, 'controlplane-1', ['10.5.0.2/24']);
    await putConfig(h().state);
    start();
    const first = spec(await h().waitFor(certsPtr, (x) => x !== undefined))!;
    await putNames(h().state, 'controlplane-1', ['10.5.0.2/24', '10.5.0.3/24']);
    const second = spec(await h().waitFor(certsPtr, (x) => spec(x)?.ips.includes('10.5.0.3') === true))!;
    expect(new X509Certificate(second.crt).serialNumber).not.to.equal(new X509Certificate(first.crt).serialNumber);
    expect(second.key).not.to.equal(first.key);
    const { verify, text } = await inspect(machineCa(), second.crt);
    expect(verify).to.match(/: OK$/);
    expect(text).to.include('IP Address:10.5.0.2, IP Address:10.5.0.3');
  });

  it('re-issues at 2/3 of the lifetime on the injected clock, not before', async () => {
    const clock = new ManualClock();
    await putNames(h().state, 'controlplane-1', ['10.5.0.2/24']);
    await putConfig(h().state);
    start({ clock, ttlMs: 3 * DAY });
    const first = spec(await h().waitFor(certsPtr, (x) => x !== undefined))!;
    const due = Date.parse(first.renewAt);
    expect(due - clock.now()).to.be.closeTo(2 * DAY - (5 * 60_000) / 3, 2000);
    await h().until(() => clock.pending === 1, 'the renewal timer');
    clock.advance(due - clock.now() - 1000);
    await h().until(() => clock.pending === 1, 'the timer to wait out the last second');
    expect(spec(await h().state.get(certsPtr))?.crt).to.equal(first.crt);
    clock.advance(1000);
    const second = spec(await h().waitFor(certsPtr, (x) => spec(x)?.crt !== first.crt))!;
    const cert = new X509Certificate(second.crt);
    expect(Date.parse(cert.validFrom)).to.be.closeTo(clock.now() - 5 * 60_000, 1000);
    expect(Date.parse(second.renewAt)).to.be.above(due);
    expect((await inspect(machineCa(), second.crt, clock.now())).verify).to.match(/: OK$/);
    await h().until(() => clock.pending === 1, 'the next renewal timer');
  });

  it('issues nothing on a worker and says so once; removes the certificate with the config; logs no key', async () => {
    const lines: string[] = [];
    await putNames(h().state, 'worker-1', ['10.5.0.4/24']);
    await putConfig(h().state, 'worker');
    start({ logger: memoryLogger(lines) });
    const root = await h().waitFor(rootPtr, (x) => x !== undefined);
    expect((root?.spec as OSRootSecretSpec).signs).to.equal(false);
    await h().until(() => lines.length === 1, 'the worker note');
    expect(lines[0]).to.match(/^info secrets\.ApiCertificatesSpecController machine\.ca holds no key \(a worker\)/);
    expect(await h().state.find(certsPtr)).to.equal(undefined);

    await putConfig(h().state);
    const issued = spec(await h().waitFor(certsPtr, (x) => x !== undefined))!;
    await h().until(() => lines.length === 2, 'the issue note');
    expect(lines[1]).to.match(/issued the API certificate \(first issue\) for worker-1, .*10\.5\.0\.4.*; renewal at /);
    const cfg = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
    await h().state.destroy(cfg);
    await h().waitFor(certsPtr, (x) => x === undefined);
    await h().waitFor(rootPtr, (x) => x === undefined);
    const keys = [issued.key, Buffer.from(testPki().machineCa.key, 'base64').toString()];
    const bodies = keys.map((k) => k.split('\n')[1] ?? '');
    for (const l of lines) {
      expect(l).not.to.include('PRIVATE KEY');
      for (const b of bodies) expect(l).not.to.include(b.slice(0, 24));
    }
  });
});
