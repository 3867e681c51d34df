// Certificates of the node API: the server certificate issued from the OS CA, client certificates carrying roles, and
// the self-signed certificate of maintenance mode. Built by config-gen's PKI (one CA implementation in the project).
import { generateRsaKeySync, issueLeafCertificate, type CertAndKeyPem, type LeafOptions } from '../config-gen/index.js';

/** A certificate and its key as plain PEM text. */
export interface CertificatePem {
  readonly certPem: string;
  readonly keyPem: string;
}

const YEAR_MS = 365 * 86_400_000;

/** Server certificates are valid for a year; machined issues a fresh one at every start. */
const SERVER_TTL_MS = YEAR_MS;

/** Client certificates default to a year, like the talosconfig `osctl gen config` writes. */
const CLIENT_TTL_MS = YEAR_MS;

/**
 * Backdating tolerates clocks a little behind the issuer's: a node that just booted, a laptop whose clock drifted.
 * Tests that need an expired certificate give `notBefore` and `ttlMs` themselves.
 */
const BACKDATE_MS = 5 * 60_000;

function leaf(ca: CertAndKeyPem | undefined, o: LeafOptions): CertificatePem {
  const { crt, key } = issueLeafCertificate(ca, generateRsaKeySync(), o);
  return { certPem: crt, keyPem: key };
}

/** The API server certificate for `dnsNames` and `ips`, issued by the OS CA (plain PEM in and out). */
export function issueServerCertificate(o: {
  caCertPem: string;
  caKeyPem: string;
  dnsNames: string[];
  ips: string[];
  ttlMs?: number;
}): CertificatePem {
  return leaf(
    { crt: o.caCertPem, key: o.caKeyPem },
    {
      subject: { commonName: o.dnsNames[0] ?? o.ips[0] ?? 'apid' },
      usage: 'server',
      notBefore: new Date(Date.now() - BACKDATE_MS),
      ttlMs: o.ttlMs ?? SERVER_TTL_MS,
      sans: [...new Set([...o.dnsNames, ...o.ips])],
    },
  );
}

/** A client certificate whose Subject Organization values are `roles`, issued by the OS CA. */
export function issueClientCertificate(o: {
  caCertPem: string;
  caKeyPem: string;
  roles: string[];
  ttlMs?: number;
  notBefore?: Date;
}): CertificatePem {
  return leaf(
    { crt: o.caCertPem, key: o.caKeyPem },
    {
      subject: { organization: o.roles },
      usage: 'client',
      notBefore: o.notBefore ?? new Date(Date.now() - BACKDATE_MS),
      ttlMs: o.ttlMs ?? CLIENT_TTL_MS,
    },
  );
}

/** A self-signed server certificate for maintenance mode (clients cannot verify it; they skip verification). */
export function selfSignedCertificate(dnsNames: string[], ips: string[]): CertificatePem {
  return leaf(undefined, {
    subject: { commonName: dnsNames[0] ?? 'maintenance' },
    usage: 'server',
    notBefore: new Date(Date.now() - BACKDATE_MS),
    ttlMs: SERVER_TTL_MS,
    sans: [...new Set([...dnsNames, ...ips])],
  });
}
