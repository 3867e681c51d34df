// The cluster's members on a control-plane node: once its etcd is healthy, records this node in the cluster's etcd and
// mirrors every record there into Member resources, following etcd's watch; starts over with backoff when etcd goes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ETCD_NAMESPACE,
  ETCD_SECRETS_ID,
  ETCD_SPEC_ID,
  EtcdSecretsType,
  EtcdSpecType,
  NETWORK_NAMESPACE,
  NodeAddressType,
  SECRETS_NAMESPACE,
  SERVICES_NAMESPACE,
  ServiceType,
  type EtcdSecretsSpec,
  type EtcdSpecSpec,
  type MemberSpec,
  type ResourceType,
  type State,
} from '../../resources/index.js';
import {
  Backoff,
  backoffOptions,
  errorMessage,
  realClock,
  type BackoffOptions,
  type Clock,
} from '../controller/index.js';
import type { Logger } from '../controller/index.js';
import { aborted } from '../controller/clock.js';
import { Wakeup } from '../controller/wakeup.js';
import { memberIdHex } from '../etcd/index.js';
import { NodeStateError } from './errors.js';
import { LOCAL_CLIENT_URL } from './etcd-join.js';
import { etcdClient } from './etcd-service.js';
import { MEMBERS_PREFIX, MemberMirror, recordMember } from './members-mirror.js';

/** What Member.operatingSystem says of this build: `osnode (v0.1.0)`. */
const OPERATING_SYSTEM = (() => {
  try {
    const pkg = fileURLToPath(new URL('../../../package.json', import.meta.url));
    return `osnode (v${(JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? '0.0.0'})`;
  } catch {
    return 'osnode';
  }
})();

/** Options of {@link NodeMembers}. */
export interface NodeMembersOptions {
  readonly state: State;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Between failed syncs; default 500 ms doubling to 10 s. */
  readonly backoff?: Partial<BackoffOptions>;
}

/** What this node's record and its etcd access come from. */
interface Inputs {
  spec?: EtcdSpecSpec | undefined;
  secrets?: EtcdSecretsSpec | undefined;
  addresses: readonly string[];
  etcdHealthy: boolean;
}

/** This node's record (all but its etcd member ID, read from etcd) and the certificates to write it with. */
interface Want {
  /** Changes when the record or the certificates change: a sync of another key is started over. */
  readonly key: string;
  readonly record: Omit<MemberSpec, 'etcdMemberId'>;
  readonly secrets: EtcdSecretsSpec;
}

/** The Member resources of a control-plane node, mirrored from the cluster's etcd. */
export class NodeMembers {
  private inputs: Inputs = { addresses: [], etcdHealthy: false };
  private readonly wakeup = new Wakeup();
  private readonly ac = new AbortController();
  private readonly mirror: MemberMirror;
  private readonly subscriptions: { unsubscribe(): void }[] = [];
  private session: { key: string; ac: AbortController } | undefined;
  private loop: Promise<void> = Promise.resolve();
  /** The record() calls in flight, chained. */
  private recording: Promise<void> = Promise.resolve();

  constructor(private readonly o: NodeMembersOptions) {
    this.mirror = new MemberMirror(o.state, (msg) => {
      o.logger.log('warn', 'members', msg);
    });
  }

  /** Follows EtcdSpec, EtcdSecrets, NodeAddress and the etcd service, and syncs whenever they allow. */
  start(): void {
    const follow = <S>(t: ResourceType<S>, namespace: string, id: string, set: (s: S | undefined) => void): void => {
      this.subscriptions.push(
        this.o.state.watch({ namespace, type: t.type, id }).subscribe((e) => {
          if (e.type === 'created' || e.type === 'updated') set(e.resource.spec as S);
          else if (e.type === 'destroyed') set(undefined);
          else return;
          this.changed();
        }),
      );
    };
    follow(EtcdSpecType, ETCD_NAMESPACE, ETCD_SPEC_ID, (s) => (this.inputs.spec = s));
    follow(EtcdSecretsType, SECRETS_NAMESPACE, ETCD_SECRETS_ID, (s) => (this.inputs.secrets = s));
    follow(NodeAddressType, NETWORK_NAMESPACE, 'current', (s) => {
      this.inputs.addresses = (s?.addresses ?? []).map((a) => a.split('/')[0] ?? a);
    });
    follow(ServiceType, SERVICES_NAMESPACE, 'etcd', (s) => (this.inputs.etcdHealthy = s?.healthy === true));
    this.loop = this.run(this.ac.signal);
  }

