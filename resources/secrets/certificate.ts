// Certificate: the public facts of one certificate the node holds (no key), by which one it is: `api`, `etcd-peer`...
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { DnsNamesSchema, IpsSchema, SECRETS_NAMESPACE } from './common.js';

/** Spec of Certificate. */
export const CertificateSpecSchema = z.object({
  source: z.string().describe('The secret resource holding the certificate and its key, e.g. EtcdSecrets/etcd.peer.'),
  subject: z.string().describe('The subject, e.g. "O=system:masters, CN=admin".'),
  issuer: z.string().describe('The issuer subject; equal to subject for a self-signed CA.'),
  dnsNames: DnsNamesSchema,
  ips: IpsSchema,
  usages: z.array(z.string()).describe('What it is for: ca, server, client.'),
  keyType: z.string().describe('The public key, e.g. "ECDSA P-256" or "RSA 2048".'),
  serial: z.string().describe('The serial number in hex.'),
  notBefore: z.string().describe('Start of validity (ISO 8601), e.g. 2025-01-01T00:00:00Z.'),
  notAfter: z.string().describe('End of validity (ISO 8601).'),
  sha256: z.string().describe('The SHA-256 fingerprint of the DER certificate, colon-separated hex.'),
});

/** The inferred spec type. */
export type CertificateSpec = z.infer<typeof CertificateSpecSchema>;

/** The Certificate type: public, so that readers can check names and expiry without seeing a key. */
export const CertificateType = defineResource({
  type: 'Certificate',
  schema: CertificateSpecSchema,
  defaultNamespace: SECRETS_NAMESPACE,
  aliases: ['certificates', 'cert', 'certs'],
  printColumns: [
    { name: 'Subject', jsonPath: '{.subject}' },
    { name: 'Issuer', jsonPath: '{.issuer}' },
    { name: 'Usages', jsonPath: '{.usages}' },
    { name: 'Not After', jsonPath: '{.notAfter}' },
  ],
});
