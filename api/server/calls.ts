// One wrapper per handler kind: authorizes the call, ties an AbortController to its cancellation, writes streams with
// backpressure, converts every thrown error with toStatus, and tracks open calls so that the server can close them.
import {
  status,
  type handleBidiStreamingCall,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { toStatus } from '../codec/index.js';
import type { Authorizer, Role } from './roles.js';

/** What a handler knows about its call. */
export interface CallContext {
  /** The caller's roles ([] in maintenance mode). */
  readonly roles: readonly Role[];
  /** Aborted when the client cancels (or goes away), and for streams also when the server closes. */
  readonly signal: AbortSignal;
  /** Runs `fn` once the reply has been handed to the transport (unary calls): "reply first, then act". */
  afterReply(fn: () => void): void;
}

interface OpenCall {
  readonly abort: AbortController;
  readonly stream: boolean;
}

/** Why streams end when the server closes; clients may reconnect. */
const SHUTDOWN = { code: status.UNAVAILABLE, details: 'the node API server is shutting down' };

/** Builds handlers over one authorizer and keeps the set of open calls. */
export class Calls {
  private readonly open = new Map<OpenCall, Promise<void>>();
  private closing = false;

  constructor(
    private readonly authorize: Authorizer,
    private readonly onAfterReplyError: (e: unknown) => void,
  ) {}

  /** A unary handler: `fn`'s result is the reply; what it throws becomes the status. */
  unary<Req, Res>(path: string, fn: (req: Req, ctx: CallContext) => Promise<Res>): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const entry: OpenCall = { abort: new AbortController(), stream: false };
      call.on('cancelled', () => {
        entry.abort.abort();
      });
      const after: (() => void)[] = [];
      this.track(entry, async () => {
        try {
          const roles = this.authorize(path, call);
          const ctx = { roles, signal: entry.abort.signal, afterReply: (f: () => void) => after.push(f) };
          const res = await fn(call.request, ctx);
          callback(null, res);
        } catch (e) {
          callback(toStatus(e));
          return;
        }
        for (const f of after) {
          try {
            f();
          } catch (e) {
            this.onAfterReplyError(e);
          }
        }
      });
    };
  }

  /** A server-streaming handler: each value `fn` yields is one message, pulled only as fast as the client reads. */
  stream<Req, Res>(
    path: string,
    fn: (req: Req, ctx: CallContext) => AsyncIterable<Res>,
  ): handleServerStreamingCall<Req, Res> {
    return (call) => {
      const entry: OpenCall = { abort: new AbortController(), stream: true };
      let cancelled = false;
      call.on('cancelled', () => {
        cancelled = true;
        entry.abort.abort();
      });
      if (this.closing) entry.abort.abort();
      this.track(entry, async () => {
        const signal = entry.abort.signal;
        try {
          const roles = this.authorize(path, call);
          const ctx: CallContext = { roles, signal, afterReply: () => undefined };
          for await (const msg of fn(call.request, ctx)) {
            if (!call.write(msg)) await drained(call, signal);
            if (signal.aborted) break;
          }
        } catch (e) {
          if (!cancelled) call.emit('error', toStatus(e));
          return;
        }
        if (cancelled) return;
        if (signal.aborted) call.emit('error', SHUTDOWN);
        else call.end();
      });
    };
  }

  /** Authorizes a bidi-streaming call (server reflection) before handing it to `handler`. */
  bidi<Req, Res>(path: string, handler: handleBidiStreamingCall<Req, Res>): handleBidiStreamingCall<Req, Res> {
    return (call) => {
      try {
        this.authorize(path, call);
      } catch (e) {
        call.emit('error', toStatus(e));
        return;
      }
      handler(call);
    };
  }

  /** Number of calls whose handlers are still running. */
  get size(): number {
    return this.open.size;
  }

  /** Ends every open stream (UNAVAILABLE) and refuses new ones; resolves once every handler has returned. */
  async close(): Promise<void> {
    this.closing = true;
    for (const c of this.open.keys()) if (c.stream) c.abort.abort();
    await Promise.allSettled([...this.open.values()]);
  }

  private track(entry: OpenCall, run: () => Promise<void>): void {
    const p = run().finally(() => this.open.delete(entry));
    this.open.set(entry, p);
  }
}

/** Resolves when `call` can take more messages, or when `signal` aborts. */
function drained(call: ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
