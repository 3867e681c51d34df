// X.509 for config generation: keys from node:crypto, certificates built with node-forge, signed with node:crypto.
import { createPrivateKey, generateKeyPair, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPairAsync = promisify(generateKeyPair);

/** An RSA key pair as PEM text: PKCS#1 private key (`RSA PRIVATE KEY`), SPKI public key. */
export interface RsaKeyPem {
  readonly privateKey: string;
  readonly publicKey: string;
}

/** A certificate and its private key as PEM text (not yet base64-wrapped for a config). */
export interface CertAndKeyPem {
  readonly crt: string;
  readonly key: string;
}

/** The subject of a certificate: Organization values (Talos puts roles there) and an optional Common Name. */
export interface Subject {
  readonly organization?: readonly string[];
  readonly commonName?: string;
}

/** Key size of every RSA key we generate: node-forge builds RSA certificates only. */
export const RSA_BITS = 2048;

/** CAs are valid for 10 years, like Talos's. */
export const CA_VALIDITY_DAYS = 3650;

/** Client certificates (talosconfig) are valid for 1 year, like Talos's admin certificate. */
export const CLIENT_VALIDITY_DAYS = 365;

const DAY_MS = 86_400_000;

/** Generates an RSA key pair in the libuv thread pool; call several at once to use every core. */
export async function generateRsaKey(signal?: AbortSignal): Promise<RsaKeyPem> {
  signal?.throwIfAborted();
  const pair = await generateKeyPairAsync('rsa', {
    modulusLength: RSA_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  signal?.throwIfAborted();
  return pair;
}

/** Generates an ECDSA P-256 private key (`EC PRIVATE KEY`): the service-account signing key, like Talos's. */
export async function generateEcPrivateKey(signal?: AbortSignal): Promise<string> {
  signal?.throwIfAborted();
  const pair = await generateKeyPairAsync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
  });
  return pair.privateKey;
}

/** A self-signed CA certificate (CA:TRUE, keyCertSign) for `key`, valid from `now` for CA_VALIDITY_DAYS. */
export function selfSignedCa(key: RsaKeyPem, subject: Subject, now: Date): CertAndKeyPem {
  const cert = newCertificate(key.publicKey, subject, now, CA_VALIDITY_DAYS);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  return { crt: signCertificate(cert, key.privateKey), key: key.privateKey };
}

/** A TLS client certificate (clientAuth) for `key`, issued by `ca`, valid from `now` for CLIENT_VALIDITY_DAYS. */
export function issueClientCertificate(ca: CertAndKeyPem, key: RsaKeyPem, subject: Subject, now: Date): CertAndKeyPem {
  const caCert = forge.pki.certificateFromPem(ca.crt);
  const cert = newCertificate(key.publicKey, subject, now, CLIENT_VALIDITY_DAYS);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  return { crt: signCertificate(cert, ca.key), key: key.privateKey };
}

/** Generates an RSA key pair synchronously (tens to hundreds of ms): for certificates issued on a request path. */
export function generateRsaKeySync(): RsaKeyPem {
  return generateKeyPairSync('rsa', {
    modulusLength: RSA_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
}

/** What a leaf certificate is for, its validity and its subject alternative names. */
export interface LeafOptions {
  readonly subject: Subject;
  readonly usage: 'client' | 'server';
  readonly notBefore: Date;
  readonly ttlMs: number;
  /** DNS names and IP addresses (told apart by their form); server certificates only. */
  readonly sans?: readonly string[];
}

/** A TLS leaf certificate for `key`, issued by `ca` (RSA, checked), or self-signed when `ca` is undefined. */
export function issueLeafCertificate(ca: CertAndKeyPem | undefined, key: RsaKeyPem, o: LeafOptions): CertAndKeyPem {
  const signer = ca?.key ?? key.privateKey;
  const type = createPrivateKey(signer).asymmetricKeyType;
  if (type !== 'rsa')
    throw new Error(`the CA key is an ${type ?? 'unknown'} key; certificates are signed with RSA CA keys only`);
  const cert = newCertificate(key.publicKey, o.subject, o.notBefore, o.ttlMs / DAY_MS);
  const caCert = ca === undefined ? cert : forge.pki.certificateFromPem(ca.crt);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = (o.sans ?? []).map((s) => (isIP(s) === 0 ? { type: 2, value: s } : { type: 7, ip: s }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: o.usage === 'client', serverAuth: o.usage === 'server' },
    ...(altNames.length === 0 ? [] : [{ name: 'subjectAltName', altNames }]),
    { name: 'subjectKeyIdentifier' },
    ...(ca === undefined
      ? []
      : [{ name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() }]),
  ]);
  return { crt: signCertificate(cert, signer), key: key.privateKey };
}

function newCertificate(publicKeyPem: string, subject: Subject, now: Date, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = now;
  cert.validity.notAfter = new Date(now.getTime() + Math.round(days * DAY_MS));
  const attrs: forge.pki.CertificateField[] = [];
  for (const o of subject.organization ?? []) attrs.push({ name: 'organizationName', value: o });
  if (subject.commonName !== undefined) attrs.push({ name: 'commonName', value: subject.commonName });
  cert.setSubject(attrs);
  return cert;
}

/** 16 random bytes as a positive DER INTEGER without a leading zero byte (RFC 5280 allows up to 20). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/** getTBSCertificate exists in node-forge but is missing from its type definitions. */
const forgePki = forge.pki as typeof forge.pki & {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
};

/**
 * Signs `cert` with sha256WithRSAEncryption. node-forge lays out the certificate; the RSA signature itself is made
 * by node:crypto, because forge's pure-JS RSA takes ~50 ms per signature and gen config signs five certificates.
 */
function signCertificate(cert: forge.pki.Certificate, signerKeyPem: string): string {
  const oid = forge.pki.oids['sha256WithRSAEncryption'];
  if (oid === undefined) throw new Error('node-forge lacks the sha256WithRSAEncryption OID');
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  cert.tbsCertificate = forgePki.getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign('sha256', tbs, signerKeyPem).toString('binary');
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'); // forge writes CRLF; PEM files use LF
}

/** PEM text as a config stores it: base64 of the whole PEM, Talos style. */
export function toBase64Pem(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

/** The PEM text inside a Talos-style base64 value; undefined when it is not base64 of a PEM block. */
export function fromBase64Pem(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) return undefined;
  const text = Buffer.from(compact, 'base64').toString('utf8');
  return /^-----BEGIN [A-Z0-9 ]+-----\r?\n/.test(text) ? text : undefined;
}
