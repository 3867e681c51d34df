// Leaf certificates from CAs that openssl made (RSA, ECDSA, Ed25519), checked by openssl: chain, SANs, key usages,
// validity; and errors that never quote a key.
import { expect } from 'chai';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { inspect, opensslCa } from './testing.js';
import { issueLeaf, keyMatchesCertificate, type IssuingCa } from './x509.js';

const DAY = 86_400_000;

describe('secrets x509', function () {
  this.timeout(30_000);
  const cas: Record<string, IssuingCa> = {};
  before(async () => {
    for (const kind of ['rsa', 'ec', 'ed25519'] as const) cas[kind] = await opensslCa(kind, `${kind}-ca`);
  });

  for (const kind of ['rsa', 'ec', 'ed25519'] as const) {
    it(`issues a server certificate from an ${kind} CA that openssl verifies, with its SANs and usages`, async () => {
      const ca = cas[kind]!;
      const now = Date.now();
      const leaf = issueLeaf(ca, {
        commonName: 'node-1',
        usage: 'server',
        dnsNames: ['node-1', 'localhost'],
        ips: ['10.5.0.2', 'fd00::2'],
        notBefore: new Date(now - 60_000),
        notAfter: new Date(now + 30 * DAY),
      });
      const { verify, text } = await inspect(ca.crt, leaf.crt);
      expect(verify).to.match(/: OK$/);
      expect(text).to.include('Subject: CN = node-1');
      expect(text).to.include('Issuer: O = osnode tests, CN = ' + `${kind}-ca`);
      expect(text).to.match(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
      expect(text).to.match(/X509v3 Extended Key Usage:\s*\n\s+TLS Web Server Authentication\n/);
      expect(text).to.include('DNS:node-1, DNS:localhost, IP Address:10.5.0.2, IP Address:FD00:0:0:0:0:0:0:2');
      expect(text).to.include('ASN1 OID: prime256v1');
      // openssl's CA carries a subject key identifier: the leaf's authority key identifier must name it.
      expect(text).to.include('X509v3 Authority Key Identifier');
      expect(keyMatchesCertificate(leaf.crt, leaf.key)).to.equal(true);
      expect(createPrivateKey(leaf.key).asymmetricKeyType).to.equal('ec');
    });
  }

  it('issues client and peer certificates, and openssl refuses one outside its validity', async () => {
    const ca = cas['rsa']!;
    const now = Date.now();
    const when = { notBefore: new Date(now - 60_000), notAfter: new Date(now + DAY) };
    const client = issueLeaf(ca, { commonName: 'admin', organization: ['system:masters'], usage: 'client', ...when });
    const peer = issueLeaf(ca, { commonName: 'etcd-1', usage: 'peer', ips: ['10.5.0.2'], ...when });
    const c = await inspect(ca.crt, client.crt);
    expect(c.text).to.include('Subject: O = system:masters, CN = admin');
    expect(c.text).to.match(/Extended Key Usage:\s*\n\s+TLS Web Client Authentication\n/);
    expect(c.text).not.to.include('Subject Alternative Name');
    const p = await inspect(ca.crt, peer.crt);
    expect(p.text).to.match(/Extended Key Usage:\s*\n\s+TLS Web Server Authentication, TLS Web Client Authentication/);
    const later = await inspect(ca.crt, client.crt, now + 2 * DAY).catch((e: unknown) => (e as Error).message);
    expect(later).to.match(/certificate has expired/);
    expect(Date.parse(new X509Certificate(client.crt).validTo)).to.equal(Math.floor((now + DAY) / 1000) * 1000);
  });

  it('never outlives its CA: notAfter is cut to the CA expiry', () => {
    const ca = cas['ec']!;
    const leaf = issueLeaf(ca, {
      commonName: 'long',
      usage: 'client',
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 365 * DAY),
    });
    expect(new X509Certificate(leaf.crt).validTo).to.equal(new X509Certificate(ca.crt).validTo);
  });

  it('writes dates past 2049 as GeneralizedTime, and refuses CA keys it cannot sign with without quoting them', async () => {
    const ca = await opensslCa('ec', 'long-lived-ca', 36_500);
    const leaf = issueLeaf(ca, {
      commonName: 'far',
      usage: 'client',
      notBefore: new Date('2049-12-31T00:00:00Z'),
      notAfter: new Date('2051-01-01T00:00:00Z'),
    });
    expect(Date.parse(new X509Certificate(leaf.crt).validTo)).to.equal(Date.parse('2051-01-01T00:00:00Z'));
    const { verify, text } = await inspect(ca.crt, leaf.crt, 'any');
    expect(verify).to.match(/: OK$/);
    expect(text).to.match(/Not After : Jan {2}1 00:00:00 2051 GMT/);

    const x448 = generateKeyPairSync('x448').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const when = { notBefore: new Date(), notAfter: new Date(Date.now() + DAY) };
    expect(() => issueLeaf({ crt: ca.crt, key: x448 }, { commonName: 'x', usage: 'client', ...when }))
      .to.throw(/the CA key is an x448 key; certificates are signed with RSA, ECDSA or Ed25519 keys/)
      .with.property('message')
      .that.does.not.include('PRIVATE KEY');
    expect(keyMatchesCertificate(ca.crt, cas['rsa']!.key)).to.equal(false);
  });
});
