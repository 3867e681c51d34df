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
import { realClock, silentLogger, type Clock, type Controller, type ControllerContext } from '../../runtime/index.js';
import {
  LEAF_TTL_MS,
  NAME_INPUTS,
  NoteOnce,
  dropIssued,
  keepIssued,
  nodeNames,
  renewAt,
  splitSans,
  validity,
  type IssuingOptions,
  type Sans,
} from './issuing.js';
import { RenewalTimer } from './renewal.js';
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
export class EtcdSecretsSpecController implements Controller {
  readonly name = 'secrets.EtcdSecretsSpecController';
  readonly inputs = [
    { namespace: SECRETS_NAMESPACE, type: EtcdRootSecretType.type, id: ETCD_ROOT_ID, kind: 'weak' as const },
    ...NAME_INPUTS,
  ];
  readonly outputs = [{ type: EtcdSecretsType.type, kind: 'exclusive' as const }];
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly renewal: RenewalTimer;
  private readonly note: NoteOnce;

  constructor(o: IssuingOptions = {}) {
    this.clock = o.clock ?? realClock;
    this.ttlMs = o.ttlMs ?? LEAF_TTL_MS;
    this.renewal = new RenewalTimer(this.clock);
    this.note = new NoteOnce(o.logger ?? silentLogger, this.name);
  }

  async reconcile(ctx: ControllerContext): Promise<void> {
    const root = await ctx.get(EtcdRootSecretType, SECRETS_NAMESPACE, ETCD_ROOT_ID);
    const drop = { type: EtcdSecretsType, id: ETCD_SECRETS_ID, renewal: this.renewal, note: this.note };
    if (root === undefined || root.metadata.phase !== 'running') {
      await dropIssued(ctx, { ...drop, reason: undefined });
      return;
    }
    if (!root.spec.signs) {
      const reason =
        'cluster.etcd.ca holds no key on this node (not a control plane): etcd certificates are not issued';
      await dropIssued(ctx, { ...drop, reason });
      return;
    }
    const { hostnames, addresses } = await nodeNames(ctx);
    const ca = root.spec.ca;
    const sans = etcdSans(hostnames, addresses);
    await keepIssued(ctx, {
      type: EtcdSecretsType,
      id: ETCD_SECRETS_ID,
      sans,
      sameRoots: (cur) => cur.ca === ca.crt,
      issue: (now) => issueEtcdSecrets(ca, sans, now, this.ttlMs),
      clock: this.clock,
      renewal: this.renewal,
      note: this.note,
      what: 'the etcd certificates',
    });
  }

  /** Wakes a pass when the certificates are due for renewal. */
  watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    return this.renewal.run(signal, changed);
  }
}
