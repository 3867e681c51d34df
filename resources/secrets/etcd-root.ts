// EtcdRootSecret: the etcd CA from the config (cluster.etcd.ca), on nodes whose config holds it (id `etcd`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { CertAndKeySchema, SECRETS_NAMESPACE } from './common.js';

/** The id of the one EtcdRootSecret. */
export const ETCD_ROOT_ID = 'etcd';

/** Spec of EtcdRootSecret. */
export const EtcdRootSecretSpecSchema = z.object({
  ca: CertAndKeySchema.describe('The etcd CA (cluster.etcd.ca); key empty where the node only verifies.'),
  signs: z.boolean().describe('True when this node holds the CA key and issues the etcd certificates itself.'),
});

/** The inferred spec type. */
export type EtcdRootSecretSpec = z.infer<typeof EtcdRootSecretSpecSchema>;

/** The EtcdRootSecret type: sensitive (it holds the CA key). */
export const EtcdRootSecretType = defineResource({
  type: 'EtcdRootSecret',
  schema: EtcdRootSecretSpecSchema,
  defaultNamespace: SECRETS_NAMESPACE,
  aliases: ['etcdroot', 'etcdrootsecrets'],
  printColumns: [{ name: 'Signs', jsonPath: '{.signs}' }],
  sensitive: true,
});
