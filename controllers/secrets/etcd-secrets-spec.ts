// EtcdSecretsSpecController: issues EtcdSecrets (etcd's server, peer, etcdctl and kube-apiserver client certificates)
// from EtcdRootSecret, for the node's live addresses (NodeAddress) and hostname (HostnameStatus).
import {
  ETCD_ROOT_ID,
  ETCD_SECRETS_ID,
  EtcdRootSecretType,
  EtcdSecretsType,
  SECRETS_NAMESPACE,
  type EtcdSecretsSpec,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { IssuingController, type IssuePlan } from './issuing-controller.js';
import { NAME_INPUTS, nodeNames, renewAt, splitSans, validity, type IssuingOptions, type Sans } from './issuing.js';
import { issueLeaf, type IssuingCa } from './x509.js';

/** etcd's server and peer names: hostname, localhost, the node's addresses and loopback. */
export function etcdSans(hostnames: readonly string[], addresses: readonly string[]): Sans {
  return splitSans([...hostnames, 'localhost', ...addresses, '127.0.0.1', '::1']);
}

/** Issues the four etcd certificates for `sans` from `ca`, valid from `now` for `ttlMs`. */
export function issueEtcdSecrets(ca: IssuingCa, sans: Sans, now: number, ttlMs: number): EtcdSecretsSpec {
  const when = validity(now, ttlMs);
  const host = sans.dnsNames[0] ?? 'etcd';
  const server = issueLeaf(ca, { commonName: host, usage: 'peer', ...sans, ...when });
  const peer = issueLeaf(ca, { commonName: host, usage: 'peer', ...sans, ...when });
  // etcd takes the client certificate's CN as the user: root is etcd's administrator.
  const admin = issueLeaf(ca, { commonName: 'root', organization: ['etcd:admin'], usage: 'client', ...when });
  const apiServerClient = issueLeaf(ca, {
    commonName: 'kube-apiserver-etcd-client',
    organization: ['system:masters'],
    usage: 'client',
    ...when,
  });
  const all = [server, peer, admin, apiServerClient].map((p) => p.crt);
  return { ca: ca.crt, server, peer, admin, apiServerClient, ...sans, renewAt: renewAt(all) };
}

/**
 * Keeps `secrets/EtcdSecrets/etcd` issued from the etcd CA for the node's current names: re-issued when the CA or the
 * names change and at 2/3 of the lifetime. Absent where EtcdRootSecret is absent or cannot sign (workers).
 */
export class EtcdSecretsSpecController extends IssuingController<EtcdSecretsSpec> implements Controller {
  readonly inputs = [
    { namespace: SECRETS_NAMESPACE, type: EtcdRootSecretType.type, id: ETCD_ROOT_ID, kind: 'weak' as const },
    ...NAME_INPUTS,
  ];
  readonly outputs = [{ type: EtcdSecretsType.type, kind: 'exclusive' as const }];

  constructor(o: IssuingOptions = {}) {
    super('secrets.EtcdSecretsSpecController', EtcdSecretsType, ETCD_SECRETS_ID, o);
  }

  protected async plan(ctx: ControllerContext): Promise<IssuePlan<EtcdSecretsSpec>> {
    const root = await ctx.get(EtcdRootSecretType, SECRETS_NAMESPACE, ETCD_ROOT_ID);
    if (root === undefined || root.metadata.phase !== 'running') return { drop: undefined };
    if (!root.spec.signs) {
      return {
        drop: 'cluster.etcd.ca holds no key on this node (not a control plane): etcd certificates are not issued',
      };
    }
    const { hostnames, addresses } = await nodeNames(ctx);
    const ca = root.spec.ca;
    const sans = etcdSans(hostnames, addresses);
    return {
      sans,
      sameRoots: (cur) => cur.ca === ca.crt,
      issue: (now) => issueEtcdSecrets(ca, sans, now, this.ttlMs),
      what: 'the etcd certificates',
    };
  }
}
