// Building blocks of the v1alpha1 schema: checked string types (CIDR, IP, hostname, URL, PEM), certificate/key pairs, maps.
import { z } from 'zod';
import {
  checkAbsolutePath,
  checkAddress,
  checkHostname,
  checkHttpsUrl,
  checkImage,
  checkIp,
  checkLinkName,
  checkSan,
  checkSubnet,
  checkSubnetMatch,
  type Check,
} from './checks.js';
import type { FieldMeta } from './introspect.js';
import { keyMatches, parseCertificate, parsePrivateKey, subjectOf } from './pem.js';

/** What issues about secrets carry as their input, so that no error or log shows key material. */
export const REDACTED = '(redacted)';

/** A string schema that runs `check` and carries `meta` (format, example, sensitivity) for messages and docs. */
export function checkedString(check: Check<string>, meta: FieldMeta): z.ZodString {
  return z
    .string()
    .superRefine((s, ctx) => {
      const message = check(s);
      if (message !== undefined)
        ctx.addIssue({ code: 'custom', message, input: meta.sensitive === true ? REDACTED : s });
    })
    .meta({ ...meta });
}

/** An interface address: CIDR, or a bare address meaning a host address (/32, /128) as in Talos. */
export const AddressText = checkedString(checkAddress, { format: 'CIDR', example: '10.5.0.2/24' });
/** A network: CIDR with no host bits set. */
export const SubnetText = checkedString(checkSubnet, { format: 'CIDR', example: '10.244.0.0/16' });
/** A subnet filter; a leading `!` excludes. */
export const SubnetMatchText = checkedString(checkSubnetMatch, { format: 'subnet filter', example: '10.5.0.0/24' });
/** An IP address. */
export const IpText = checkedString(checkIp, { format: 'IP address', example: '10.5.0.1' });
/** A DNS hostname. */
export const HostnameText = checkedString(checkHostname, { format: 'hostname', example: 'worker-1' });
/** A certificate SAN: IP or DNS name. */
export const SanText = checkedString(checkSan, { format: 'IP address or DNS name', example: 'api.example.com' });
/** An https URL. */
export const HttpsUrlText = checkedString(checkHttpsUrl, { format: 'https URL', example: 'https://10.5.0.2:6443' });
/** An absolute path. */
export const PathText = checkedString(checkAbsolutePath, { format: 'absolute path', example: '/var/lib/example' });
/** A container image reference. */
export const ImageText = checkedString(checkImage, {
  format: 'image reference',
  example: 'ghcr.io/siderolabs/kubelet:v1.30.0',
});
/** A network link name. */
export const LinkNameText = checkedString(checkLinkName, { format: 'interface name', example: 'eth0' });

/** Extra command-line flags for a component, without the leading dashes. */
export const ExtraArgsSchema = z
  .record(z.string(), z.string())
  .meta({ example: { 'feature-gates': 'ServerSideApply=true' } });

const CertificateText = checkedString(
  (s) => {
    const c = parseCertificate(s);
    return c.ok ? undefined : c.message;
  },
  { format: 'base64 PEM certificate', example: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t...' },
);

const PrivateKeyText = checkedString(
  (s) => {
    if (s === '') return undefined; // an empty key: this node holds only the certificate
    const k = parsePrivateKey(s);
    return k.ok ? undefined : k.message;
  },
  { format: 'base64 PEM private key', sensitive: true, example: 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t...' },
);

type IssueSink = z.core.$RefinementCtx;

/** Adds a custom issue at `path` (relative to the checked object) carrying `input` (redacted for secrets). */
export function report(ctx: IssueSink, path: readonly PropertyKey[], message: string, input: unknown): void {
  ctx.addIssue({ code: 'custom', path: [...path], message, input });
}

/** Reads a field of a value that may be anything (rules run even where the types are wrong). */
export function field(v: unknown, key: string): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
}

/** The string at `key`, or undefined when absent or not a string. */
export function stringField(v: unknown, key: string): string | undefined {
  const s = field(v, key);
  return typeof s === 'string' ? s : undefined;
}

/** The list at `key`, or an empty list when absent or not a list. */
export function listField(v: unknown, key: string): readonly unknown[] {
  const l = field(v, key);
  return Array.isArray(l) ? l : [];
}

function pairRule(isCa: boolean) {
  return (v: unknown, ctx: IssueSink): void => {
    const crt = stringField(v, 'crt');
    const key = stringField(v, 'key');
    if (crt === undefined) return; // the crt field reports it
    const cert = parseCertificate(crt);
    if (!cert.ok) return; // the crt field reports it
    if (isCa && !cert.value.ca) {
      report(
        ctx,
        ['crt'],
        `the certificate "${subjectOf(cert.value)}" is not a CA (its basic constraints lack CA:TRUE); use the CA certificate itself`,
        crt,
      );
    }
    if (key === undefined || key === '') return;
    const k = parsePrivateKey(key);
    if (k.ok && !keyMatches(cert.value, k.value)) {
      report(
        ctx,
        ['key'],
        `does not belong to the certificate "${subjectOf(cert.value)}" in crt; give the key generated with that certificate`,
        REDACTED,
      );
    }
  };
}

function pairSchema(isCa: boolean, what: string) {
  return z
    .looseObject({
      crt: CertificateText.describe(
        `The ${what} certificate, base64-encoded PEM (\`base64 -w0 ${isCa ? 'ca' : 'client'}.crt\`).`,
      ),
      key: PrivateKeyText.describe(
        `The ${what} private key, base64-encoded PEM; must match crt. Leave it "" on nodes that only verify with the certificate.`,
      ).optional(),
    })
    .superRefine(pairRule(isCa), { when: () => true });
}

/** A certificate authority: certificate (CA:TRUE) and, where the node signs, its key. */
export const CaSchema = pairSchema(true, 'CA');
/** A leaf certificate and its key, e.g. a client identity. */
export const CertAndKeySchema = pairSchema(false, 'client');

/** A lone private key (e.g. the service account signing key). */
export const KeySchema = z.looseObject({
  key: PrivateKeyText.describe('The private key, base64-encoded PEM (RSA or ECDSA), e.g. `base64 -w0 sa.key`.'),
});

/** Options for an image-plus-flags component (controller manager, scheduler). */
export function componentSchema(name: string, image: string) {
  return z.looseObject({
    image: ImageText.describe(`The ${name} container image.`).meta({ example: image }).optional(),
    extraArgs: ExtraArgsSchema.describe(
      `Extra flags for the ${name}, without leading dashes (name: value).`,
    ).optional(),
  });
}
