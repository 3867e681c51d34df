// CSRs: ours pass openssl's `req -verify`; openssl's CSRs are read and signed as server-only certificates that openssl
// verifies; CSRs asking for roles, a CA or client auth are refused, and broken ones are called invalid.
import { expect } from 'chai';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { signCsr } from './csr-sign.js';
import { createCsr, isCsrError, parseCsr } from './csr.js';
import { inspect, openssl, opensslCa, pemDir } from './testing.js';
import type { IssuingCa } from './x509.js';

const DAY = 86_400_000;
const validity = () => ({ notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 30 * DAY) });

/** A CSR made by `openssl req` for `subj` with the `-addext` values given. */
async function opensslCsr(
  subj: string,
  addext: readonly string[],
  newkey = ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
) {
  const d = await pemDir();
  try {
    const out = await d.write('req.csr', '');
    const key = await d.write('req.key', '');
    const ext = addext.flatMap((e) => ['-addext', e]);
    await openssl(['req', '-new', '-newkey', ...newkey, '-nodes', '-keyout', key, '-out', out, '-subj', subj, ...ext]);
    return await readFile(out, 'utf8');
  } finally {
    await d.done();
  }
}

/** The CsrError code `fn` throws. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isCsrError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'signed';
}

describe('secrets csr', function () {
  this.timeout(30_000);
  let ca: IssuingCa;
  before(async () => {
    ca = await opensslCa('rsa', 'os-ca');
  });

  it('builds a CSR that openssl verifies, with its subject and SANs, and signs it server-only', async () => {
    const { csr, key } = createCsr({
      commonName: 'worker-1',
      dnsNames: ['worker-1', 'localhost'],
      ips: ['10.5.0.3', 'fd00::3'],
    });
    const d = await pemDir();
    try {
      const text = await openssl(['req', '-in', await d.write('w.csr', csr), '-noout', '-verify', '-text']);
      expect(text).to.include('Subject: CN = worker-1');
      expect(text).to.include('DNS:worker-1, DNS:localhost, IP Address:10.5.0.3, IP Address:FD00:0:0:0:0:0:0:3');
    } finally {
      await d.done();
    }
    const parsed = parseCsr(csr);
    expect(parsed.ips).to.deep.equal(['10.5.0.3', 'fd00::3']);
    const { crt } = signCsr(ca, csr, validity());
    const { verify, text } = await inspect(ca.crt, crt);
    expect(verify).to.match(/: OK$/);
    expect(text).to.include('Subject: CN = worker-1');
    expect(text).to.match(/X509v3 Extended Key Usage:\s*\n\s+TLS Web Server Authentication\n/);
    expect(text).to.match(/Basic Constraints: critical\s+CA:FALSE/);
    expect(new X509Certificate(crt).checkPrivateKey(createPrivateKey(key))).to.equal(true);
  });

  it("signs openssl's CSRs (RSA and ECDSA keys), taking CN and SANs from them", async () => {
    for (const newkey of [['rsa:2048'], ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']]) {
      const csr = await opensslCsr('/CN=node-9', ['subjectAltName=DNS:node-9,IP:192.0.2.9'], newkey);
      const { crt, request } = signCsr(ca, csr, validity());
      expect(request.commonName).to.equal('node-9');
      const { verify, text } = await inspect(ca.crt, crt);
      expect(verify).to.match(/: OK$/);
      expect(text).to.include('DNS:node-9, IP Address:192.0.2.9');
    }
  });

  it('refuses roles, CAs, client auth and odd usages; calls broken CSRs invalid', async () => {
    const san = 'subjectAltName=DNS:x';
    const refused = async (subj: string, ext: string[]) => {
      const csr = await opensslCsr(subj, ext);
      return codeOf(() => signCsr(ca, csr, validity()));
    };
    expect(await refused('/O=os:admin/CN=x', [san])).to.match(/^CsrNotAllowed: .*organizations \(roles\) os:admin/);
    expect(await refused('/CN=x', [san, 'basicConstraints=critical,CA:TRUE'])).to.match(/^CsrNotAllowed: .*a CA/);
    expect(await refused('/CN=x', [san, 'extendedKeyUsage=clientAuth'])).to.match(
      /^CsrNotAllowed: .*extended key usages 1\.3\.6\.1\.5\.5\.7\.3\.2/,
    );
    expect(await refused('/CN=x', [san, 'keyUsage=critical,keyCertSign'])).to.match(/^CsrNotAllowed: .*keyCertSign/);
    expect(await refused('/CN=x', ['subjectAltName=email:a@b.c'])).to.match(/^CsrNotAllowed: .*other than DNS/);
    expect(await refused('/CN=x', [])).to.match(/^InvalidCsr: .*no DNS names/);
    expect(codeOf(() => signCsr(ca, 'garbage', validity()))).to.match(/^InvalidCsr: .*not a PEM/);
    const { csr } = createCsr({ commonName: 'w', dnsNames: ['w'], ips: [] });
    const der = Buffer.from(csr.split('\n').slice(1, -2).join(''), 'base64');
    der[40] = (der[40] ?? 0) ^ 0xff; // inside the signed part
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(codeOf(() => signCsr(ca, tampered, validity()))).to.match(/^InvalidCsr: /);
    const cut = `-----BEGIN CERTIFICATE REQUEST-----\n${der.subarray(0, 60).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(codeOf(() => signCsr(ca, cut, validity()))).to.match(/^InvalidCsr: .*not valid DER/);
  });
});
