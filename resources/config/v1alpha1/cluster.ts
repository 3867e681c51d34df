// The cluster section of v1alpha1: identity, endpoint, pod/service networking, Kubernetes secrets and control-plane components.
import { z } from 'zod';
import { checkBase64, checkBootstrapToken, checkHttpsUrl, checkKey32 } from './checks.js';
import {
  CaSchema,
  ExtraArgsSchema,
  HostnameText,
  HttpsUrlText,
  ImageText,
  KeySchema,
  SanText,
  SubnetMatchText,
  SubnetText,
  checkedString,
  componentSchema,
  listField,
  report,
  stringField,
} from './common.js';

const CniSchema = z
  .looseObject({
    name: z
      .enum(['flannel', 'custom', 'none'])
      .describe('flannel deploys Flannel; custom applies the manifests in urls; none installs no CNI.')
      .meta({ default: 'flannel' })
      .optional(),
    urls: z
      .array(checkedString(checkHttpsUrl, { format: 'https URL', example: 'https://example.com/cni.yaml' }))
      .describe('Manifests to apply for a custom CNI, e.g. [https://example.com/cilium.yaml]; only with name: custom.')
      .optional(),
  })
  .superRefine(
    (v, ctx) => {
      const name = stringField(v, 'name');
      const urls = listField(v, 'urls');
      if (name === 'custom' && urls.length === 0) {
        report(ctx, ['urls'], 'is empty but name is custom; list the CNI manifest URLs, or pick flannel or none', urls);
      }
      if ((name === 'flannel' || name === 'none') && urls.length > 0) {
        report(
          ctx,
          ['urls'],
          `lists manifests but name is ${name}; set name: custom to apply them, or remove urls`,
          urls,
        );
      }
    },
    { when: () => true },
  );

const ClusterNetworkSchema = z.looseObject({
  cni: CniSchema.describe('The CNI plugin.').optional(),
  dnsDomain: HostnameText.describe('The cluster DNS domain of services.').meta({ default: 'cluster.local' }).optional(),
  podSubnets: z
    .array(SubnetText)
    .describe('Pod networks, one per address family, e.g. [10.244.0.0/16, fd00:10:244::/56].')
    .meta({ default: ['10.244.0.0/16'] })
    .optional(),
  serviceSubnets: z
    .array(SubnetText)
    .describe('Service networks, one per address family, e.g. [10.96.0.0/12].')
    .meta({ default: ['10.96.0.0/12'] })
    .optional(),
});

const EtcdSchema = z.looseObject({
  image: ImageText.describe('The etcd container image.')
    .meta({ example: 'gcr.io/etcd-development/etcd:v3.5.13' })
    .optional(),
  ca: CaSchema.describe('The etcd CA; only control-plane nodes hold it.').optional(),
  extraArgs: ExtraArgsSchema.describe(
    'Extra etcd flags without leading dashes, e.g. { election-timeout: "5000" }.',
  ).optional(),
  advertisedSubnets: z
    .array(SubnetMatchText)
    .describe('Subnets to pick the address etcd advertises to peers from, e.g. [10.5.0.0/24].')
    .optional(),
  listenSubnets: z
    .array(SubnetMatchText)
    .describe('Subnets etcd listens on; defaults to advertisedSubnets, else every address.')
    .optional(),
});

/** cluster. */
export const ClusterSchema = z.looseObject({
  id: checkedString(checkBase64, { format: 'base64', sensitive: true })
    .describe('A unique cluster id: base64 of 32 random bytes (`head -c 32 /dev/urandom | base64`).')
    .optional(),
  secret: checkedString(checkBase64, { format: 'base64', sensitive: true })
    .describe('A secret shared by the cluster members: base64 of 32 random bytes; never sent over the network.')
    .optional(),
  controlPlane: z
    .looseObject({
      endpoint: HttpsUrlText.describe(
        'The Kubernetes API URL every node uses: https, a load balancer or the first control-plane node, e.g. https://10.5.0.2:6443.',
      ),
    })
    .describe('How nodes reach the control plane.')
    .optional(),
  clusterName: z.string().min(1).describe('The cluster name, e.g. demo.').meta({ example: 'demo' }).optional(),
  network: ClusterNetworkSchema.describe('Kubernetes networking.').optional(),
  token: checkedString(checkBootstrapToken, {
    format: 'bootstrap token',
    sensitive: true,
    example: 'abcdef.0123456789abcdef',
  })
    .describe('The Kubernetes bootstrap token that kubelets join with.')
    .optional(),
  secretboxEncryptionSecret: checkedString(checkKey32, { format: 'base64 32-byte key', sensitive: true })
    .describe('The key that encrypts Secrets at rest: base64 of 32 random bytes; control plane only.')
    .optional(),
  ca: CaSchema.describe('The Kubernetes CA; workers hold only crt (key: "").').optional(),
  aggregatorCA: CaSchema.describe('The front-proxy CA of the API aggregation layer; control plane only.').optional(),
  serviceAccount: KeySchema.describe('The key that signs service account tokens; control plane only.').optional(),
  apiServer: z
    .looseObject({
      image: ImageText.describe('The kube-apiserver image.')
        .meta({ example: 'registry.k8s.io/kube-apiserver:v1.30.0' })
        .optional(),
      extraArgs: ExtraArgsSchema.describe('Extra kube-apiserver flags without leading dashes.').optional(),
      certSANs: z
        .array(SanText)
        .describe('Extra names and addresses for the API server certificate, e.g. [api.example.com, 203.0.113.10].')
        .optional(),
    })
    .describe('kube-apiserver settings.')
    .optional(),
  controllerManager: componentSchema('kube-controller-manager', 'registry.k8s.io/kube-controller-manager:v1.30.0')
    .describe('kube-controller-manager settings.')
    .optional(),
  scheduler: componentSchema('kube-scheduler', 'registry.k8s.io/kube-scheduler:v1.30.0')
    .describe('kube-scheduler settings.')
    .optional(),
  proxy: z
    .looseObject({
      disabled: z
        .boolean()
        .describe('Do not deploy kube-proxy (e.g. when the CNI replaces it).')
        .meta({ default: false })
        .optional(),
      mode: z
        .enum(['iptables', 'ipvs', 'nftables'])
        .describe('The kube-proxy mode.')
        .meta({ default: 'iptables' })
        .optional(),
      image: ImageText.describe('The kube-proxy image.')
        .meta({ example: 'registry.k8s.io/kube-proxy:v1.30.0' })
        .optional(),
      extraArgs: ExtraArgsSchema.describe('Extra kube-proxy flags without leading dashes.').optional(),
    })
    .describe('kube-proxy settings.')
    .optional(),
  etcd: EtcdSchema.describe('etcd settings; control plane only.').optional(),
});
