// EtcdSecrets: etcd's server and peer certificates and its two client certificates (etcdctl, kube-apiserver) (id `etcd`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { CertAndKeySchema, CertificatePemSchema, SECRETS_NAMESPACE, ISSUED_FIELDS } from './common.js';

/** The id of the one EtcdSecrets resource. */
export const ETCD_SECRETS_ID = 'etcd';

/** Spec of EtcdSecrets. */
export const EtcdSecretsSpecSchema = z.object({
  ca: CertificatePemSchema.describe('The etcd CA certificate every certificate here chains to.'),
  server: CertAndKeySchema.describe('The client-facing server certificate (server and client auth).'),
  peer: CertAndKeySchema.describe('The peer certificate members present to each other (server and client auth).'),
  admin: CertAndKeySchema.describe('The etcdctl client certificate (CN=root).'),
  apiServerClient: CertAndKeySchema.describe('The client certificate kube-apiserver reads etcd with.'),
  ...ISSUED_FIELDS,
});

/** The inferred spec type. */
export type EtcdSecretsSpec = z.infer<typeof EtcdSecretsSpecSchema>;

/** The EtcdSecrets type: sensitive (it holds private keys). */
export const EtcdSecretsType = defineResource({
  type: 'EtcdSecrets',
  schema: EtcdSecretsSpecSchema,
  defaultNamespace: SECRETS_NAMESPACE,
  aliases: ['etcdsecret'],
  printColumns: [
    { name: 'DNS Names', jsonPath: '{.dnsNames}' },
    { name: 'IPs', jsonPath: '{.ips}' },
    { name: 'Renew At', jsonPath: '{.renewAt}' },
  ],
  sensitive: true,
});
