// Certificate signing requests (PKCS#10) for the node API: a worker builds one for its server certificate; trustd on a
// control plane reads one (its signature checked) before csr-sign.ts decides what to sign.
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import {
  CTX_0,
  T,
  altNames,
  asn1,
  bytesOf,
  children,
  extensionsSequence,
  fromDer,
  fromPem,
  name,
  node,
  oid,
  rawElements,
  toDer,
  toPem,
  type Asn1,
} from './der.js';

/** Why a CSR was refused: `InvalidCsr` (unreadable, badly signed, unusable) or `CsrNotAllowed` (asks for too much). */
export type CsrErrorCode = 'InvalidCsr' | 'CsrNotAllowed';

/** A refused CSR. Messages name what was wrong, never key material. */
export class CsrError extends Error {
  override readonly name = 'CsrError';
  constructor(
    readonly code: CsrErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** True when `e` is a {@link CsrError}. */
export function isCsrError(e: unknown): e is CsrError {
  return e instanceof CsrError;
}

/** What a CSR asks for, as parsed (and its signature checked). */
export interface ParsedCsr {
  readonly publicKey: KeyObject;
  readonly commonName: string | undefined;
  readonly organization: string[];
  readonly dnsNames: string[];
  readonly ips: string[];
  /** Subject alternative names of other kinds (email, URI...), by their GeneralName tag. */
  readonly otherNames: number[];
  /** basicConstraints cA=TRUE. */
  readonly ca: boolean;
  /** keyUsage bits asked for, by RFC 5280 name (digitalSignature, keyCertSign...). */
  readonly keyUsages: string[];
  /** extKeyUsage OIDs asked for. */
  readonly extKeyUsages: string[];
  /** OIDs of critical extensions this parser does not know. */
  readonly unknownCritical: string[];
}

type Mutable<O> = { -readonly [K in keyof O]: O[K] };

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];
/** Signature algorithms a CSR may use, by OID: the hash node:crypto verifies with (null for Ed25519). */
const SIGNATURE_HASHES = new Map<string, string | null>([
  ['1.2.840.10045.4.3.2', 'sha256'],
  ['1.2.840.10045.4.3.3', 'sha384'],
  ['1.2.840.10045.4.3.4', 'sha512'],
  ['1.2.840.113549.1.1.11', 'sha256'],
  ['1.2.840.113549.1.1.12', 'sha384'],
  ['1.2.840.113549.1.1.13', 'sha512'],
  ['1.3.101.112', null],
]);

/** A fresh ECDSA P-256 key and a CSR for a server certificate with `commonName` and the SANs (PEM both). */
export function createCsr(r: { commonName: string; dnsNames: readonly string[]; ips: readonly string[] }): {
  csr: string;
  key: string;
} {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const exts = extensionsSequence([
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: altNames(r.dnsNames, r.ips) },
  ]);
  const info = node(T.SEQUENCE, [
    node(T.INTEGER, asn1.integerToDer(0).getBytes()),
    name([], r.commonName),
    fromDer(pair.publicKey.export({ type: 'spki', format: 'der' })),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, CTX_0, true, [
      node(T.SEQUENCE, [oid(EXTENSION_REQUEST), node(T.SET, [exts])]),
    ]),
  ]);
  const signature = sign('sha256', toDer(info), pair.privateKey);
  const csr = node(T.SEQUENCE, [
    info,
    node(T.SEQUENCE, [oid('1.2.840.10045.4.3.2')]),
    node(T.BITSTRING, `\x00${signature.toString('binary')}`),
  ]);
  return {
    csr: toPem('CERTIFICATE REQUEST', toDer(csr)),
    key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** An IPv4 or IPv6 address from its 4 or 16 bytes, in the usual short form. */
function ipFromBytes(b: Buffer): string | undefined {
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) return undefined;
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

function text(a: Asn1 | undefined): string {
  const raw = bytesOf(a);
  return a?.type === T.UTF8 ? forge.util.decodeUtf8(raw) : raw;
}

/** Reads one requested extension into `out`. */
function readExtension(ext: Asn1, out: Mutable<ParsedCsr>): void {
  const [id, ...rest] = children(ext);
  const extId = asn1.derToOid(bytesOf(id));
  const critical = rest.length === 2 && bytesOf(rest[0]) !== '\x00';
  const value = fromDer(Buffer.from(bytesOf(rest[rest.length - 1]), 'binary'));
  if (extId === '2.5.29.17') {
    for (const g of children(value)) {
      const raw = Buffer.from(bytesOf(g), 'binary');
      const tag: number = g.type; // a context-specific GeneralName tag: [2] dNSName, [7] iPAddress
      const ip = tag === 7 ? ipFromBytes(raw) : undefined;
      if (tag === 2) out.dnsNames.push(raw.toString('latin1'));
      else if (ip !== undefined) out.ips.push(ip);
      else out.otherNames.push(tag);
    }
  } else if (extId === '2.5.29.19') {
    const first = children(value)[0];
    out.ca = first?.type === T.BOOLEAN && bytesOf(first) !== '\x00';
  } else if (extId === '2.5.29.15') {
    const bits = Buffer.from(bytesOf(value).slice(1), 'binary');
    KEY_USAGES.forEach((u, i) => {
      if (((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0) out.keyUsages.push(u);
    });
  } else if (extId === '2.5.29.37') {
    for (const u of children(value)) out.extKeyUsages.push(asn1.derToOid(bytesOf(u)));
  } else if (critical) out.unknownCritical.push(extId);
}

/** Parses a PEM CSR and checks its signature; {@link CsrError} `InvalidCsr` when it is unreadable or badly signed. */
export function parseCsr(pem: string): ParsedCsr {
  const der = fromPem('CERTIFICATE REQUEST', pem);
  if (der === undefined) throw new CsrError('InvalidCsr', 'the CSR is not a PEM "CERTIFICATE REQUEST"');
  let info: Asn1;
  let infoRaw: Buffer;
  let algId: string;
  let signature: Buffer;
  try {
    const [rawInfo] = rawElements(der);
    const [i, alg, sig] = children(fromDer(der));
    if (rawInfo === undefined || i === undefined || sig === undefined) throw new Error('three elements expected');
    [info, infoRaw] = [i, rawInfo];
    algId = asn1.derToOid(bytesOf(children(alg)[0]));
    signature = Buffer.from(bytesOf(sig).slice(1), 'binary');
  } catch (e) {
    throw new CsrError('InvalidCsr', `the CSR is not valid DER: ${(e as Error).message}`);
  }
  const [, subject, spki, attributes] = children(info);
  let publicKey: KeyObject;
  try {
    if (spki === undefined) throw new Error('no key');
    publicKey = createPublicKey({ key: toDer(spki), format: 'der', type: 'spki' });
  } catch {
    throw new CsrError('InvalidCsr', 'the CSR holds no readable public key');
  }
  const hash = SIGNATURE_HASHES.get(algId);
  if (hash === undefined)
    throw new CsrError('InvalidCsr', `the CSR is signed with an unsupported algorithm (${algId})`);
  let good: boolean;
  try {
    good = verify(hash, infoRaw, publicKey, signature);
  } catch {
    good = false;
  }
  if (!good) throw new CsrError('InvalidCsr', 'the CSR signature does not verify with its own public key');
  const out: Mutable<ParsedCsr> = {
    publicKey,
    commonName: undefined,
    organization: [],
    dnsNames: [],
    ips: [],
    otherNames: [],
    ca: false,
    keyUsages: [],
    extKeyUsages: [],
    unknownCritical: [],
  };
  try {
    for (const rdn of children(subject)) {
      for (const atv of children(rdn)) {
        const [id, value] = children(atv);
        const attr = asn1.derToOid(bytesOf(id));
        if (attr === '2.5.4.3') out.commonName = text(value);
        if (attr === '2.5.4.10') out.organization.push(text(value));
      }
    }
    for (const attribute of children(attributes)) {
      const [id, values] = children(attribute);
      if (asn1.derToOid(bytesOf(id)) !== EXTENSION_REQUEST) continue;
      for (const ext of children(children(values)[0])) readExtension(ext, out);
    }
  } catch (e) {
    throw new CsrError('InvalidCsr', `the CSR's subject or extensions cannot be read: ${(e as Error).message}`);
  }
  return out;
}
