// Watching keys: the range end of a key prefix, and etcd's WatchResponse messages decoded into batches of changes.
import { status } from '@grpc/grpc-js';
import { EtcdError } from './errors.js';
import type { Message } from './proto.js';
import { keyValueFromPb, type KeyValue } from './types.js';

/** One change of a watched key. */
export interface WatchEvent {
  /** `put`: created or changed (kv holds the new value); `delete`: removed (kv.value is empty). */
  readonly type: 'put' | 'delete';
  readonly kv: KeyValue;
}

/** The changes of one watch response, in revision order. */
export interface WatchBatch {
  /** The store's revision when etcd sent the batch. */
  readonly revision: number;
  readonly events: readonly WatchEvent[];
}

/** The smallest key after every key starting with `prefix` (etcd's range end of a prefix; "\0" for all keys). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] ?? 0xff) < 0xff) {
      end[i] = (end[i] ?? 0) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/**
 * The batch of one WatchResponse: undefined for the answer to the create request and for progress notices; throws an
 * EtcdError when etcd cancelled the watch (OUT_OF_RANGE when its start revision was compacted: list again).
 */
export function watchBatchFromPb(m: Message, what: string): WatchBatch | undefined {
  if (m.canceled === true) {
    const compacted = Number(m.compactRevision ?? 0);
    if (compacted > 0) {
      throw new EtcdError(status.OUT_OF_RANGE, `${what}: revisions before ${compacted} are compacted; list again`);
    }
    const reason = typeof m.cancelReason === 'string' && m.cancelReason !== '' ? m.cancelReason : 'no reason given';
    throw new EtcdError(status.CANCELLED, `${what}: etcd cancelled the watch (${reason})`);
  }
  const list = Array.isArray(m.events) ? (m.events as Message[]) : [];
  if (list.length === 0) return undefined;
  const header = (m.header ?? {}) as Message;
  return {
    revision: Number(header.revision ?? 0),
    events: list.map((e) => ({
      type: e.type === 'DELETE' ? ('delete' as const) : ('put' as const),
      kv: keyValueFromPb((e.kv ?? {}) as Message),
    })),
  };
}
