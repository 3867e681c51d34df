// containerd's event stream (Events.Subscribe) as an async iterable of decoded task events, with a `ready` promise.
//
// containerd registers a subscription asynchronously and says nothing when it has: a caller that subscribes and then
// looks at a task could miss an event in between. So after subscribing we publish a sync event on our own topic until
// one comes back: any sync event received proves the subscription is live (it only sees what is published after).
import type { ClientReadableStream } from '@grpc/grpc-js';
import { realClock } from '../controller/index.js';
import { ContainerdUnavailableError, fromGrpc } from './errors.js';
import { toDate, unpackAny, type AnyMessage, type Message } from './proto.js';

/** The topic of the sync events; other subscribers (ctr events) may see them and can ignore them. */
export const SYNC_TOPIC = '/osnode/sync';

/** A decoded task event (containerd.events), or any other event by type name. */
export type TaskEvent =
  | {
      readonly type: 'TaskExit';
      readonly containerId: string;
      readonly execId: string;
      readonly pid: number;
      readonly exitStatus: number;
      readonly exitedAt: Date | undefined;
    }
  | { readonly type: 'TaskStart'; readonly containerId: string; readonly pid: number }
  | {
      readonly type: 'TaskDelete';
      readonly containerId: string;
      readonly pid: number;
      readonly exitStatus: number;
      readonly exitedAt: Date | undefined;
    }
  | { readonly type: 'TaskOOM'; readonly containerId: string }
  | { readonly type: 'Other'; readonly typeUrl: string; readonly fields: Message | undefined };

/** One envelope from containerd: where and when, and the decoded event. */
export interface ContainerdEvent {
  readonly timestamp: Date | undefined;
  readonly namespace: string;
  /** `/tasks/exit`, `/containers/create`, ... */
  readonly topic: string;
  readonly event: TaskEvent;
}

/** A live subscription: iterate it for events; it ends when the signal aborts, and throws when containerd goes away. */
export interface EventStream extends AsyncIterable<ContainerdEvent> {
  /** Resolves once events published from now on are sure to arrive; rejects when the subscription failed first. */
  readonly ready: Promise<void>;
  /** Ends the subscription (iteration ends). */
  close(): void;
}

function str(m: Message, k: string): string {
  const v = m[k];
  return typeof v === 'string' ? v : '';
}

function num(m: Message, k: string): number {
  const v = m[k];
  return typeof v === 'number' ? v : 0;
}

/** Reads `signal.aborted` afresh (TypeScript keeps a narrowing of the property across awaits). */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** Decodes the Any of an envelope into a {@link TaskEvent}. */
export function decodeEvent(any: AnyMessage | undefined): TaskEvent {
  const decoded = unpackAny(any);
  const m = decoded?.message ?? {};
  switch (decoded?.typeName) {
    case 'containerd.events.TaskExit':
      return {
        type: 'TaskExit',
        containerId: str(m, 'containerId'),
        execId: str(m, 'id'),
        pid: num(m, 'pid'),
        exitStatus: num(m, 'exitStatus'),
        exitedAt: toDate(m.exitedAt),
      };
    case 'containerd.events.TaskStart':
      return { type: 'TaskStart', containerId: str(m, 'containerId'), pid: num(m, 'pid') };
    case 'containerd.events.TaskDelete':
      return {
        type: 'TaskDelete',
        containerId: str(m, 'containerId'),
        pid: num(m, 'pid'),
        exitStatus: num(m, 'exitStatus'),
        exitedAt: toDate(m.exitedAt),
      };
    case 'containerd.events.TaskOOM':
      return { type: 'TaskOOM', containerId: str(m, 'containerId') };
    default:
      return { type: 'Other', typeUrl: any?.type_url ?? '', fields: decoded?.message };
  }
}

/**
 * Wraps a Subscribe call. `publishSync` publishes one sync event; it is called until a sync event arrives (backing
 * off from 2 ms), so `ready` settles in about one round trip.
 */
export function eventStream(
  call: ClientReadableStream<Message>,
  publishSync: (signal: AbortSignal) => Promise<void>,
  signal: AbortSignal,
): EventStream {
  const queue: ContainerdEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: Error | undefined;
  let markReady: () => void = () => undefined;
  let failReady: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined); // a caller that only iterates sees the failure there
  const syncing = new AbortController();

  const finish = (e: Error | undefined): void => {
    if (ended) return;
    ended = true;
    failure = e;
    syncing.abort();
    failReady(e ?? new Error('the event stream ended before it was ready'));
    signal.removeEventListener('abort', close);
    call.cancel(); // a no-op once the call has ended; frees it when a failed sync publish ends the stream
    wake?.();
  };
  const close = (): void => {
    finish(undefined);
  };
  call.on('data', (env: Message) => {
    const topic = str(env, 'topic');
    if (topic === SYNC_TOPIC) {
      syncing.abort();
      markReady();
      return;
    }
    queue.push({
      timestamp: toDate(env.timestamp),
      namespace: str(env, 'namespace'),
      topic,
      event: decodeEvent(env.event as AnyMessage | undefined),
    });
    wake?.();
  });
  call.on('error', (e: Error) => {
    finish(signal.aborted ? undefined : fromGrpc(e, 'subscribe to containerd events'));
  });
  call.on('end', () => {
    finish(signal.aborted ? undefined : new ContainerdUnavailableError('containerd ended the event stream'));
  });
  if (signal.aborted) close();
  else signal.addEventListener('abort', close, { once: true });

  void (async () => {
    for (let delay = 2; !syncing.signal.aborted; delay = Math.min(delay * 2, 500)) {
      try {
        await publishSync(syncing.signal);
      } catch (e) {
        if (!isAborted(syncing.signal)) finish(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      await realClock.sleep(delay, syncing.signal);
    }
  })();

  return {
    ready,
    close,
    async *[Symbol.asyncIterator](): AsyncIterator<ContainerdEvent> {
      try {
        for (;;) {
          const next = queue.shift();
          if (next !== undefined) {
            yield next;
            continue;
          }
          if (ended) {
            if (failure !== undefined) throw failure;
            return;
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        close();
      }
    },
  };
}
