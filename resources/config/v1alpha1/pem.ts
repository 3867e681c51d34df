// Certificates and keys as the config holds them (base64 of PEM text): decoding, parsing with node:crypto, matching.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

/** A parse result: the value, or a message saying what is wrong and how to fix it (never echoing key material). */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fail<T>(message: string): Parsed<T> {
  return { ok: false, message };
}

/** Decodes base64 text (whitespace ignored, padding required) to bytes; undefined when it is not base64. */
export function decodeBase64(value: string): Buffer | undefined {
  // Talos writes some secrets (cluster.id) in the URL-safe alphabet: accept both.
  const compact = value.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (compact === '' || compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

function preview(value: string): string {
  const s = value.length > 24 ? `${value.slice(0, 24)}...` : value;
  return JSON.stringify(s);
}

/** Decodes base64 PEM and checks that it holds a block whose label matches `label`. */
function decodePem(value: string, what: string, label: RegExp, secret: boolean): Parsed<string> {
  const shown = secret ? 'the value' : preview(value);
  const hint = `base64-encode the whole PEM file, e.g. \`base64 -w0 ${secret ? 'ca.key' : 'ca.crt'}\``;
  if (value.trim() === '') return fail(`is empty; expected ${what} as base64-encoded PEM (${hint})`);
  if (value.trimStart().startsWith('-----BEGIN')) {
    return fail(`${shown} is raw PEM; the config holds PEM base64-encoded: ${hint}`);
  }
  const bytes = decodeBase64(value);
  if (bytes === undefined) {
    return fail(
      `${shown} is not base64 (expected ${what} as base64-encoded PEM, which starts "LS0tLS1CRUdJTi"; ${hint})`,
    );
  }
  const text = bytes.toString('utf8');
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
  if (begin === null) return fail(`${shown} decodes to something that is not PEM (expected a "-----BEGIN ..." block)`);
  const found = begin[1] ?? '';
  if (!label.test(found)) return fail(`${shown} holds a PEM "${found}" block; expected ${what}`);
  return { ok: true, value: text };
}

/**
 * A pure parse remembered for the last few values: every validation of a config parses the same CA certificates and
 * keys, and parsing an RSA key costs milliseconds (tens of them per apply, before the cache).
 */
function remembered<T>(parse: (value: string) => Parsed<T>): (value: string) => Parsed<T> {
  const cache = new Map<string, Parsed<T>>();
  return (value) => {
    const hit = cache.get(value);
    if (hit !== undefined) return hit;
    const r = parse(value);
    if (cache.size >= 32) cache.delete(cache.keys().next().value ?? '');
    cache.set(value, r);
    return r;
  };
}

/** Parses a base64-encoded PEM certificate. */
export const parseCertificate = remembered(parseCertificateOnce);

function parseCertificateOnce(value: string): Parsed<X509Certificate> {
  const pem = decodePem(value, 'a certificate', /^CERTIFICATE$/, false);
  if (!pem.ok) return pem;
  try {
    return { ok: true, value: new X509Certificate(pem.value) };
  } catch {
    return fail(`${preview(value)} decodes to a CERTIFICATE block that is not a valid X.509 certificate`);
  }
}

/** Parses a base64-encoded PEM private key (PKCS#8, PKCS#1 RSA, SEC1 EC, or Talos's "ED25519 PRIVATE KEY"). */
export const parsePrivateKey = remembered(parsePrivateKeyOnce);

function parsePrivateKeyOnce(value: string): Parsed<KeyObject> {
  const pem = decodePem(value, 'a private key', /^((RSA|EC|ED25519|ENCRYPTED) )?PRIVATE KEY$/, true);
  if (!pem.ok) return pem;
  if (pem.value.includes('ENCRYPTED PRIVATE KEY') || pem.value.includes('Proc-Type: 4,ENCRYPTED')) {
    return fail('the key is encrypted; the node needs it unencrypted (e.g. `openssl pkey -in key.pem` then base64)');
  }
  // Talos labels PKCS#8 Ed25519 keys "ED25519 PRIVATE KEY"; the bytes are plain PKCS#8.
  const text = pem.value.replace(/(-----(BEGIN|END) )ED25519 (PRIVATE KEY-----)/g, '$1$3');
  try {
    return { ok: true, value: createPrivateKey(text) };
  } catch {
    return fail(
      'the value decodes to a PRIVATE KEY block that node:crypto cannot read (expected PKCS#8, PKCS#1 or SEC1)',
    );
  }
}

/** True when `key` is the private half of `cert`'s public key. */
export function keyMatches(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.checkPrivateKey(key);
  } catch {
    return false; // different key types (an EC key for an RSA certificate) throw rather than return false
  }
}

/** The certificate's subject on one line, for messages. */
export function subjectOf(cert: X509Certificate): string {
  return cert.subject.split('\n').join(', ');
}
