// KubernetesRootConfigController: produces KubernetesRootSecret (CAs, service-account key, cluster identity) from the
// cluster section of the active MachineConfig.
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  KUBERNETES_ROOT_ID,
  KubernetesRootSecretType,
  MachineConfigType,
  SECRETS_NAMESPACE,
  type KubernetesRootSecretSpec,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { pemFromConfig } from './issuing.js';
import { keyMatchesCertificate } from './x509.js';

/** The Kubernetes defaults of `osctl gen config`, for configs that leave them out. */
const DEFAULT_DNS_DOMAIN = 'cluster.local';
const DEFAULT_SERVICE_SUBNETS = ['10.96.0.0/12'];

/**
 * Keeps `secrets/KubernetesRootSecret/k8s` equal to the cluster section of the active config (CAs as plain PEM);
 * absent without cluster.ca. `signs` is true on a control-plane node holding both CA keys, matching their certificates.
 */
export class KubernetesRootConfigController implements Controller {
  readonly name = 'secrets.KubernetesRootConfigController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: KubernetesRootSecretType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const doc = cfg?.metadata.phase === 'running' ? cfg.spec : undefined;
    const cluster = doc?.cluster;
    const crt = pemFromConfig(cluster?.ca?.crt);
    if (doc === undefined || cluster === undefined || crt === '') {
      await ctx.teardownAndDestroy(KubernetesRootSecretType, SECRETS_NAMESPACE, KUBERNETES_ROOT_ID);
      return;
    }
    const ca = { crt, key: pemFromConfig(cluster.ca?.key) };
    const aggregatorCA = {
      crt: pemFromConfig(cluster.aggregatorCA?.crt),
      key: pemFromConfig(cluster.aggregatorCA?.key),
    };
    const holds = (p: { crt: string; key: string }): boolean => p.key !== '' && keyMatchesCertificate(p.crt, p.key);
    const spec: KubernetesRootSecretSpec = {
      clusterName: cluster.clusterName ?? '',
      endpoint: cluster.controlPlane?.endpoint ?? '',
      dnsDomain: cluster.network?.dnsDomain ?? DEFAULT_DNS_DOMAIN,
      serviceSubnets: [...(cluster.network?.serviceSubnets ?? DEFAULT_SERVICE_SUBNETS)],
      certSANs: [...(cluster.apiServer?.certSANs ?? [])],
      ca,
      aggregatorCA,
      serviceAccountKey: pemFromConfig(cluster.serviceAccount?.key),
      bootstrapToken: cluster.token ?? '',
      secretboxEncryptionSecret: cluster.secretboxEncryptionSecret ?? '',
      signs: doc.machine.type === 'controlplane' && holds(ca) && holds(aggregatorCA),
    };
    await ctx.modify(KubernetesRootSecretType, SECRETS_NAMESPACE, KUBERNETES_ROOT_ID, () => spec);
  }
}
