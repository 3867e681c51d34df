// The secrets namespace and the shapes its resource types share: a certificate with its key, and certificate SANs.
import { z } from 'zod';

/** The namespace of secrets and certificates: every type in it but Certificate is sensitive (os:admin only). */
export const SECRETS_NAMESPACE = 'secrets';

/** A PEM certificate (plain PEM text, not base64 as in the config). */
export const CertificatePemSchema = z.string().describe('A PEM certificate ("-----BEGIN CERTIFICATE-----").');

/**
 * A certificate and its private key as plain PEM. Key fields are plain strings on purpose: a refinement that failed
 * would quote the value in its error message, and errors reach logs.
 */
export const CertAndKeySchema = z.object({
  crt: CertificatePemSchema,
  key: z.string().describe('The PEM private key; empty where the node holds only the certificate (workers).'),
});

/** The inferred type of {@link CertAndKeySchema}. */
export type CertAndKey = z.infer<typeof CertAndKeySchema>;

/** DNS names of a certificate's subject alternative names. */
export const DnsNamesSchema = z.array(z.string()).describe('DNS names of the certificate, e.g. [node-1, localhost].');

/** IP addresses of a certificate's subject alternative names. */
export const IpsSchema = z.array(z.string()).describe('IP addresses of the certificate, e.g. [10.5.0.2, 127.0.0.1].');

/** When an issued set of certificates is due for renewal: 2/3 into the lifetime of its earliest-expiring one. */
export const RenewAtSchema = z
  .string()
  .describe('When the certificates are re-issued (ISO 8601): 2/3 into their lifetime.');

/** The fields every issued bundle ends with: the names it was issued for and when it is due (IssuedBundle). */
export const ISSUED_FIELDS = { dnsNames: DnsNamesSchema, ips: IpsSchema, renewAt: RenewAtSchema };
