// OSRootSecret: the machine API CA, the extra certificate SANs and the join token, from the config (id `os`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { CertAndKeySchema, SECRETS_NAMESPACE } from './common.js';

/** The id of the one OSRootSecret. */
export const OS_ROOT_ID = 'os';

/** Spec of OSRootSecret. */
export const OSRootSecretSpecSchema = z.object({
  ca: CertAndKeySchema.describe('The machine API CA (machine.ca); key empty on workers.'),
  signs: z.boolean().describe('True when this node holds the CA key and issues the API certificate itself.'),
  certSANs: z.array(z.string()).describe('Extra names and addresses for the API certificate (machine.certSANs).'),
  token: z.string().describe('The token this node presents to join the cluster PKI (machine.token); empty for none.'),
});

/** The inferred spec type. */
export type OSRootSecretSpec = z.infer<typeof OSRootSecretSpecSchema>;

/** The OSRootSecret type: sensitive (it holds the CA key and the token). */
export const OSRootSecretType = defineResource({
  type: 'OSRootSecret',
  schema: OSRootSecretSpecSchema,
  defaultNamespace: SECRETS_NAMESPACE,
  aliases: ['osroot', 'osrootsecrets'],
  printColumns: [
    { name: 'Signs', jsonPath: '{.signs}' },
    { name: 'CertSANs', jsonPath: '{.certSANs}' },
  ],
  sensitive: true,
});
