// etcd on this node: follows EtcdSpec and EtcdSecrets, keeps the supervisor's etcd service matching them, and answers
// the API's etcd calls (members, status, snapshot) through the local member with the etcdctl certificate.
import type { PbEtcdMember, PbEtcdMemberStatus } from '../../api/proto/types.js';
import {
  ETCD_CLIENT_PORT,
  ETCD_NAMESPACE,
  ETCD_SECRETS_ID,
  ETCD_SPEC_ID,
  EtcdSecretsType,
  EtcdSpecType,
  SECRETS_NAMESPACE,
  type EtcdSecretsSpec,
  type EtcdSpecSpec,
  type ResourceType,
  type State,
} from '../../resources/index.js';
import type { EtcdClient } from '../etcd/index.js';
import type { Supervisor } from '../services/index.js';
import { NodeStateError } from './errors.js';
import { etcdDirs, etcdService, localEtcdClient, writeEtcdPki } from './etcd-service.js';
import type { ContainerHome } from './extension-service.js';

/** Options of {@link NodeEtcd}. */
export interface NodeEtcdOptions {
  readonly state: State;
  readonly supervisor: Supervisor;
  readonly stateDir: string;
  readonly home: ContainerHome;
  /** Called when the spec or the certificates change: the owner serializes and calls {@link NodeEtcd.reconcile}. */
  readonly changed: () => void;
  /** Removes the Service resource of a service that is gone. */
  readonly removed: (id: string) => Promise<void>;
}

/** etcd's service and API on one node. */
export class NodeEtcd {
  private spec: EtcdSpecSpec | undefined;
  private secrets: EtcdSecretsSpec | undefined;
  /** The spec etcd was registered with, as JSON. */
  private registered: string | undefined;
  private readonly subscriptions: { unsubscribe(): void }[] = [];

  constructor(private readonly o: NodeEtcdOptions) {}

  /** Follows EtcdSpec and EtcdSecrets. */
  start(): void {
    const follow = <S>(t: ResourceType<S>, namespace: string, id: string, set: (s: S | undefined) => void): void => {
      this.subscriptions.push(
        this.o.state.watch({ namespace, type: t.type, id }).subscribe((e) => {
          if (e.type === 'created' || e.type === 'updated') set(e.resource.spec as S);
          else if (e.type === 'destroyed') set(undefined);
          else return;
          this.o.changed();
        }),
      );
    };
    follow(EtcdSpecType, ETCD_NAMESPACE, ETCD_SPEC_ID, (spec) => (this.spec = spec));
    follow(EtcdSecretsType, SECRETS_NAMESPACE, ETCD_SECRETS_ID, (secrets) => (this.secrets = secrets));
  }

  /** Stops following. */
  close(): void {
    for (const sub of this.subscriptions) sub.unsubscribe();
  }

  /**
   * Registers etcd for the current spec and certificates, replaces it when the spec changed, and removes it when
   * either is gone (a worker; a config without the etcd CA key). Re-issued certificates are written in place: etcd
   * reads them again for each new connection.
   */
  async reconcile(): Promise<void> {
    const spec = this.spec;
    const secrets = this.secrets;
    const ready = spec !== undefined && secrets !== undefined && secrets.server.key !== '';
    const want = ready ? JSON.stringify(spec) : undefined;
    if (ready && want === this.registered) {
      await writeEtcdPki(etcdDirs(this.o.stateDir).pki, secrets);
      return;
    }
    if (this.registered !== undefined) {
      await this.o.supervisor.unregister('etcd');
      this.registered = undefined;
      if (!ready) await this.o.removed('etcd');
    }
    if (!ready) return;
    const definition = etcdService(spec, () => this.secrets ?? secrets, this.o.home, etcdDirs(this.o.stateDir));
    this.o.supervisor.register(definition);
    this.registered = want;
    await this.o.supervisor.start('etcd');
  }

  private async withClient<T>(fn: (c: EtcdClient) => Promise<T>): Promise<T> {
    const secrets = this.secrets;
    if (this.registered === undefined || secrets === undefined) {
      throw new NodeStateError(
        'this node runs no etcd: only control-plane nodes do, once their etcd certificates are issued (osctl get etcdspec)',
      );
    }
    const client = localEtcdClient(secrets);
    try {
      return await fn(client);
    } finally {
      client.close();
    }
  }

  /** The members of this node's etcd cluster. */
  members(signal: AbortSignal): Promise<PbEtcdMember[]> {
    return this.withClient(async (c) =>
      (await c.members({ signal })).map((m) => ({
        id: m.id,
        hostname: m.name,
        peerUrls: [...m.peerURLs],
        clientUrls: [...m.clientURLs],
        isLearner: m.isLearner,
      })),
    );
  }

  /** This node's etcd member status. */
  status(signal: AbortSignal): Promise<PbEtcdMemberStatus> {
    return this.withClient(async (c) => {
      const s = await c.status(`https://127.0.0.1:${ETCD_CLIENT_PORT}`, { signal });
      return {
        memberId: s.memberId,
        protocolVersion: s.version,
        dbSize: String(s.dbSize),
        dbSizeInUse: String(s.dbSizeInUse),
        leader: s.leader,
        raftIndex: String(s.raftIndex),
        raftTerm: String(s.raftTerm),
        raftAppliedIndex: String(s.raftAppliedIndex),
        errors: [...s.errors],
        isLearner: s.isLearner,
      };
    });
  }

  /** A snapshot of this node's etcd database. */
  snapshot(signal: AbortSignal): AsyncIterable<Buffer> {
    const secrets = this.secrets;
    if (this.registered === undefined || secrets === undefined) {
      throw new NodeStateError('this node runs no etcd: only control-plane nodes do');
    }
    return (async function* () {
      const client = localEtcdClient(secrets);
      try {
        yield* client.snapshot({ signal });
      } finally {
        client.close();
      }
    })();
  }
}
