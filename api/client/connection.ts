// One node's gRPC channel: mutual TLS (or maintenance-mode TLS), unary calls with a deadline, streams, typed failures.
import {
  Client,
  credentials,
  Metadata,
  status,
  type ChannelOptions,
  type ClientReadableStream,
  type MethodDefinition,
} from '@grpc/grpc-js';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import { ApiError, fromStatus, isServiceError } from '../codec/index.js';
import { diagnoseTls, type NodeTls } from './diagnose.js';
import { endpointAddress, type Endpoint } from './endpoint.js';
import { NodeCallError, statusSentence, unavailableReason } from './errors.js';

/** The deadline of unary calls unless a call or the connection says otherwise. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** How to reach one node. */
export interface ConnectionOptions {
  /** The node as the user named it (shown in output and errors). */
  readonly node: string;
  readonly endpoint: Endpoint;
  readonly tls: NodeTls;
  /** Deadline of unary calls (default 30 s). */
  readonly timeoutMs?: number;
}

/** Options of one call. */
export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
  /** Overrides the connection's deadline for a unary call. */
  readonly timeoutMs?: number | undefined;
}

// The node's certificate names its addresses; TLS forbids an IP as the SNI server name (Node warns about it), so
// the handshake carries a fixed name and the identity check below compares the certificate with the real host.
const SNI_NAME = 'osnode';

function channelOptions(endpoint: Endpoint): ChannelOptions {
  return {
    ...(isIP(endpoint.host) === 0 ? {} : { 'grpc.ssl_target_name_override': SNI_NAME }),
    // Watches outlive node restarts: come back within seconds, and notice a node that vanished without a word.
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 3000,
    'grpc.keepalive_time_ms': 20_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.max_receive_message_length': 64 << 20,
  };
}

/** The error an aborted signal stands for (an AbortError unless the signal carries its own reason). */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError');
}

/** A channel to one node; every call takes an AbortSignal, unary calls a deadline. Close it when done. */
export class NodeConnection {
  readonly node: string;
  readonly endpoint: Endpoint;
  /** host:port as dialled. */
  readonly address: string;
  readonly timeoutMs: number;
  private readonly tls: NodeTls;
  private readonly client: Client;

  constructor(o: ConnectionOptions) {
    this.node = o.node;
    this.endpoint = o.endpoint;
    this.address = endpointAddress(o.endpoint);
    this.tls = o.tls;
    this.timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const host = o.endpoint.host;
    const creds =
      o.tls.mode === 'mtls'
        ? credentials.createSsl(Buffer.from(o.tls.ca), Buffer.from(o.tls.key), Buffer.from(o.tls.crt), {
            checkServerIdentity: (_name, cert) => checkServerIdentity(host, cert),
          })
        : credentials.createSsl(null, null, null, { rejectUnauthorized: false });
    this.client = new Client(this.address, creds, channelOptions(o.endpoint));
  }

  /** Calls a unary method; rejects with a typed error, or the signal's reason when it aborts. */
  unary<Req, Res>(method: MethodDefinition<Req, Res>, req: Req, o: RequestOptions = {}): Promise<Res> {
    const signal = o.signal;
    const timeoutMs = o.timeoutMs ?? this.timeoutMs;
    return new Promise<Res>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        call.cancel();
      };
      const call = this.client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        req,
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err, res) => {
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted === true) reject(abortReason(signal));
          else if (err !== null) void this.failure(err, method, timeoutMs).then(reject);
          else if (res === undefined) reject(new Error(`${method.path}: empty response`));
          else resolve(res);
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Starts a server-streaming call; the caller owns it (cancel() frees it). No deadline: streams may run for days. */
  stream<Req, Res>(method: MethodDefinition<Req, Res>, req: Req): ClientReadableStream<Res> {
    return this.client.makeServerStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      req,
      new Metadata(),
      {},
    );
  }

  /** All messages of a server stream, in order; aborting cancels the call. */
  async collect<Req, Res>(method: MethodDefinition<Req, Res>, req: Req, o: RequestOptions = {}): Promise<Res[]> {
    o.signal?.throwIfAborted();
    const call = this.stream(method, req);
    const onAbort = (): void => {
      call.cancel();
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const out: Res[] = [];
    try {
      for await (const m of call) out.push(m as Res);
      return out;
    } catch (e: unknown) {
      if (o.signal?.aborted === true) throw abortReason(o.signal);
      throw await this.failure(e, method);
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * The typed error for a failed call: store errors as their classes, everything else as a NodeCallError with a
   * sentence; a connection failure whose cause grpc-js does not tell is diagnosed with a handshake of our own.
   */
  async failure(e: unknown, method: { readonly path: string }, timeoutMs = this.timeoutMs): Promise<Error> {
    if (!isServiceError(e)) return e instanceof Error ? e : new Error(String(e));
    const typed = fromStatus(e);
    if (!(typed instanceof ApiError)) return typed;
    const name = method.path.slice(method.path.lastIndexOf('/') + 1);
    let sentence = statusSentence(e.code, e.details, this.address, name, timeoutMs);
    if (e.code === status.UNAVAILABLE && unavailableReason(this.address, e.details) === undefined) {
      sentence = (await diagnoseTls(this.endpoint, this.tls).catch(() => undefined)) ?? sentence;
    }
    return new NodeCallError(this.node, e.code, sentence, { cause: e });
  }

  /** Closes the channel; calls still running fail with CANCELLED. */
  close(): void {
    this.client.close();
  }
}
