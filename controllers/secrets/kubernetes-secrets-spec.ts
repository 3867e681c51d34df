// KubernetesSecretsSpecController: issues KubernetesSecrets (kube-apiserver serving, its kubelet client, front-proxy
// client, admin) from KubernetesRootSecret, for the node's live addresses (NodeAddress) and hostname (HostnameStatus).
import {
  KUBERNETES_ROOT_ID,
  KUBERNETES_SECRETS_ID,
  KubernetesRootSecretType,
  KubernetesSecretsType,
  SECRETS_NAMESPACE,
  type KubernetesRootSecretSpec,
  type KubernetesSecretsSpec,
} from '../../resources/index.js';
import { ipToBytes, type Controller, type ControllerContext } from '../../runtime/index.js';
import { IssuingController, type IssuePlan } from './issuing-controller.js';
import { NAME_INPUTS, nodeNames, renewAt, splitSans, validity, type IssuingOptions, type Sans } from './issuing.js';
import { issueLeaf } from './x509.js';

/** The first address of a subnet (`10.96.0.0/12` -> `10.96.0.1`): the ClusterIP of the `kubernetes` service. */
export function firstIp(cidr: string): string {
  const [ip = '', prefix = '0'] = cidr.split('/');
  const bytes = Buffer.from(ipToBytes(ip));
  const bits = Number(prefix);
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    bytes[i] = (bytes[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = ((bytes[i] ?? 0) + 1) & 0xff;
    if (bytes[i] !== 0) break;
  }
  if (bytes.length === 4) return [...bytes].join('.');
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** The API server's names: the service names, the endpoint host, certSANs, the node's names, service IPs, loopback. */
export function apiServerSans(
  root: KubernetesRootSecretSpec,
  hostnames: readonly string[],
  addresses: readonly string[],
): Sans {
  const svc = [
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${root.dnsDomain}`,
  ];
  const endpoint = root.endpoint === '' ? [] : [new URL(root.endpoint).hostname.replace(/^\[(.*)\]$/, '$1')];
  return splitSans([
    ...svc,
    ...endpoint,
    ...root.certSANs,
    ...hostnames,
    'localhost',
    ...root.serviceSubnets.map(firstIp),
    ...addresses,
    '127.0.0.1',
  ]);
}

/** Issues the four Kubernetes certificates from the CAs of `root`, valid from `now` for `ttlMs`. */
export function issueKubernetesSecrets(
  root: KubernetesRootSecretSpec,
  sans: Sans,
  now: number,
  ttlMs: number,
): KubernetesSecretsSpec {
  const when = validity(now, ttlMs);
  const apiServer = issueLeaf(root.ca, { commonName: 'kube-apiserver', usage: 'server', ...sans, ...when });
  const apiServerKubeletClient = issueLeaf(root.ca, {
    commonName: 'apiserver-kubelet-client',
    organization: ['system:masters'],
    usage: 'client',
    ...when,
  });
  const frontProxyClient = issueLeaf(root.aggregatorCA, { commonName: 'front-proxy-client', usage: 'client', ...when });
  const admin = issueLeaf(root.ca, { commonName: 'admin', organization: ['system:masters'], usage: 'client', ...when });
  const all = [apiServer, apiServerKubeletClient, frontProxyClient, admin].map((p) => p.crt);
  return {
    ca: root.ca.crt,
    aggregatorCA: root.aggregatorCA.crt,
    apiServer,
    apiServerKubeletClient,
    frontProxyClient,
    admin,
    endpoint: root.endpoint,
    ...sans,
    renewAt: renewAt(all),
  };
}

/**
 * Keeps `secrets/KubernetesSecrets/k8s` issued from the Kubernetes and aggregator CAs for the node's current names:
 * re-issued when a CA, the endpoint or the names change and at 2/3 of the lifetime. Absent on workers.
 */
export class KubernetesSecretsSpecController extends IssuingController<KubernetesSecretsSpec> implements Controller {
  readonly inputs = [
    {
      namespace: SECRETS_NAMESPACE,
      type: KubernetesRootSecretType.type,
      id: KUBERNETES_ROOT_ID,
      kind: 'weak' as const,
    },
    ...NAME_INPUTS,
  ];
  readonly outputs = [{ type: KubernetesSecretsType.type, kind: 'exclusive' as const }];

  constructor(o: IssuingOptions = {}) {
    super('secrets.KubernetesSecretsSpecController', KubernetesSecretsType, KUBERNETES_SECRETS_ID, o);
  }

  protected async plan(ctx: ControllerContext): Promise<IssuePlan<KubernetesSecretsSpec>> {
    const root = await ctx.get(KubernetesRootSecretType, SECRETS_NAMESPACE, KUBERNETES_ROOT_ID);
    if (root === undefined || root.metadata.phase !== 'running') return { drop: undefined };
    if (!root.spec.signs) {
      return {
        drop: 'cluster.ca or cluster.aggregatorCA holds no key on this node (not a control plane): Kubernetes certificates are not issued',
      };
    }
    const { hostnames, addresses } = await nodeNames(ctx);
    const spec = root.spec;
    const sans = apiServerSans(spec, hostnames, addresses);
    return {
      sans,
      sameRoots: (cur) =>
        cur.ca === spec.ca.crt && cur.aggregatorCA === spec.aggregatorCA.crt && cur.endpoint === spec.endpoint,
      issue: (now) => issueKubernetesSecrets(spec, sans, now, this.ttlMs),
      what: 'the Kubernetes certificates',
    };
  }
}
