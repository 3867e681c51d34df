// ApiCertificatesSpecController: issues ApiCertificates (the node API's server certificate) from OSRootSecret, for the
// node's live addresses (NodeAddress), its hostname (HostnameStatus) and machine.certSANs; on a worker, by asking a
// control plane's trustd (KubernetesRootSecret's endpoint) through an injected RemoteSigner.
import {
  API_CERTIFICATES_ID,
  ApiCertificatesType,
  KUBERNETES_ROOT_ID,
  KubernetesRootSecretType,
  OS_ROOT_ID,
  OSRootSecretType,
  SECRETS_NAMESPACE,
  type ApiCertificatesSpec,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { IssuingController, type IssuePlan } from './issuing-controller.js';
import { NAME_INPUTS, nodeNames, renewAt, splitSans, validity, type IssuingOptions, type Sans } from './issuing.js';
import { requestApiCertificates, type RemoteSigner } from './api-certificates-remote.js';
import { issueLeaf, type IssuingCa } from './x509.js';

/** The API certificate's names: hostname, certSANs, the node's addresses, and loopback (local clients, tests). */
export function apiSans(hostnames: readonly string[], certSANs: readonly string[], addresses: readonly string[]): Sans {
  return splitSans([...hostnames, ...certSANs, 'localhost', ...addresses, '127.0.0.1', '::1']);
}

/** Issues the API server certificate for `sans` from `ca`, valid from `now` for `ttlMs`. */
export function issueApiCertificates(ca: IssuingCa, sans: Sans, now: number, ttlMs: number): ApiCertificatesSpec {
  const leaf = issueLeaf(ca, {
    commonName: sans.dnsNames[0] ?? 'apid',
    usage: 'server',
    ...sans,
    ...validity(now, ttlMs),
  });
  return { ca: ca.crt, ...leaf, ...sans, renewAt: renewAt([leaf.crt]) };
}

/** Options of {@link ApiCertificatesSpecController}. */
export interface ApiCertificatesOptions extends IssuingOptions {
  /** How a node without the CA key (a worker) gets its certificate: trustd on a control plane. */
  readonly remote?: RemoteSigner;
}

/**
 * Keeps `secrets/ApiCertificates/api` a server certificate from the machine CA for the node's current names. It is
 * re-issued when the CA or the names change, and at 2/3 of its lifetime (the renewal timer wakes the controller). A
 * node whose OSRootSecret holds no CA key (a worker) asks trustd through `remote` (a failed request throws, and the
 * runtime retries the pass with backoff; a certificate it holds stays until a new one comes); without `remote` it
 * issues nothing and says so once in the log.
 */
export class ApiCertificatesSpecController extends IssuingController<ApiCertificatesSpec> implements Controller {
  readonly inputs = [
    { namespace: SECRETS_NAMESPACE, type: OSRootSecretType.type, id: OS_ROOT_ID, kind: 'weak' as const },
    ...NAME_INPUTS,
    {
      namespace: SECRETS_NAMESPACE,
      type: KubernetesRootSecretType.type,
      id: KUBERNETES_ROOT_ID,
      kind: 'weak' as const,
    },
  ];
  readonly outputs = [{ type: ApiCertificatesType.type, kind: 'exclusive' as const }];
  private readonly remote: RemoteSigner | undefined;

  constructor(o: ApiCertificatesOptions = {}) {
    super('secrets.ApiCertificatesSpecController', ApiCertificatesType, API_CERTIFICATES_ID, o);
    this.remote = o.remote;
  }

  protected async plan(ctx: ControllerContext): Promise<IssuePlan<ApiCertificatesSpec>> {
    const root = await ctx.get(OSRootSecretType, SECRETS_NAMESPACE, OS_ROOT_ID);
    if (root === undefined || root.metadata.phase !== 'running') return { drop: undefined };
    const remote = this.remote;
    if (!root.spec.signs && remote === undefined) {
      return {
        drop: 'machine.ca holds no key (a worker): the API certificate is not issued on this node; it needs one from a control plane',
      };
    }
    const { hostnames, addresses } = await nodeNames(ctx);
    const { ca, token } = root.spec;
    const sans = apiSans(hostnames, root.spec.certSANs, addresses);
    const endpoint = (await ctx.get(KubernetesRootSecretType, SECRETS_NAMESPACE, KUBERNETES_ROOT_ID))?.spec.endpoint;
    return {
      sans,
      sameRoots: (cur) => cur.ca === ca.crt,
      issue: (now) =>
        root.spec.signs || remote === undefined
          ? issueApiCertificates(ca, sans, now, this.ttlMs)
          : requestApiCertificates(remote, { endpoint: endpoint ?? '', token, ca: ca.crt, sans, now }, ctx.signal),
      what: root.spec.signs ? 'the API certificate' : 'the API certificate from trustd',
    };
  }
}
