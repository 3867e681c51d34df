// A client of etcd 3.4's v3 gRPC API over mutual TLS: keys and watches, membership, status, alarms, snapshots and health
// checks.
import { performance } from 'node:perf_hooks';
import { status as grpcStatus } from '@grpc/grpc-js';
import { InvalidArgumentError, InvariantError } from '../../resources/errors.js';
import { Connection, grpcTarget, type TlsIdentity } from './connection.js';
import { EtcdAlarmError, EtcdError, notSent } from './errors.js';
import { M, toBuffer, toNumber, type Message, type MethodCodec } from './proto.js';
import {
  alarmsFromPb,
  keyValueFromPb,
  memberFromPb,
  memberIdArg,
  membersFromPb,
  statusFromPb,
  type Alarm,
  type CallOpts,
  type EndpointStatus,
  type EtcdClientOptions,
  type HealthResult,
  type KeyValue,
  type Member,
} from './types.js';
import { prefixEnd, watchBatchFromPb, type WatchBatch } from './watch.js';

/** Deadline of calls that set none. */
const DEFAULT_TIMEOUT_MS = 10_000;

/** Deadline of a health check: etcdctl's --command-timeout default. */
const HEALTH_TIMEOUT_MS = 5_000;

/** Options of a call that may name the endpoint to ask instead of any that answers. */
export interface EndpointOpts extends CallOpts {
  /** Ask this member only (one of the endpoints, or any other client URL of the cluster). */
  readonly endpoint?: string | undefined;
}

/** Options of snapshot(). */
export interface SnapshotOpts {
  /** Stops the stream; the loop then ends with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** The member to read the snapshot from; the client's current endpoint by default. */
  readonly endpoint?: string | undefined;
  /** Called after each piece with the bytes received so far and the total size. */
  readonly onProgress?: ((received: number, total: number) => void) | undefined;
}

function bytes(v: string | Uint8Array): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** A key as text in messages: UTF-8, quoted. */
function keyName(key: string | Uint8Array): string {
  return JSON.stringify(typeof key === 'string' ? key : bytes(key).toString('utf8'));
}

/**
 * A client of one etcd cluster. Channels are made lazily, one per endpoint, and re-made after a member restarts.
 * Calls reject with EtcdUnavailableError (unreachable, no leader, past the deadline), NotFoundError (no such member),
 * ConflictError('exists') (member or peer URL already in the cluster), EtcdError, or the signal's reason when aborted.
 */
export class EtcdClient {
  /** The client URLs, in the order they are tried. */
  readonly endpoints: readonly string[];
  private readonly tls: TlsIdentity;
  private readonly timeoutMs: number;
  private readonly conns = new Map<string, Connection>();
  /** The endpoint that answered last; calls start there. */
  private current = 0;
  private closed = false;

