// KubernetesRootSecret: the Kubernetes CAs, the service-account key and the cluster identity, from the config (id `k8s`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { CertAndKeySchema, SECRETS_NAMESPACE } from './common.js';

/** The id of the one KubernetesRootSecret. */
export const KUBERNETES_ROOT_ID = 'k8s';

/** Spec of KubernetesRootSecret. */
export const KubernetesRootSecretSpecSchema = z.object({
  clusterName: z.string().describe('The cluster name (cluster.clusterName).'),
  endpoint: z.string().describe('The control-plane endpoint URL (cluster.controlPlane.endpoint); empty for none.'),
  dnsDomain: z.string().describe('The service DNS domain (cluster.network.dnsDomain), e.g. cluster.local.'),
  serviceSubnets: z.array(z.string()).describe('The service subnets; the first IP of each names the API service.'),
  certSANs: z.array(z.string()).describe('Extra names and addresses for the API server (cluster.apiServer.certSANs).'),
  ca: CertAndKeySchema.describe('The Kubernetes CA (cluster.ca); key empty on workers.'),
  aggregatorCA: CertAndKeySchema.describe('The front-proxy CA (cluster.aggregatorCA); empty on workers.'),
  serviceAccountKey: z.string().describe('The PEM key that signs service-account tokens; empty on workers.'),
  bootstrapToken: z.string().describe('The bootstrap token kubelets join with (cluster.token); empty for none.'),
  secretboxEncryptionSecret: z.string().describe('The key that encrypts Secrets at rest; empty on workers.'),
  signs: z.boolean().describe('True when this node holds the CA keys and issues the Kubernetes certificates itself.'),
});

/** The inferred spec type. */
export type KubernetesRootSecretSpec = z.infer<typeof KubernetesRootSecretSpecSchema>;

/** The KubernetesRootSecret type: sensitive (CA keys, the service-account key, tokens). */
export const KubernetesRootSecretType = defineResource({
  type: 'KubernetesRootSecret',
  schema: KubernetesRootSecretSpecSchema,
  defaultNamespace: SECRETS_NAMESPACE,
  aliases: ['k8sroot', 'kubernetesrootsecrets'],
  printColumns: [
    { name: 'Cluster', jsonPath: '{.clusterName}' },
    { name: 'Endpoint', jsonPath: '{.endpoint}' },
    { name: 'Signs', jsonPath: '{.signs}' },
  ],
  sensitive: true,
});
