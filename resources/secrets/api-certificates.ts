// ApiCertificates: the node API's server certificate and key, issued from the machine CA for the node's names (id `api`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { CertificatePemSchema, SECRETS_NAMESPACE, ISSUED_FIELDS } from './common.js';

/** The id of the one ApiCertificates resource. */
export const API_CERTIFICATES_ID = 'api';

/** Spec of ApiCertificates. */
export const ApiCertificatesSpecSchema = z.object({
  ca: CertificatePemSchema.describe(
    'The machine CA certificate that issued crt and that client certificates chain to.',
  ),
  crt: CertificatePemSchema.describe('The API server certificate.'),
  key: z.string().describe('The PEM private key of crt.'),
  ...ISSUED_FIELDS,
});

/** The inferred spec type. */
export type ApiCertificatesSpec = z.infer<typeof ApiCertificatesSpecSchema>;

/** The ApiCertificates type: sensitive (it holds the server key). */
export const ApiCertificatesType = defineResource({
  type: 'ApiCertificates',
  schema: ApiCertificatesSpecSchema,
  defaultNamespace: SECRETS_NAMESPACE,
  aliases: ['apicertificate', 'apicerts'],
  printColumns: [
    { name: 'DNS Names', jsonPath: '{.dnsNames}' },
    { name: 'IPs', jsonPath: '{.ips}' },
    { name: 'Renew At', jsonPath: '{.renewAt}' },
  ],
  sensitive: true,
});
