// One TLS gRPC channel to one etcd endpoint: unary calls with deadlines and aborts, and server and bidirectional streams
// as async iterables.
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import {
  Client,
  Metadata,
  credentials,
  type CallOptions,
  type ChannelOptions,
  type ClientDuplexStream,
  type ClientReadableStream,
} from '@grpc/grpc-js';
import { InvalidArgumentError } from '../../resources/errors.js';
import { fromGrpc } from './errors.js';
import type { Message, MethodCodec } from './proto.js';

/** The client's TLS identity and the CA that signed etcd's serving certificates, as PEM text. */
export interface TlsIdentity {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** The name to verify etcd's certificate against instead of the endpoint's host (an IP checks the IP SANs). */
  readonly servername?: string | undefined;
}

/** Options of one unary call. */
export interface UnaryOpts {
  /** Cancels the call; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Milliseconds before the call fails with EtcdUnavailableError. */
  readonly timeoutMs: number;
}

/**
 * grpc-js waits 1 s before its first reconnect and up to 120 s later: far too long for a local member that restarts
 * in a second. These keep reconnects quick; callers still bound their own retries. Range answers may be large.
 */
const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.enable_retries': 0,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
};

/**
 * The TLS server name (SNI) sent to endpoints given by IP. grpc-js would send the IP itself, which RFC 6066 forbids
 * and Node warns about (DEP0123); etcd picks its certificate without looking at SNI, so any name will do.
 */
const IP_ENDPOINT_SNI = 'etcd';

/**
 * The host (without brackets) and port of an etcd client URL: `https://10.0.0.1:2379`, `https://[fd00::1]:2379`,
 * `https://etcd:2379`, or the same without the scheme. InvalidArgumentError for anything else.
 */
function parseEndpoint(endpoint: string): { host: string; port: string } {
  const m = /^(?:https:\/\/)?(\[[0-9a-fA-F:.]+\]|[^/:[\]]+):(\d{1,5})\/?$/.exec(endpoint);
  if (m === null) {
    throw new InvalidArgumentError(
      `etcd endpoint ${JSON.stringify(endpoint)}: expected https://HOST:PORT (the client speaks TLS only)`,
    );
  }
  return { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port: m[2] ?? '' };
}

/** The grpc-js target of an etcd client URL; IP literals skip the resolver. */
export function grpcTarget(endpoint: string): string {
  const { host, port } = parseEndpoint(endpoint);
  if (isIP(host) === 4) return `ipv4:${host}:${port}`;
  if (isIP(host) === 6) return `ipv6:[${host}]:${port}`;
  return `dns:${host}:${port}`;
}

/** A call whose answers stream in. */
type StreamCall = ClientReadableStream<Message> | ClientDuplexStream<Message, Message>;

/** A channel to one etcd endpoint; calls fail with the errors of ./errors.ts, naming the endpoint. */
export class Connection {
  private readonly client: Client;

  constructor(
    /** The endpoint as given: `https://127.0.0.1:2379`. */
    readonly endpoint: string,
    tls: TlsIdentity,
  ) {
    const target = grpcTarget(endpoint);
    const { host } = parseEndpoint(endpoint);
    const options: ChannelOptions = { ...CHANNEL_OPTIONS };
    let verify: ((name: string, cert: PeerCertificate) => Error | undefined) | undefined;
    if (tls.servername !== undefined) {
      options['grpc.ssl_target_name_override'] = tls.servername;
      options['grpc.default_authority'] = tls.servername;
    } else if (isIP(host) !== 0) {
      // The certificate is still checked against the endpoint's IP (its IP SANs), as Go's etcd clients do.
      options['grpc.ssl_target_name_override'] = IP_ENDPOINT_SNI;
      verify = (_name, cert) => checkServerIdentity(host, cert);
    }
    const creds = credentials.createSsl(
      Buffer.from(tls.ca),
      Buffer.from(tls.key),
      Buffer.from(tls.cert),
      verify === undefined ? {} : { checkServerIdentity: verify },
    );
    this.client = new Client(target, creds, options);
  }

  /** Closes the channel; calls in flight fail. */
  close(): void {
    this.client.close();
  }

  /** Calls a unary method; `what` names the call in errors (`remove member 1234`). */
  unary(codec: MethodCodec, request: Message, what: string, opts: UnaryOpts): Promise<Message> {
    const { signal } = opts;
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    const callOptions: CallOptions = { deadline: Date.now() + opts.timeoutMs };
    return new Promise<Message>((resolve, reject) => {
      const onAbort = (): void => {
        call.cancel();
      };
      const call = this.client.makeUnaryRequest(
        codec.path,
        codec.serialize,
        codec.deserialize,
        request,
        new Metadata(),
        callOptions,
        (err, value) => {
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted === true) reject(signal.reason as Error);
          else if (err !== null) reject(fromGrpc(err, `${what} at ${this.endpoint}`));
          else resolve(value ?? {});
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * The messages of a server-streaming call, in order, with backpressure. Leaving the loop early or aborting
   * `signal` cancels the call; an abort ends the loop with the signal's reason, a failure with a mapped error.
   */
  async *serverStream(
    codec: MethodCodec,
    request: Message,
    what: string,
    signal?: AbortSignal,
  ): AsyncGenerator<Message, void, undefined> {
    signal?.throwIfAborted();
    const call = this.client.makeServerStreamRequest(
      codec.path,
      codec.serialize,
      codec.deserialize,
      request,
      new Metadata(),
      {},
    );
    yield* this.drain(call, what, signal);
  }

  /**
   * The messages of a bidirectional call after sending `request` (its only request: the sending side stays open
   * until the loop ends), as {@link serverStream} gives them. `metadata` is sent with the call.
   */
  async *bidiStream(
    codec: MethodCodec,
    request: Message,
    what: string,
    o: { signal?: AbortSignal | undefined; metadata?: Record<string, string> } = {},
  ): AsyncGenerator<Message, void, undefined> {
    o.signal?.throwIfAborted();
    const metadata = new Metadata();
    for (const [k, v] of Object.entries(o.metadata ?? {})) metadata.set(k, v);
    const call = this.client.makeBidiStreamRequest(codec.path, codec.serialize, codec.deserialize, metadata, {});
    call.write(request);
    yield* this.drain(call, what, o.signal);
  }

  /** Yields the messages `call` receives, pausing it while 8 wait; cancels it when the loop ends early. */
  private async *drain(call: StreamCall, what: string, signal?: AbortSignal): AsyncGenerator<Message, void, undefined> {
    const queue: Message[] = [];
    // Set by the call's events (a state object: the control-flow analysis would not see writes in callbacks).
    const state: { ended: boolean; failure?: unknown } = { ended: false };
    let wake: (() => void) | undefined;
    const notify = (): void => {
      wake?.();
      wake = undefined;
    };
    const onAbort = (): void => {
      call.cancel();
    };
    call.on('data', (m: Message) => {
      queue.push(m);
      if (queue.length >= 8) call.pause();
      notify();
    });
    call.on('end', () => {
      state.ended = true;
      notify();
    });
    // Stays attached after the loop: a cancelled call still emits 'error', which must not go unhandled.
    call.on('error', (e: unknown) => {
      state.failure ??= e;
      state.ended = true;
      notify();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const m = queue.shift();
        if (m !== undefined) {
          if (queue.length < 2) call.resume();
          yield m;
          continue;
        }
        if (state.ended) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      if (signal?.aborted === true) throw signal.reason;
      if (state.failure !== undefined) throw fromGrpc(state.failure, `${what} at ${this.endpoint}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!state.ended) call.cancel();
    }
  }
}
