// The worker's side of trustd: sends a CSR with the join token to trustd on the control-plane endpoint's host, trusting
// only the OS CA for the server's certificate, and keeps why the last request failed (the API's status shows it).
import {
  Metadata,
  credentials,
  status,
  type CallOptions,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { BehaviorSubject, type Observable } from 'rxjs';
import { SecurityClientConstructor } from '../../api/proto/load.js';
import { TOKEN_METADATA, TRUSTD_PORT } from '../../api/server/index.js';
import type { RemoteSignRequest, RemoteSigner } from '../../controllers/index.js';
import { errorMessage } from '../controller/index.js';

/** Options of {@link TrustdClient}. */
export interface TrustdClientOptions {
  /** The port trustd listens on at the endpoint's host (default 50001). */
  readonly port?: number;
  /** How long one request may take (default 10 s). */
  readonly timeoutMs?: number;
}

type CertificateMethod = (
  req: { csr: Buffer },
  metadata: Metadata,
  options: CallOptions,
  callback: (err: ServiceError | null, res?: { ca: Buffer; crt: Buffer }) => void,
) => ClientUnaryCall;

/** The host of an endpoint URL (IPv6 in brackets), or an Error saying what is wrong with it. */
function endpointHost(endpoint: string): string {
  if (endpoint === '') throw new Error('the config has no cluster.controlPlane.endpoint to find trustd at');
  try {
    const host = new URL(endpoint).hostname;
    if (host !== '') return host;
  } catch {
    // said below
  }
  throw new Error(`cluster.controlPlane.endpoint ${endpoint} is not a URL like https://10.5.0.2:6443`);
}

function isServiceError(e: unknown): e is ServiceError {
  return e instanceof Error && typeof (e as Partial<ServiceError>).code === 'number' && 'details' in e;
}

/** Bounds the signer's view of a failure to one line a person can act on. */
function explain(e: unknown, timeoutMs: number): string {
  if (!isServiceError(e)) return errorMessage(e);
  // grpc-js ends connection failures with an empty "Resolution note:"; drop it.
  const details = e.details.replace(/\.?\s*Resolution note:\s*$/, '');
  switch (e.code) {
    case status.UNAUTHENTICATED:
      return `the join token was refused (${details}): machine.token must be the control plane's`;
    case status.PERMISSION_DENIED:
    case status.INVALID_ARGUMENT:
      return `the certificate request was refused: ${details}`;
    case status.DEADLINE_EXCEEDED:
      return `no answer within ${timeoutMs / 1000} s`;
    case status.UNAVAILABLE:
      return `unreachable: ${details}`;
    default:
      return `${status[e.code]}: ${details}`;
  }
}

/** Asks trustd on a control plane to sign CSRs; one short-lived connection per request (they are rare). */
export class TrustdClient implements RemoteSigner {
  private readonly last = new BehaviorSubject<string>('');
  private readonly port: number;
  private readonly timeoutMs: number;

  constructor(o: TrustdClientOptions = {}) {
    this.port = o.port ?? TRUSTD_PORT;
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  /** Why the last request failed, e.g. "waiting for trustd at 10.5.0.2:50001: unreachable: …"; '' after a success. */
  get waiting(): Observable<string> {
    return this.last;
  }

  async sign(req: RemoteSignRequest, signal: AbortSignal): Promise<{ ca: string; crt: string }> {
    let target = 'the control plane';
    try {
      target = `${endpointHost(req.endpoint)}:${this.port}`;
      if (req.token === '') throw new Error('this node has no join token (machine.token) to present');
      const r = await this.call(target, req, signal);
      this.last.next('');
      return r;
    } catch (e) {
      if (signal.aborted) throw e;
      const why = `waiting for trustd at ${target}: ${explain(e, this.timeoutMs)}`;
      this.last.next(why);
      throw new Error(why, { cause: e });
    }
  }

  private call(target: string, req: RemoteSignRequest, signal: AbortSignal): Promise<{ ca: string; crt: string }> {
    const client = new SecurityClientConstructor(target, credentials.createSsl(Buffer.from(req.caPem)));
    const certificate = (client as unknown as { Certificate: CertificateMethod }).Certificate.bind(client);
    const metadata = new Metadata();
    metadata.set(TOKEN_METADATA, req.token);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        call.cancel();
      };
      const call = certificate(
        { csr: Buffer.from(req.csr) },
        metadata,
        { deadline: Date.now() + this.timeoutMs },
        (err, res) => {
          signal.removeEventListener('abort', onAbort);
          client.close();
          if (err !== null) reject(err);
          else if (res === undefined) reject(new Error('trustd sent an empty answer'));
          else resolve({ ca: res.ca.toString('utf8'), crt: res.crt.toString('utf8') });
        },
      );
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
