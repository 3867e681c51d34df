// What trustd signs: a worker's CSR becomes a server certificate from the OS CA (server auth only) for the CSR's key,
// CN and SANs; a CSR asking for roles, a CA, client auth or other usages is refused.
import type { KeyObject } from 'node:crypto';
import { CsrError, parseCsr, type ParsedCsr } from './csr.js';
import { signLeaf, type IssuingCa } from './x509.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/** The public keys trustd signs for: ECDSA P-256/P-384, RSA of 2048 bits or more, Ed25519. */
function checkKey(key: KeyObject): void {
  const t = key.asymmetricKeyType;
  const d = key.asymmetricKeyDetails;
  const ok =
    (t === 'ec' && ['prime256v1', 'secp384r1'].includes(d?.namedCurve ?? '')) ||
    (t === 'rsa' && (d?.modulusLength ?? 0) >= 2048) ||
    t === 'ed25519';
  if (!ok)
    throw new CsrError(
      'CsrNotAllowed',
      `the CSR's ${t ?? 'unknown'} key is not ECDSA P-256/P-384, RSA >= 2048 or Ed25519`,
    );
}

/** Refuses what a worker's API server certificate never needs: roles, a CA, client or other usages, odd names. */
function checkAsks(r: ParsedCsr): void {
  const refuse = (why: string): never => {
    throw new CsrError('CsrNotAllowed', `${why}: trustd signs server certificates only`);
  };
  if (r.organization.length > 0) refuse(`the CSR names organizations (roles) ${r.organization.join(', ')}`);
  if (r.ca) refuse('the CSR asks for a CA certificate');
  const keyUsages = r.keyUsages.filter((u) => !['digitalSignature', 'keyEncipherment', 'keyAgreement'].includes(u));
  if (keyUsages.length > 0) refuse(`the CSR asks for key usages ${keyUsages.join(', ')}`);
  const extKeyUsages = r.extKeyUsages.filter((u) => u !== SERVER_AUTH);
  if (extKeyUsages.length > 0) refuse(`the CSR asks for extended key usages ${extKeyUsages.join(', ')}`);
  if (r.otherNames.length > 0) refuse('the CSR asks for names other than DNS names and IP addresses');
  if (r.unknownCritical.length > 0)
    refuse(`the CSR marks unknown extensions critical (${r.unknownCritical.join(', ')})`);
  if (r.dnsNames.length + r.ips.length === 0) {
    throw new CsrError('InvalidCsr', 'the CSR names no DNS names or IP addresses for the server certificate');
  }
}

/**
 * Checks `csrPem` and signs a server certificate (server auth only) for its key, CN and SANs with `ca`, valid from
 * `notBefore` to `notAfter` (cut to the CA's end). Throws {@link CsrError} for a CSR it will not sign.
 */
export function signCsr(
  ca: IssuingCa,
  csrPem: string,
  validity: { notBefore: Date; notAfter: Date },
): { crt: string; request: ParsedCsr } {
  const request = parseCsr(csrPem);
  checkKey(request.publicKey);
  checkAsks(request);
  const crt = signLeaf(
    ca,
    {
      commonName: request.commonName ?? request.dnsNames[0] ?? request.ips[0] ?? 'apid',
      usage: 'server',
      dnsNames: request.dnsNames,
      ips: request.ips,
      ...validity,
    },
    request.publicKey,
  );
  return { crt, request };
}
