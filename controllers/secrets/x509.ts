// X.509 leaf certificates for the node's PKI: ECDSA P-256 keys from node:crypto, the certificate laid out with
// node-forge's ASN.1 and signed by node:crypto with the CA's key, whatever its type (RSA, ECDSA or Ed25519).
import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import {
  CTX_0,
  CTX_3,
  T,
  altNames,
  asn1,
  children,
  extensionsSequence,
  fromDer,
  name,
  node,
  oid,
  toDer,
} from './der.js';
import type { Asn1 } from './der.js';

/** A CA as plain PEM: its certificate and its private key. */
export interface IssuingCa {
  readonly crt: string;
  readonly key: string;
}

/** What a leaf certificate is for: `peer` is both server and client (etcd members, etcd's client port). */
export type Usage = 'server' | 'client' | 'peer';

/** One leaf certificate to issue. */
export interface LeafRequest {
  readonly commonName: string;
  readonly organization?: readonly string[];
  readonly usage: Usage;
  readonly dnsNames?: readonly string[];
  readonly ips?: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A certificate and its fresh private key (PKCS#8) as plain PEM. */
export interface IssuedPem {
  readonly crt: string;
  readonly key: string;
}

/** The signature algorithm for a CA key: its OID, the hash node:crypto signs with, and whether parameters are NULL. */
function signatureAlgorithm(key: KeyObject): { oid: string; hash: string | null; nullParams: boolean } {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return { oid: '1.2.840.113549.1.1.11', hash: 'sha256', nullParams: true };
  if (type === 'ed25519') return { oid: '1.3.101.112', hash: null, nullParams: false };
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return { oid: '1.2.840.10045.4.3.3', hash: 'sha384', nullParams: false };
    if (curve === 'secp521r1') return { oid: '1.2.840.10045.4.3.4', hash: 'sha512', nullParams: false };
    return { oid: '1.2.840.10045.4.3.2', hash: 'sha256', nullParams: false };
  }
  throw new Error(`the CA key is an ${type ?? 'unknown'} key; certificates are signed with RSA, ECDSA or Ed25519 keys`);
}

/** What a leaf takes from its CA certificate: the subject (verbatim, as the leaf's issuer), key id and expiry. */
function caParts(caCrt: string): { subject: Asn1; keyId: string | undefined; notAfter: number } {
  const x509 = new X509Certificate(caCrt);
  const tbs = children(fromDer(x509.raw))[0];
  const fields = children(tbs);
  const versioned = fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC;
  const subject = fields[versioned ? 5 : 4];
  if (subject === undefined) throw new Error('the CA certificate has no subject');
  const exts = fields.find((f) => f.tagClass === asn1.Class.CONTEXT_SPECIFIC && f.type === CTX_3);
  let keyId: string | undefined;
  for (const ext of children(children(exts)[0])) {
    const [id, ...rest] = children(ext);
    if (typeof id?.value !== 'string' || asn1.derToOid(id.value) !== '2.5.29.14') continue;
    const value = rest[rest.length - 1]?.value;
    if (typeof value === 'string') keyId = asn1.fromDer(value).value as string;
  }
  return { subject, keyId, notAfter: Date.parse(x509.validTo) };
}

/** RFC 5280 key identifier: SHA-1 of the subjectPublicKey bits of an SPKI. */
function keyIdentifier(spki: Asn1): string {
  const bits = children(spki)[1]?.value;
  if (typeof bits !== 'string') throw new Error('unexpected SubjectPublicKeyInfo layout');
  return createHash('sha1')
    .update(Buffer.from(bits.slice(1), 'binary'))
    .digest()
    .toString('binary');
}

function time(d: Date): Asn1 {
  const y = d.getUTCFullYear();
  return y >= 1950 && y < 2050
    ? node(T.UTCTIME, asn1.dateToUtcTime(d))
    : node(T.GENERALIZEDTIME, asn1.dateToGeneralizedTime(d));
}

/** 16 random bytes as a positive INTEGER without a leading zero byte. */
function serial(): Asn1 {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return node(T.INTEGER, bytes.toString('binary'));
}

function extensions(r: LeafRequest, ski: string, aki: string | undefined): Asn1 {
  const sans = altNames(
    r.dnsNames ?? [],
    (r.ips ?? []).filter((ip) => isIP(ip) !== 0),
  );
  const seq = extensionsSequence([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: r.usage !== 'client', clientAuth: r.usage !== 'server' },
    ...(sans.length === 0 ? [] : [{ name: 'subjectAltName', altNames: sans }]),
    { name: 'subjectKeyIdentifier', value: node(T.OCTETSTRING, ski) },
    ...(aki === undefined ? [] : [{ name: 'authorityKeyIdentifier', keyIdentifier: aki }]),
  ]);
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, CTX_3, true, [seq]);
}

/**
 * Issues a leaf certificate for a fresh ECDSA P-256 key, signed by `ca`; it never outlives the CA (notAfter is cut to
 * the CA's). Errors never quote key material.
 */
export function issueLeaf(ca: IssuingCa, r: LeafRequest): IssuedPem {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    crt: signLeaf(ca, r, pair.publicKey),
    key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * Signs a leaf certificate (PEM) for `publicKey` (a key someone else holds: a CSR's) with `ca`; it never outlives the
 * CA. Errors never quote key material.
 */
export function signLeaf(ca: IssuingCa, r: LeafRequest, publicKey: KeyObject): string {
  const caKey = createPrivateKey(ca.key);
  const alg = signatureAlgorithm(caKey);
  const { subject: issuer, keyId, notAfter: caNotAfter } = caParts(ca.crt);
  const notAfter = new Date(Math.min(r.notAfter.getTime(), caNotAfter));
  const spki = fromDer(publicKey.export({ type: 'spki', format: 'der' }));
  const algId = node(T.SEQUENCE, [oid(alg.oid), ...(alg.nullParams ? [node(T.NULL, '')] : [])]);
  const tbs = node(T.SEQUENCE, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, CTX_0, true, [node(T.INTEGER, asn1.integerToDer(2).getBytes())]),
    serial(),
    algId,
    issuer,
    node(T.SEQUENCE, [time(r.notBefore), time(notAfter)]),
    name(r.organization ?? [], r.commonName),
    spki,
    extensions(r, keyIdentifier(spki), keyId),
  ]);
  const signature = sign(alg.hash, toDer(tbs), caKey);
  const cert = node(T.SEQUENCE, [tbs, algId, node(T.BITSTRING, `\x00${signature.toString('binary')}`)]);
  return new X509Certificate(toDer(cert)).toString(); // PEM, and a parse check of what was built
}

/** True when `key` (PEM) is the private half of the certificate `crt` (PEM); false for anything unreadable. */
export function keyMatchesCertificate(crt: string, key: string): boolean {
  try {
    return new X509Certificate(crt).checkPrivateKey(createPrivateKey(key));
  } catch {
    return false;
  }
}
