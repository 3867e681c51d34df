// KubernetesSecrets: the control plane's certificates (API server, its kubelet client, front-proxy client, admin) (id `k8s`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { CertAndKeySchema, CertificatePemSchema, SECRETS_NAMESPACE, ISSUED_FIELDS } from './common.js';

/** The id of the one KubernetesSecrets resource. */
export const KUBERNETES_SECRETS_ID = 'k8s';

/** Spec of KubernetesSecrets. */
export const KubernetesSecretsSpecSchema = z.object({
  ca: CertificatePemSchema.describe('The Kubernetes CA certificate.'),
  aggregatorCA: CertificatePemSchema.describe('The front-proxy CA certificate (issuer of frontProxyClient).'),
  apiServer: CertAndKeySchema.describe('The kube-apiserver serving certificate.'),
  apiServerKubeletClient: CertAndKeySchema.describe('The client certificate kube-apiserver calls kubelets with.'),
  frontProxyClient: CertAndKeySchema.describe('The client certificate of the aggregation layer (front proxy).'),
  admin: CertAndKeySchema.describe('The admin client certificate (O=system:masters, CN=admin) for kubeconfigs.'),
  endpoint: z.string().describe('The control-plane endpoint an admin kubeconfig points at.'),
  ...ISSUED_FIELDS,
});

/** The inferred spec type. */
export type KubernetesSecretsSpec = z.infer<typeof KubernetesSecretsSpecSchema>;

/** The KubernetesSecrets type: sensitive (it holds private keys). */
export const KubernetesSecretsType = defineResource({
  type: 'KubernetesSecrets',
  schema: KubernetesSecretsSpecSchema,
  defaultNamespace: SECRETS_NAMESPACE,
  aliases: ['k8ssecrets', 'kubernetessecret'],
  printColumns: [
    { name: 'DNS Names', jsonPath: '{.dnsNames}' },
    { name: 'IPs', jsonPath: '{.ips}' },
    { name: 'Renew At', jsonPath: '{.renewAt}' },
  ],
  sensitive: true,
});
