// Address parsing and containment (IPv4, IPv6, embedded IPv4), and PEM key forms (Talos Ed25519 labels, encrypted keys).
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { b64, testPki } from './fixture.js';
import { contains, formatCidr, formatIp, hasHostBits, networkOf, parseCidr, parseIp } from './net.js';
import { keyMatches, parseCertificate, parsePrivateKey } from './pem.js';

const ip = (s: string) => parseIp(s)!;
const cidr = (s: string) => parseCidr(s, true)!;

describe('net', () => {
  it('parses IPv4 and IPv6, refusing zones, leading zeros and junk', () => {
    expect(Array.from(ip('10.5.0.2').bytes)).to.deep.equal([10, 5, 0, 2]);
    expect(formatIp(ip('::ffff:1.2.3.4'))).to.equal('::ffff:102:304');
    expect(formatIp(ip('2001:0db8:0:0:1:0:0:1'))).to.equal('2001:db8::1:0:0:1');
    expect(formatIp(ip('::'))).to.equal('::');
    expect(formatIp(ip('fe80::1'))).to.equal('fe80::1');
    for (const bad of ['010.0.0.1', '1.2.3', 'fe80::1%eth0', ' 1.2.3.4', '1.2.3.4/24', 'x']) {
      expect(parseIp(bad), bad).to.equal(undefined);
    }
  });

  it('parses prefixes within the family range; a bare address is a host address when allowed', () => {
    expect(parseCidr('10.0.0.0/8')?.prefix).to.equal(8);
    expect(parseCidr('10.0.0.0/33')).to.equal(undefined);
    expect(parseCidr('fd00::/129')).to.equal(undefined);
    expect(parseCidr('10.0.0.0/08')).to.equal(undefined);
    expect(parseCidr('10.0.0.1')).to.equal(undefined);
    expect(cidr('10.0.0.1')).to.deep.include({ prefix: 32, bare: true });
    expect(cidr('fd00::1')).to.deep.include({ prefix: 128, bare: true });
  });

  it('tells containment bit by bit, per family', () => {
    expect(contains(cidr('10.5.0.2/24'), ip('10.5.0.254'))).to.be.true;
    expect(contains(cidr('10.5.0.2/24'), ip('10.5.1.1'))).to.be.false;
    expect(contains(cidr('10.5.0.2/23'), ip('10.5.1.1'))).to.be.true;
    expect(contains(cidr('0.0.0.0/0'), ip('192.0.2.1'))).to.be.true;
    expect(contains(cidr('0.0.0.0/0'), ip('::1'))).to.be.false;
    expect(contains(cidr('fd00::2/64'), ip('fd00::ffff:1'))).to.be.true;
    expect(contains(cidr('fd00::2/64'), ip('fd00:0:0:1::1'))).to.be.false;
    expect(contains(cidr('203.0.113.10'), ip('203.0.113.10'))).to.be.true;
  });

  it('finds host bits and the network they belong to', () => {
    expect(hasHostBits(cidr('10.244.3.1/16'))).to.be.true;
    expect(formatCidr(networkOf(cidr('10.244.3.1/16')))).to.equal('10.244.0.0/16');
    expect(formatCidr(networkOf(cidr('fd00:10:244::1/56')))).to.equal('fd00:10:244::/56');
    expect(hasHostBits(cidr('10.0.0.0/8'))).to.be.false;
  });
});

describe('pem', () => {
  it('reads Talos-style "ED25519 PRIVATE KEY" PKCS#8 keys', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(parsePrivateKey(b64(pem.replace(/PRIVATE KEY/g, 'ED25519 PRIVATE KEY'))).ok).to.be.true;
  });

  it('refuses encrypted keys, saying why', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString();
    const r = parsePrivateKey(b64(pem));
    expect(r.ok).to.be.false;
    expect(r.ok ? '' : r.message).to.match(/^the key is encrypted/);
  });

  it('tells a key of another type from a match without throwing', () => {
    const cert = parseCertificate(testPki().clusterCa.crt);
    const ec = parsePrivateKey(testPki().serviceAccountKey);
    const own = parsePrivateKey(testPki().clusterCa.key);
    if (!cert.ok || !ec.ok || !own.ok) expect.fail('fixture PKI does not parse');
    expect(keyMatches(cert.value, ec.value)).to.be.false;
    expect(keyMatches(cert.value, own.value)).to.be.true;
  });
});
