// What the etcd client returns: plain objects decoded from etcd's messages, with 64-bit IDs kept as decimal strings.
import { InvalidArgumentError } from '../../resources/errors.js';
import { toBuffer, toId, toNumber, type Message } from './proto.js';

/** Options of every call. */
export interface CallOpts {
  /** Cancels the call; it then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Milliseconds before the call fails with EtcdUnavailableError; the client's `timeoutMs` by default. */
  readonly timeoutMs?: number | undefined;
}

/** How to reach etcd: its client URLs and the client's mutual-TLS identity. */
export interface EtcdClientOptions {
  /** Client URLs, tried in order (`https://127.0.0.1:2379`); a call moves on only when one cannot be connected to. */
  readonly endpoints: readonly string[];
  /** The CA that signed etcd's serving certificates (PEM). */
  readonly ca: string;
  /** The client certificate (PEM), signed by the CA etcd trusts for clients (--trusted-ca-file). */
  readonly cert: string;
  /** The client certificate's private key (PEM). */
  readonly key: string;
  /** Verify etcd's certificate against this name instead of each endpoint's host. */
  readonly servername?: string | undefined;
  /** Deadline of calls that set none, in milliseconds; 10 000 by default. */
  readonly timeoutMs?: number | undefined;
}

/** One key and its value, as a Range returns it. */
export interface KeyValue {
  /** The key, as UTF-8 text. */
  readonly key: string;
  readonly value: Buffer;
  readonly createRevision: number;
  readonly modRevision: number;
  /** Writes since the key was created (1 after the first put). */
  readonly version: number;
  /** The attached lease ID; '0' for none. */
  readonly lease: string;
}

/** A cluster member. */
export interface Member {
  /** The member ID: a uint64 as a decimal string (etcdctl prints it in hex: see memberIdHex). */
  readonly id: string;
  /** Empty until an added member has started. */
  readonly name: string;
  readonly peerURLs: readonly string[];
  /** Empty until an added member has started. */
  readonly clientURLs: readonly string[];
  readonly isLearner: boolean;
}

/** What one member says about itself (etcdctl endpoint status). */
export interface EndpointStatus {
  /** The endpoint that answered. */
  readonly endpoint: string;
  /** The server's version, e.g. `3.4.23`. */
  readonly version: string;
  /** Bytes of the backend database file. */
  readonly dbSize: number;
  /** Bytes of the database in use. */
  readonly dbSizeInUse: number;
  /** The ID of the leader this member knows of; '0' when it knows of none. */
  readonly leader: string;
  /** This member's ID. */
  readonly memberId: string;
  readonly raftIndex: number;
  readonly raftAppliedIndex: number;
  readonly raftTerm: number;
  readonly isLearner: boolean;
  /** Alarms and health problems the member reports (e.g. `memberID:… alarm:NOSPACE`). */
  readonly errors: readonly string[];
}

/** The kinds of alarm etcd raises; UNKNOWN for a kind this client does not know (etcdctl's word too). */
export type AlarmType = 'NOSPACE' | 'CORRUPT' | 'UNKNOWN';

/** An alarm raised on a member. */
export interface Alarm {
  readonly memberId: string;
  readonly alarm: AlarmType;
}

/** A passed health check (etcdctl endpoint health). */
export interface HealthResult {
  /** The endpoint that answered. */
  readonly endpoint: string;
  /** Milliseconds the check took. */
  readonly tookMs: number;
}

const UINT64_MAX = (1n << 64n) - 1n;

/** A member ID as given (decimal string or bigint) checked and normalized to decimal; InvalidArgumentError if not. */
export function memberIdArg(id: string | bigint): string {
  const n = typeof id === 'bigint' ? id : /^\d{1,20}$/.test(id) ? BigInt(id) : -1n;
  if (n <= 0n || n > UINT64_MAX) {
    throw new InvalidArgumentError(`member ID ${String(id)}: expected a decimal uint64 above 0 (members() lists them)`);
  }
  return n.toString();
}

/** A member ID in hex, as etcdctl prints it (`8e9e05c52164694d`). */
export function memberIdHex(id: string): string {
  return BigInt(memberIdArg(id)).toString(16);
}

/** A member ID from its hex form (etcdctl's) as a decimal string. */
export function memberIdFromHex(hex: string): string {
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) {
    throw new InvalidArgumentError(`member ID ${JSON.stringify(hex)}: expected up to 16 hex digits`);
  }
  return memberIdArg(BigInt(`0x${hex}`));
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/** A KeyValue from its message. */
export function keyValueFromPb(m: Message): KeyValue {
  return {
    key: toBuffer(m.key).toString('utf8'),
    value: toBuffer(m.value),
    createRevision: toNumber(m.createRevision),
    modRevision: toNumber(m.modRevision),
    version: toNumber(m.version),
    lease: toId(m.lease),
  };
}

/** A Member from its message. */
export function memberFromPb(m: Message): Member {
  return {
    id: toId(m.ID),
    name: typeof m.name === 'string' ? m.name : '',
    peerURLs: strings(m.peerURLs),
    clientURLs: strings(m.clientURLs),
    isLearner: m.isLearner === true,
  };
}

/** The members of a response's `members` field. */
export function membersFromPb(m: Message): Member[] {
  return Array.isArray(m.members) ? (m.members as Message[]).map(memberFromPb) : [];
}

/** An EndpointStatus from a StatusResponse answered by `endpoint`. */
export function statusFromPb(endpoint: string, m: Message): EndpointStatus {
  const header = (m.header ?? {}) as Message;
  return {
    endpoint,
    version: typeof m.version === 'string' ? m.version : '',
    dbSize: toNumber(m.dbSize),
    dbSizeInUse: toNumber(m.dbSizeInUse),
    leader: toId(m.leader),
    memberId: toId(header.memberId),
    raftIndex: toNumber(m.raftIndex),
    raftAppliedIndex: toNumber(m.raftAppliedIndex),
    raftTerm: toNumber(m.raftTerm),
    isLearner: m.isLearner === true,
    errors: strings(m.errors),
  };
}

/** The raised alarms of an AlarmResponse (NONE entries, which etcd never reports, are dropped). */
export function alarmsFromPb(m: Message): Alarm[] {
  const list = Array.isArray(m.alarms) ? (m.alarms as Message[]) : [];
  return list
    .filter((a) => a.alarm !== 'NONE')
    .map((a) => ({
      memberId: toId(a.memberID),
      alarm: a.alarm === 'NOSPACE' || a.alarm === 'CORRUPT' ? a.alarm : 'UNKNOWN',
    }));
}
