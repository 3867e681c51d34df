// DER building blocks the certificate and CSR code share: node-forge's ASN.1 nodes made and read as Buffers, X.500
// names, PEM armour, and the raw bytes of a SEQUENCE's elements (what a signature covers, exactly as received).
import forge from 'node-forge';

/** node-forge's ASN.1 module. */
export const { asn1 } = forge;
/** One node-forge ASN.1 node. */
export type Asn1 = forge.asn1.Asn1;

/** node-forge functions its type definitions lack (fromDer's options object, the extensions encoder). */
const forgeAsn1 = asn1 as typeof asn1 & {
  fromDer(bytes: string, options: { decodeBitStrings: boolean }): Asn1;
};
const forgePki = forge.pki as typeof forge.pki & {
  certificateExtensionsToAsn1(exts: unknown[]): Asn1;
};

/** Universal tag numbers. */
export const T = asn1.Type;
// forge numbers context-specific tags with its universal Type enum: [0] is NONE's 0, [3] BITSTRING's 3.
/** The context-specific tag [0] (a certificate's version, a CSR's attributes). */
export const CTX_0 = asn1.Type.NONE;
/** The context-specific tag [3] (a certificate's extensions). */
export const CTX_3 = asn1.Type.BITSTRING;

/** A universal node: constructed when `value` is a list of children. */
export const node = (type: forge.asn1.Type, value: string | Asn1[]): Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, type, Array.isArray(value), value);
/** An OBJECT IDENTIFIER node. */
export const oid = (id: string): Asn1 => node(T.OID, asn1.oidToDer(id).getBytes());
/** Parses DER, leaving BIT STRING contents as bytes. Throws on malformed input. */
export const fromDer = (der: Buffer): Asn1 => forgeAsn1.fromDer(der.toString('binary'), { decodeBitStrings: false });
/** Encodes a node as DER. */
export const toDer = (a: Asn1): Buffer => Buffer.from(asn1.toDer(a).getBytes(), 'binary');
/** The children of a constructed node ([] for anything else). */
export const children = (a: Asn1 | undefined): Asn1[] => (Array.isArray(a?.value) ? a.value : []);
/** The bytes of a primitive node ('' for a constructed one). */
export const bytesOf = (a: Asn1 | undefined): string => (typeof a?.value === 'string' ? a.value : '');

/** An X.500 name of organizations (O) and a common name (CN), in that order. */
export function name(organization: readonly string[], commonName: string): Asn1 {
  const rdn = (id: string, value: string): Asn1 =>
    node(T.SET, [node(T.SEQUENCE, [oid(id), node(T.UTF8, forge.util.encodeUtf8(value))])]);
  return node(T.SEQUENCE, [...organization.map((o) => rdn('2.5.4.10', o)), rdn('2.5.4.3', commonName)]);
}

/** A certificate extension as node-forge describes it, e.g. `{ name: 'subjectAltName', altNames }`. */
export type ForgeExtension = Record<string, unknown> & { name: string };

/** The DER SEQUENCE OF Extension for `exts` (node-forge encodes each; a certificate wraps it in [3]). */
export function extensionsSequence(exts: ForgeExtension[]): Asn1 {
  const carrier = forge.pki.createCertificate();
  carrier.setExtensions(exts);
  const wrapped = forgePki.certificateExtensionsToAsn1(carrier.extensions as unknown[]);
  const seq = children(wrapped)[0];
  if (seq === undefined) throw new Error('node-forge encoded no extensions');
  return seq;
}

/** The subjectAltName entries of `dnsNames` and `ips` in node-forge's form (type 2 DNS, type 7 IP). */
export function altNames(dnsNames: readonly string[], ips: readonly string[]): Record<string, unknown>[] {
  return [...dnsNames.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))];
}

/** PEM armour of `der` under `label`, 64 characters a line. */
export function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER inside the first PEM block labelled `label`; undefined when there is none. */
export function fromPem(label: string, pem: string): Buffer | undefined {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  return m?.[1] === undefined ? undefined : Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

/** Where one DER element starts its content and ends, from its header at `at`; throws past the end of `der`. */
function element(der: Buffer, at: number): { content: number; end: number } {
  const first = der[at + 1];
  if (first === undefined) throw new Error('truncated DER');
  let len = first;
  let content = at + 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[content + i] ?? 0);
    content += n;
  }
  const end = content + len;
  if (end > der.length) throw new Error('truncated DER');
  return { content, end };
}

/** The raw bytes of each element of the SEQUENCE `der` (one level down), exactly as encoded. */
export function rawElements(der: Buffer): Buffer[] {
  const outer = element(der, 0);
  const out: Buffer[] = [];
  for (let at = outer.content; at < outer.end;) {
    const { end } = element(der, at);
    out.push(der.subarray(at, end));
    at = end;
  }
  return out;
}