  constructor(options: EtcdClientOptions) {
    if (options.endpoints.length === 0) {
      throw new InvalidArgumentError('etcd client: endpoints is empty; give at least one https://HOST:PORT');
    }
    for (const e of options.endpoints) grpcTarget(e); // a bad URL fails here, not at the first call
    this.endpoints = [...options.endpoints];
    this.tls = { ca: options.ca, cert: options.cert, key: options.key, servername: options.servername };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Closes every channel; calls and snapshots in flight fail. Calls after close are bugs (InvariantError). */
  close(): void {
    this.closed = true;
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }

  private conn(endpoint: string): Connection {
    if (this.closed) throw new InvariantError(`etcd client used after close (endpoint ${endpoint})`);
    let c = this.conns.get(endpoint);
    if (c === undefined) {
      c = new Connection(endpoint, this.tls);
      this.conns.set(endpoint, c);
    }
    return c;
  }

  /**
   * Calls `codec` at `opts.endpoint`, or at the current endpoint and then the next ones while the call cannot be
   * sent (no connection): a request that reached a member is never sent again.
   */
  private async call(
    codec: MethodCodec,
    request: Message,
    what: string,
    opts: EndpointOpts,
  ): Promise<{ endpoint: string; message: Message }> {
    const unaryOpts = { signal: opts.signal, timeoutMs: opts.timeoutMs ?? this.timeoutMs };
    if (opts.endpoint !== undefined) {
      const message = await this.conn(opts.endpoint).unary(codec, request, what, unaryOpts);
      return { endpoint: opts.endpoint, message };
    }
    let last: unknown;
    for (let i = 0; i < this.endpoints.length; i++) {
      const index = (this.current + i) % this.endpoints.length;
      const endpoint = this.endpoints[index] ?? '';
      try {
        const message = await this.conn(endpoint).unary(codec, request, what, unaryOpts);
        this.current = index;
        return { endpoint, message };
      } catch (e) {
        if (!(e instanceof Error && notSent(e.cause))) throw e;
        last = e;
      }
    }
    throw last;
  }

  /** The key's value; undefined when there is none. Linearizable unless `serializable` (a member-local read). */
  async get(
    key: string | Uint8Array,
    opts: EndpointOpts & { serializable?: boolean } = {},
  ): Promise<KeyValue | undefined> {
    const request = { key: bytes(key), serializable: opts.serializable === true };
    const { message } = await this.call(M.range, request, `get ${keyName(key)}`, opts);
    const kvs = Array.isArray(message.kvs) ? (message.kvs as Message[]) : [];
    return kvs[0] === undefined ? undefined : keyValueFromPb(kvs[0]);
  }

  /** Sets the key's value; resolves with the store's revision after the write. */
  async put(key: string | Uint8Array, value: string | Uint8Array, opts: CallOpts = {}): Promise<{ revision: number }> {
    const { message } = await this.call(M.put, { key: bytes(key), value: bytes(value) }, `put ${keyName(key)}`, opts);
    return { revision: toNumber((message.header as Message | null)?.revision) };
  }

  /** Deletes the key; resolves with how many keys went (0 or 1) and the store's revision after the call. */
  async delete(key: string | Uint8Array, opts: CallOpts = {}): Promise<{ deleted: number; revision: number }> {
    const { message } = await this.call(M.deleteRange, { key: bytes(key) }, `delete ${keyName(key)}`, opts);
    return {
      deleted: toNumber(message.deleted),
      revision: toNumber((message.header as Message | null)?.revision),
    };
  }

  /** Every key starting with `prefix`, in key order, and the store's revision they were read at (linearizable). */
  async list(prefix: string, opts: EndpointOpts = {}): Promise<{ kvs: KeyValue[]; revision: number }> {
    const request = { key: bytes(prefix), rangeEnd: prefixEnd(bytes(prefix)) };
    const { message } = await this.call(M.range, request, `list ${keyName(prefix)}`, opts);
    const kvs = Array.isArray(message.kvs) ? (message.kvs as Message[]) : [];
    return { kvs: kvs.map(keyValueFromPb), revision: toNumber((message.header as Message | null)?.revision) };
  }

  /**
   * The changes of every key starting with `prefix` from `startRevision` on (list()'s revision + 1 continues a list
   * without a gap; default: from now), one batch per response, until the loop ends or `signal` aborts. The member
   * must have a leader (etcd ends the stream when it loses it): the loop then fails with EtcdUnavailableError, and
   * with EtcdError when etcd cancels the watch (OUT_OF_RANGE: the start revision was compacted).
   */
  async *watch(
    prefix: string,
    opts: { startRevision?: number; signal?: AbortSignal; endpoint?: string } = {},
  ): AsyncGenerator<WatchBatch, void, undefined> {
    const endpoint = opts.endpoint ?? this.endpoints[this.current] ?? '';
    const what = `watch ${keyName(prefix)}`;
    const createRequest = {
      key: bytes(prefix),
      rangeEnd: prefixEnd(bytes(prefix)),
      startRevision: opts.startRevision ?? 0,
    };
    // "hasleader": etcd refuses the watch, or ends it, while the member has no leader (else it would just go quiet).
    const stream = this.conn(endpoint).bidiStream(M.watch, { createRequest }, what, {
      signal: opts.signal,
      metadata: { hasleader: 'true' },
    });
    for await (const m of stream) {
      const batch = watchBatchFromPb(m, `${what} at ${endpoint}`);
      if (batch !== undefined) yield batch;
    }
  }

  /** The cluster's members, as the answering member knows them. */
  async members(opts: EndpointOpts = {}): Promise<Member[]> {
    const { message } = await this.call(M.memberList, {}, 'list members', opts);
    return membersFromPb(message);
  }

  /**
   * Adds a member that will listen on `peerURLs` (a voter, or a non-voting learner with `learner`); start it next
   * with --initial-cluster-state existing. ConflictError('exists') when a member already has one of the URLs.
   */
  async memberAdd(
    peerURLs: readonly string[],
    opts: CallOpts & { learner?: boolean } = {},
  ): Promise<{ member: Member; members: Member[] }> {
    const request = { peerURLs: [...peerURLs], isLearner: opts.learner === true };
    const what = `add member ${peerURLs.join(',')}${opts.learner === true ? ' as a learner' : ''}`;
    const { message } = await this.call(M.memberAdd, request, what, opts);
    return { member: memberFromPb((message.member ?? {}) as Message), members: membersFromPb(message) };
  }

  /** Removes the member `id` (decimal); resolves with the members left. NotFoundError when there is no such member. */
  async memberRemove(id: string, opts: CallOpts = {}): Promise<Member[]> {
    const ID = memberIdArg(id);
    const { message } = await this.call(M.memberRemove, { ID }, `remove member ${ID}`, opts);
    return membersFromPb(message);
  }

  /** Makes the learner `id` a voting member once it has caught up with the leader (EtcdError before). */
  async memberPromote(id: string, opts: CallOpts = {}): Promise<Member[]> {
    const ID = memberIdArg(id);
    const { message } = await this.call(M.memberPromote, { ID }, `promote member ${ID}`, opts);
    return membersFromPb(message);
  }

  /** The alarms raised on any member (NOSPACE: writes are refused until space is freed and the alarm disarmed). */
  async alarms(opts: EndpointOpts = {}): Promise<Alarm[]> {
    const { message } = await this.call(M.alarm, { action: 'GET', memberID: '0', alarm: 'NONE' }, 'list alarms', opts);
    return alarmsFromPb(message);
  }

  /** What the member at `endpoint` says about itself: version, database size, leader, raft indices, errors. */
  async status(endpoint: string, opts: CallOpts = {}): Promise<EndpointStatus> {
    const { message } = await this.call(M.status, {}, 'status', { ...opts, endpoint });
    return statusFromPb(endpoint, message);
  }

  /**
   * Checks a member the way `etcdctl endpoint health` (3.4) does: a linearizable read of the key `health`, which goes
   * through consensus, so a member without a quorum fails (permission denied still counts as answered). With
   * `checkAlarms`, also fails on any raised alarm, as etcdctl 3.5 does. Rejects with EtcdUnavailableError past
   * `timeoutMs` (5 s by default) and EtcdAlarmError on an alarm.
   */
  async health(opts: EndpointOpts & { checkAlarms?: boolean } = {}): Promise<HealthResult> {
    const deadline = Date.now() + (opts.timeoutMs ?? HEALTH_TIMEOUT_MS);
    const start = performance.now();
    const remaining = (): EndpointOpts => ({ ...opts, timeoutMs: Math.max(1, deadline - Date.now()) });
    let endpoint: string;
    try {
      ({ endpoint } = await this.call(M.range, { key: bytes('health') }, 'health check', remaining()));
    } catch (e) {
      if (!(e instanceof EtcdError && e.grpcCode === grpcStatus.PERMISSION_DENIED)) throw e;
      endpoint = opts.endpoint ?? this.endpoints[this.current] ?? '';
    }
    if (opts.checkAlarms === true) {
      const alarms = await this.alarms({ ...remaining(), endpoint });
      if (alarms.length > 0) throw new EtcdAlarmError(alarms, endpoint);
    }
    return { endpoint, tookMs: performance.now() - start };
  }

  /**
   * The member's backend database, piece by piece (write them in order to a file: `etcdctl snapshot restore` takes
   * it; the last piece ends with the file's sha256). Leaving the loop early or aborting cancels the stream.
   */
  async *snapshot(opts: SnapshotOpts = {}): AsyncGenerator<Buffer, void, undefined> {
    const endpoint = opts.endpoint ?? this.endpoints[this.current] ?? '';
    let received = 0;
    for await (const m of this.conn(endpoint).serverStream(M.snapshot, {}, 'snapshot', opts.signal)) {
      const blob = toBuffer(m.blob);
      received += blob.length;
      opts.onProgress?.(received, received + toNumber(m.remainingBytes));
      if (blob.length > 0) yield blob;
    }
  }
}
