// How this node's etcd member starts: from its own data, as a new cluster (the bootstrap node), or by joining the
// cluster through etcd at the control-plane endpoint: added as a learner, started, then promoted once in sync.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ETCD_CLIENT_PORT, ETCD_PEER_PORT, type EtcdSpecSpec } from '../../resources/index.js';
import {
  Backoff,
  backoffOptions,
  errorMessage,
  realClock,
  type BackoffOptions,
  type Clock,
} from '../controller/index.js';
import { aborted } from '../controller/clock.js';
import type { EtcdClient, Member } from '../etcd/index.js';

/** An etcd URL of `ip` and `port`, with IPv6 in brackets. */
export const etcdUrl = (ip: string, port: number): string => `https://${ip.includes(':') ? `[${ip}]` : ip}:${port}`;

/** The peer URL this node's member advertises. */
export function peerUrl(spec: EtcdSpecSpec): string {
  return etcdUrl(spec.advertisedAddresses[0] ?? '127.0.0.1', ETCD_PEER_PORT);
}

/** The local member's client URL (etcd always listens on loopback too). */
export const LOCAL_CLIENT_URL = etcdUrl('127.0.0.1', ETCD_CLIENT_PORT);

/** etcd's --initial-cluster and --initial-cluster-state for one start. */
export interface StartPlan {
  /** `name=peerURL,…`: every member, this one under its own name. */
  readonly initialCluster: string;
  readonly state: 'new' | 'existing';
  /** Client URLs of members that had started when this one joined (for promoting it). */
  readonly clientUrls: readonly string[];
}

/**
 * Whether etcd has a write-ahead log in `dataDir`: then it restarts as the member it was and ignores the initial-*
 * flags. (Not just `member/`: etcd creates `member/snap` before it tries to join, so a failed join leaves that.)
 */
export function hasEtcdData(dataDir: string): boolean {
  try {
    return readdirSync(join(dataDir, 'member', 'wal')).some((f) => f.endsWith('.wal'));
  } catch {
    return false;
  }
}

/** The plan of a member that starts alone: a new cluster, or its existing data (the flags are then ignored). */
export function soloPlan(spec: EtcdSpecSpec): StartPlan {
  return { initialCluster: `${spec.name}=${peerUrl(spec)}`, state: 'new', clientUrls: [] };
}

/** Options of {@link planStart} and {@link promoteLearner}. */
export interface JoinOptions {
  readonly spec: EtcdSpecSpec;
  /** A client of the cluster at `endpoints` with this node's etcd admin certificate (closed after each attempt). */
  readonly client: (endpoints: readonly string[]) => EtcdClient;
  readonly log: (msg: string) => void;
  readonly clock?: Clock;
  /** Between attempts; default 500 ms doubling to 5 s. */
  readonly backoff?: Partial<BackoffOptions>;
}

/** One attempt to add this member: reuses an added but unstarted one (a start that crashed), replaces a stale one. */
async function joinOnce(c: EtcdClient, spec: EtcdSpecSpec, learned: (m: Member[]) => void, signal: AbortSignal) {
  const peer = peerUrl(spec);
  let members = await c.members({ signal });
  learned(members);
  let mine = members.find((m) => m.peerURLs.includes(peer));
  if (mine !== undefined && mine.name !== '') {
    // It started once but this node has no data for it: a member that lost its log cannot come back; replace it.
    members = await c.memberRemove(mine.id, { signal });
    mine = undefined;
  }
  if (mine === undefined) {
    // A learner does not count towards the quorum: if this node never starts, the cluster keeps working.
    ({ member: mine, members } = await c.memberAdd([peer], { learner: true, signal }));
  }
  const id = mine.id;
  const initialCluster = members
    .flatMap((m) => m.peerURLs.map((u) => `${m.id === id ? spec.name : m.name}=${u}`))
    .join(',');
  return { initialCluster, state: 'existing' as const, clientUrls: members.flatMap((m) => m.clientURLs) };
}

/**
 * The plan of this node's next etcd start. With data, or on the bootstrap node, it starts alone. Otherwise it asks the
 * cluster (the spec's join endpoints, then any member learned from them) to add it as a learner, retrying with
 * backoff until one does or `signal` aborts (then it rejects with the signal's reason).
 */
export async function planStart(dataDir: string, o: JoinOptions, signal: AbortSignal): Promise<StartPlan> {
  const { spec } = o;
  if (hasEtcdData(dataDir) || spec.bootstrap) return soloPlan(spec);
  const clock = o.clock ?? realClock;
  const backoff = new Backoff(backoffOptions({ baseMs: 500, maxMs: 5000, ...o.backoff }));
  const endpoints = new Set(spec.joinEndpoints);
  const learned = (members: Member[]): void => {
    for (const m of members) for (const u of m.clientURLs) endpoints.add(u);
  };
  for (;;) {
    const c = o.client([...endpoints]);
    try {
      const plan = await joinOnce(c, spec, learned, signal);
      o.log(`added to the etcd cluster as a learner; starting with --initial-cluster=${plan.initialCluster}`);
      return plan;
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      const delay = backoff.next();
      o.log(
        `cannot join the etcd cluster through ${[...endpoints].join(', ')} yet: ${errorMessage(e)}; retrying in ${Math.round(delay)} ms`,
      );
      await clock.sleep(delay, signal);
    } finally {
      c.close();
    }
    if (aborted(signal)) throw signal.reason;
  }
}

/**
 * Promotes this node's member once it has caught up with the leader, when it is a learner: asks the local member
 * whether it is one, then the cluster (`endpoints`) to promote it, retrying with backoff (250 ms to 2 s) until it is a
 * voting member or `signal` aborts. `local` gives a client of the local member.
 */
export async function promoteLearner(
  o: JoinOptions & { readonly local: () => EtcdClient; readonly endpoints: readonly string[] },
  signal: AbortSignal,
): Promise<void> {
  const clock = o.clock ?? realClock;
  const backoff = new Backoff(backoffOptions({ baseMs: 250, maxMs: 2000, ...o.backoff }));
  let last = '';
  while (!signal.aborted) {
    const local = o.local();
    const cluster = o.client(o.endpoints);
    try {
      const status = await local.status(LOCAL_CLIENT_URL, { signal, timeoutMs: 2000 });
      if (!status.isLearner) return;
      await cluster.memberPromote(status.memberId, { signal, timeoutMs: 5000 });
      o.log(`promoted this etcd member ${BigInt(status.memberId).toString(16)} from learner to voting member`);
      return;
    } catch (e) {
      const why = errorMessage(e);
      // "not in sync with leader" is expected for a moment after the start: said once, not at every retry.
      if (!aborted(signal) && why !== last) o.log(`etcd member not promoted yet: ${why}`);
      last = why;
    } finally {
      local.close();
      cluster.close();
    }
    await clock.sleep(backoff.next(), signal);
  }
}
