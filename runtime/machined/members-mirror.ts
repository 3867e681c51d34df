// The cluster's member records in etcd (`/osnode/members/<hostname>`, JSON of a Member spec) and their mirror: Member
// resources (namespace `cluster`) kept equal to the records, written by machined.
import {
  CLUSTER_NAMESPACE,
  MemberSpecSchema,
  MemberType,
  isNotFound,
  putResource,
  type MemberSpec,
  type Pointer,
  type State,
} from '../../resources/index.js';
import type { EtcdClient, KeyValue, WatchEvent } from '../etcd/index.js';
import { MACHINED_OWNER } from './config-store.js';

/** Where the records live in the cluster's etcd. */
export const MEMBERS_PREFIX = '/osnode/members/';

/** The etcd key of the record of the node `hostname`. */
export function memberKey(hostname: string): string {
  return `${MEMBERS_PREFIX}${hostname}`;
}

/** The record in `kv` when it is a valid Member spec under its own hostname's key; else why not. */
export function decodeMember(kv: KeyValue): { spec: MemberSpec } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(kv.value.toString('utf8'));
  } catch (e) {
    return { problem: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const parsed = MemberSpecSchema.safeParse(json);
  if (!parsed.success)
    return { problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  if (memberKey(parsed.data.hostname) !== kv.key)
    return { problem: `hostname ${parsed.data.hostname} under another key` };
  return { spec: parsed.data };
}

/**
 * Whether records `a` and `b` are one node under two hostnames: control planes by their etcd member ID, workers by
 * their addresses (two running nodes never share all of theirs).
 */
export function sameNode(a: MemberSpec, b: MemberSpec): boolean {
  if (a.role !== b.role) return false;
  if (a.role === 'controlplane') return a.etcdMemberId !== '' && a.etcdMemberId === b.etcdMemberId;
  const addrs = (m: MemberSpec): string => [...m.addresses].sort().join(',');
  return a.addresses.length > 0 && addrs(a) === addrs(b);
}

/**
 * Writes `spec` as the record of its node, unless etcd holds exactly that already (a rewrite would wake every
 * watcher for nothing), and deletes the node's records under earlier hostnames (`sameNode`). The record has no
 * lease: a node that is down stays listed. Resolves with the hostnames whose records went.
 */
export async function recordMember(client: EtcdClient, spec: MemberSpec, signal: AbortSignal): Promise<string[]> {
  const key = memberKey(spec.hostname);
  const value = JSON.stringify(MemberSpecSchema.parse(spec));
  const cur = await client.get(key, { signal });
  if (cur?.value.toString('utf8') !== value) await client.put(key, value, { signal });
  const { kvs } = await client.list(MEMBERS_PREFIX, { signal });
  const gone: string[] = [];
  for (const kv of kvs) {
    const other = decodeMember(kv);
    if (!('spec' in other) || other.spec.hostname === spec.hostname || !sameNode(other.spec, spec)) continue;
    await client.delete(kv.key, { signal });
    gone.push(other.spec.hostname);
  }
  return gone;
}

const ptr = (id: string): Pointer => ({ namespace: CLUSTER_NAMESPACE, type: MemberType.type, id });

/** Member resources mirroring the records; a record that is not a valid Member is skipped and reported. */
export class MemberMirror {
  constructor(
    private readonly state: State,
    private readonly report: (msg: string) => void,
  ) {}

  /** Makes the Member resources exactly the records `kvs` (a listing of the prefix). */
  async replaceAll(kvs: readonly KeyValue[]): Promise<void> {
    const keep = new Set<string>();
    for (const kv of kvs) {
      const id = await this.put(kv);
      if (id !== undefined) keep.add(id);
    }
    for (const r of await this.state.list({ namespace: CLUSTER_NAMESPACE, type: MemberType.type })) {
      if (!keep.has(r.metadata.id)) await this.remove(r.metadata.id);
    }
  }

  /** Applies the changes a watch reported, in order. */
  async apply(events: readonly WatchEvent[]): Promise<void> {
    for (const e of events) {
      if (e.type === 'put') await this.put(e.kv);
      else await this.remove(e.kv.key.slice(MEMBERS_PREFIX.length));
    }
  }

  /** Removes every Member resource (this node no longer follows the cluster's etcd). */
  async clear(): Promise<void> {
    await this.replaceAll([]);
  }

  private async put(kv: KeyValue): Promise<string | undefined> {
    const decoded = decodeMember(kv);
    if ('problem' in decoded) {
      this.report(`etcd key ${kv.key} is not a member record: ${decoded.problem}`);
      return undefined;
    }
    await putResource(this.state, ptr(decoded.spec.hostname), decoded.spec, { owner: MACHINED_OWNER });
    return decoded.spec.hostname;
  }

  private async remove(id: string): Promise<void> {
    try {
      await this.state.destroy(ptr(id), { owner: MACHINED_OWNER });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
