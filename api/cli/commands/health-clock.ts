// A node's clock as its API server states it: the HTTP/2 `date` header of a Version call (whole seconds), bracketed
// by this machine's clock before and after the call.
import { connect, type ClientHttp2Session } from 'node:http2';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import { endpointAddress, type Endpoint, type NodeTls } from '../../client/index.js';

/** The node's clock minus ours, as bounds: the header counts whole seconds, and the call takes its time. */
export interface ClockSkew {
  /** The smallest and largest skew (ms) consistent with what was seen. */
  readonly minMs: number;
  readonly maxMs: number;
}

/** Whether a skew within `toleranceMs` is consistent with `s` (we cannot tell it is off by more). */
export function withinTolerance(s: ClockSkew, toleranceMs: number): boolean {
  return s.maxMs >= -toleranceMs && s.minMs <= toleranceMs;
}

/** `s` as a person reads it: +0.4s (±0.6s). */
export function formatSkew(s: ClockSkew): string {
  const mid = (s.minMs + s.maxMs) / 2;
  const sign = mid < 0 ? '-' : '+';
  return `${sign}${(Math.abs(mid) / 1000).toFixed(1)}s (±${((s.maxMs - s.minMs) / 2000).toFixed(1)}s)`;
}

/** The skew implied by a `date` header seen between our clock readings `beforeMs` and `afterMs`. */
export function skewFrom(date: string, beforeMs: number, afterMs: number): ClockSkew | undefined {
  const at = Date.parse(date);
  if (Number.isNaN(at)) return undefined;
  // The node's clock read somewhere in [at, at + 1 s) while ours read somewhere in [before, after].
  return { minMs: at - afterMs, maxMs: at + 999 - beforeMs };
}

/** Asks the node at `endpoint` for the time through one gRPC Version call over HTTP/2, within `timeoutMs`. */
export function nodeClockSkew(
  endpoint: Endpoint,
  tls: NodeTls,
  o: { timeoutMs: number; signal: AbortSignal },
): Promise<ClockSkew> {
  const host = endpoint.host;
  const session: ClientHttp2Session = connect(`https://${endpointAddress(endpoint)}`, {
    ...(tls.mode === 'mtls' ? { ca: tls.ca, cert: tls.crt, key: tls.key } : { rejectUnauthorized: false }),
    // As the API client does: no IP address as SNI; the certificate is checked against the real host.
    servername: isIP(host) === 0 ? host : 'osnode',
    checkServerIdentity: (_name, cert) => checkServerIdentity(host, cert),
  });
  return new Promise<ClockSkew>((resolve, reject) => {
    const fail = (e: Error): void => {
      session.destroy();
      reject(e);
    };
    const timer = setTimeout(() => {
      fail(new Error(`${endpointAddress(endpoint)} did not answer within ${o.timeoutMs} ms`));
    }, o.timeoutMs);
    const onAbort = (): void => {
      fail(new DOMException('The operation was aborted', 'AbortError'));
    };
    o.signal.addEventListener('abort', onAbort, { once: true });
    session.once('error', fail);
    session.once('close', () => {
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
    });
    const before = Date.now();
    const req = session.request({
      ':method': 'POST',
      ':path': '/machine.MachineService/Version',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    req.once('error', fail);
    req.once('response', (headers) => {
      const after = Date.now();
      const skew = skewFrom(headers.date ?? '', before, after);
      session.close();
      if (skew === undefined) reject(new Error(`${endpointAddress(endpoint)} sent no date header`));
      else resolve(skew);
    });
    req.resume();
    // An empty Version request: the gRPC frame header (not compressed, length 0).
    req.end(Buffer.alloc(5));
  });
}
