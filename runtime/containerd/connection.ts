// One gRPC channel to a containerd socket: unary and server-streaming calls with the namespace header, deadlines and aborts.
import { Client, Metadata, credentials, type CallOptions, type ClientReadableStream } from '@grpc/grpc-js';
import { fromGrpc } from './errors.js';
import type { Message, MethodCodec } from './proto.js';

/** Options of one call. */
export interface CallOpts {
  /** Cancels the call; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** The containerd namespace (the `containerd-namespace` header). */
  readonly namespace: string;
}

/** Options of one unary call. */
export interface UnaryOpts extends CallOpts {
  /** Milliseconds before the call fails with DEADLINE_EXCEEDED; 0 for none (Wait). */
  readonly timeoutMs?: number;
  /** Wait for the channel to connect instead of failing at once while containerd is down. */
  readonly waitForReady?: boolean;
}

/** The longest unary call (containerd's own calls finish in milliseconds; task create runs runc). */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * grpc-js waits 1 s before its first reconnect and up to 120 s later: far too long for a local daemon that restarts
 * in 100 ms. These keep reconnects quick; callers still bound their own retries.
 */
const CHANNEL_OPTIONS = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.enable_retries': 0,
};

/** A connection to one containerd; calls fail with the errors of ./errors.ts. */
export class Connection {
  private readonly client: Client;

  constructor(
    /** The socket path of containerd's gRPC endpoint. */
    readonly socket: string,
  ) {
    this.client = new Client(`unix://${socket}`, credentials.createInsecure(), CHANNEL_OPTIONS);
  }

  /** Closes the channel; calls in flight fail. */
  close(): void {
    this.client.close();
  }

  private metadata(namespace: string, waitForReady = false): Metadata {
    const md = new Metadata({ waitForReady });
    md.set('containerd-namespace', namespace);
    return md;
  }

  /** Calls a unary method; `what` names the call in errors (`create task system/etcd`). */
  unary(codec: MethodCodec, request: Message, what: string, opts: UnaryOpts): Promise<Message> {
    const { signal } = opts;
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const callOptions: CallOptions = {};
    if (timeoutMs > 0) callOptions.deadline = Date.now() + timeoutMs;
    return new Promise<Message>((resolve, reject) => {
      const onAbort = (): void => {
        call.cancel();
      };
      const call = this.client.makeUnaryRequest(
        codec.path,
        codec.serialize,
        codec.deserialize,
        request,
        this.metadata(opts.namespace, opts.waitForReady),
        callOptions,
        (err, value) => {
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted === true) reject(signal.reason as Error);
          else if (err !== null) reject(fromGrpc(err, what));
          else resolve(value ?? {});
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Starts a server-streaming call; the caller owns the stream and cancels it when done. */
  serverStream(codec: MethodCodec, request: Message, opts: CallOpts): ClientReadableStream<Message> {
    return this.client.makeServerStreamRequest(
      codec.path,
      codec.serialize,
      codec.deserialize,
      request,
      this.metadata(opts.namespace),
      {},
    );
  }
}
