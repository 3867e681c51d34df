// etcd on this node: follows EtcdSpec and EtcdSecrets, keeps the supervisor's etcd service matching them (joining the
// cluster and promoting the new member when this node does not bootstrap it), and answers the API's etcd calls
// (members, status, snapshot) through the local member with the etcdctl certificate.
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
import { errorMessage, type Logger } from '../controller/index.js';
import type { EtcdClient } from '../etcd/index.js';
import type { Supervisor } from '../services/index.js';
import { NodeStateError } from './errors.js';
import { planStart, promoteLearner, type JoinOptions, type StartPlan } from './etcd-join.js';
import { etcdClient, etcdDirs, etcdService, localEtcdClient, writeEtcdPki } from './etcd-service.js';
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
  readonly logger: Logger;
}

/** etcd's service and API on one node. */
export class NodeEtcd {
  private spec: EtcdSpecSpec | undefined;
  private secrets: EtcdSecretsSpec | undefined;
  /** The spec etcd was registered with, as JSON. */
  private registered: string | undefined;
  /** The registered etcd's spec and newest certificates (those it was registered with while EtcdSecrets is absent). */
  private current: { spec: EtcdSpecSpec; secrets: () => EtcdSecretsSpec } | undefined;
  /** How etcd last started. */
  private plan: StartPlan | undefined;
  private readonly subscriptions: { unsubscribe(): void }[] = [];
  /** Ends the promotion of the registered member, if one runs. */
  private promotion: AbortController | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly o: NodeEtcdOptions) {
    // Each time etcd runs, a member that joined as a learner is promoted (again after a crash before the promotion).
    this.unsubscribe = o.supervisor.subscribe((s) => {
      if (s.id === 'etcd' && s.state === 'Running') this.promote();
    });
  }

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

  /** Stops following, and stops promoting the member. */
  close(): void {
    for (const sub of this.subscriptions) sub.unsubscribe();
    this.unsubscribe();
    this.promotion?.abort();
  }

  private log(msg: string): void {
    this.o.logger.log('info', 'etcd', msg);
  }

  private joinOptions(spec: EtcdSpecSpec, secrets: () => EtcdSecretsSpec): JoinOptions {
    return {
      spec,
      client: (endpoints) => etcdClient(secrets(), endpoints),
      log: (m) => {
        this.log(m);
      },
    };
  }

  /** Starts promoting the member when this node joined the cluster and no promotion runs. */
  private promote(): void {
    if (this.current === undefined || this.current.spec.bootstrap || this.promotion !== undefined) return;
    const { spec, secrets } = this.current;
    const ac = new AbortController();
    this.promotion = ac;
    const endpoints = [...new Set([...spec.joinEndpoints, ...(this.plan?.clientUrls ?? [])])];
    const local = (): EtcdClient => localEtcdClient(secrets());
    promoteLearner({ ...this.joinOptions(spec, secrets), local, endpoints }, ac.signal)
      .catch((e: unknown) => {
        this.o.logger.log('warn', 'etcd', `promoting the etcd member: ${errorMessage(e)}`);
      })
      .finally(() => {
        if (this.promotion === ac) this.promotion = undefined;
      });
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
      this.promotion?.abort();
      this.promotion = undefined;
      await this.o.supervisor.unregister('etcd');
      this.registered = undefined;
      this.current = undefined;
      if (!ready) await this.o.removed('etcd');
    }
    if (!ready) return;
    const current = (): EtcdSecretsSpec => this.secrets ?? secrets;
    this.current = { spec, secrets: current };
    this.plan = undefined;
    const dirs = etcdDirs(this.o.stateDir);
    const plan = async (signal: AbortSignal): Promise<StartPlan> => {
      this.plan = await planStart(dirs.data, this.joinOptions(spec, current), signal);
      return this.plan;
    };
    const definition = etcdService(spec, current, this.o.home, dirs, plan);
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