  /** Stops syncing and waits until it has stopped; the Member resources stay as they are. */
  async close(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    this.ac.abort();
    await this.loop;
  }

  /**
   * Writes the record of another node into the cluster's etcd (a worker, once it has joined): every control plane
   * then lists it. NodeStateError on a node that runs no etcd.
   */
  async record(spec: MemberSpec, signal: AbortSignal): Promise<void> {
    const secrets = this.inputs.secrets;
    if (this.inputs.spec === undefined || secrets === undefined) {
      throw new NodeStateError('this node runs no etcd: members are recorded through control-plane nodes');
    }
    // One at a time, in the order asked: a worker's first record (before its address was known) written after its
    // second would otherwise replace it.
    const write = async (): Promise<void> => {
      const client = etcdClient(secrets);
      try {
        this.renamed(spec.hostname, await recordMember(client, spec, signal));
      } finally {
        client.close();
      }
    };
    const done = this.recording.then(write, write);
    this.recording = done.catch(() => undefined);
    return done;
  }

  /** Records a worker this control plane admitted (trustd signed its certificate); it runs this same software. */
  recordWorker(
    worker: { readonly hostname: string; readonly addresses: readonly string[] },
    signal: AbortSignal,
  ): Promise<void> {
    const spec = { hostname: worker.hostname, addresses: [...worker.addresses], role: 'worker' as const };
    return this.record({ ...spec, operatingSystem: OPERATING_SYSTEM, etcdMemberId: '' }, signal);
  }

  private want(): Want | undefined {
    const { spec, secrets, addresses } = this.inputs;
    if (spec === undefined || secrets === undefined || secrets.server.key === '') return undefined;
    const record = { hostname: spec.name, role: 'controlplane' as const, addresses: [...addresses] };
    const full = { ...record, operatingSystem: OPERATING_SYSTEM };
    return { key: JSON.stringify([full, secrets.ca, secrets.admin.crt]), record: full, secrets };
  }

  private changed(): void {
    const session = this.session;
    if (session !== undefined && session.key !== this.want()?.key) session.ac.abort();
    this.wakeup.fire();
  }

  private async run(signal: AbortSignal): Promise<void> {
    const clock = this.o.clock ?? realClock;
    const backoff = new Backoff(backoffOptions({ baseMs: 500, maxMs: 10_000, ...this.o.backoff }));
    while (!signal.aborted) {
      const want = this.want();
      if (want === undefined || !this.inputs.etcdHealthy) {
        // Not a control plane (any more): what was mirrored is no longer followed.
        if (this.inputs.spec === undefined) {
          await this.mirror.clear().catch((e: unknown) => {
            this.warn(e);
          });
        }
        await this.wakeup.wait(signal);
        continue;
      }
      const session = { key: want.key, ac: new AbortController() };
      this.session = session;
      try {
        await this.sync(want, AbortSignal.any([signal, session.ac.signal]), backoff);
      } catch (e) {
        if (aborted(signal) || session.ac.signal.aborted) continue;
        const delay = backoff.next();
        this.warn(e, `; syncing again in ${Math.round(delay)} ms`);
        await clock.sleep(delay, signal);
      } finally {
        this.session = undefined;
      }
    }
  }

  /** Records this node, lists every record into Member resources, then applies each change etcd reports. */
  private async sync(want: Want, signal: AbortSignal, backoff: Backoff): Promise<void> {
    const client = etcdClient(want.secrets);
    try {
      const status = await client.status(LOCAL_CLIENT_URL, { signal });
      const record = { ...want.record, etcdMemberId: memberIdHex(status.memberId) };
      this.renamed(record.hostname, await recordMember(client, record, signal));
      const { kvs, revision } = await client.list(MEMBERS_PREFIX, { signal });
      await this.mirror.replaceAll(kvs);
      backoff.reset();
      for await (const batch of client.watch(MEMBERS_PREFIX, { startRevision: revision + 1, signal })) {
        await this.mirror.apply(batch.events);
      }
      throw new Error('etcd ended the watch of the member records');
    } finally {
      client.close();
    }
  }

  private renamed(hostname: string, earlier: readonly string[]): void {
    for (const h of earlier) this.o.logger.log('info', 'members', `${hostname} was ${h}: removed the record of ${h}`);
  }

  private warn(e: unknown, suffix = ''): void {
    this.o.logger.log('warn', 'members', `cluster members from etcd: ${errorMessage(e)}${suffix}`);
  }
}
