// Test helpers for the API server: a CA, a server over an in-memory store with scripted NodeOps, and plain grpc-js
// clients built from the proto loader's constructors (promisified unary calls, collected streams).
import {
  credentials,
  type ChannelCredentials,
  type Client,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { parse } from 'yaml';
import { generateRsaKey, selfSignedCa } from '../config-gen/pki.js';
import { ALL_TYPES, InMemoryState, NotFoundError, type InMemoryStateOptions } from '../../resources/index.js';
import { MachineClientConstructor, StateClientConstructor } from '../proto/load.js';
import { issueClientCertificate, issueServerCertificate } from './certs.js';
import type { NodeOps } from './ops.js';
import { startApiServer, type ApiServer } from './server.js';

/** A CA as plain PEM. */
export interface TestCa {
  readonly crt: string;
  readonly key: string;
}

/** A fresh RSA CA (like the OS CA `osctl gen config` makes). */
export async function testCa(name = 'test-os-ca'): Promise<TestCa> {
  return selfSignedCa(await generateRsaKey(), { organization: [name], commonName: name }, new Date());
}

/** An in-memory store with every resource type registered. */
export async function testState(opts: InMemoryStateOptions = {}): Promise<InMemoryState> {
  const state = new InMemoryState(opts);
  for (const t of ALL_TYPES) await state.registerType(t);
  return state;
}

/** NodeOps for tests: fixed answers, and a record of the operations that act on the node. */
export function fakeOps(over: Partial<NodeOps> = {}): NodeOps & { readonly acted: string[] } {
  const acted: string[] = [];
  const ops: NodeOps = {
    hostname: () => 'node-1',
    version: () => ({
      tag: 'v0.1.0',
      sha: 'abc',
      built: '2024-01-01T00:00:00Z',
      runtimeVersion: process.version,
      os: 'linux',
      arch: 'x64',
      platform: 'container',
      mode: 'container',
    }),
    apply: (req) =>
      Promise.resolve({
        mode: req.mode === 'auto' ? 'no-reboot' : req.mode,
        dryRun: req.dryRun === true,
        diff: '',
        changed: [],
        rebootRequired: [],
        warnings: [],
        message: 'applied',
      }),
    reboot: () => acted.push('reboot'),
    shutdown: () => acted.push('shutdown'),
    logs: () => {
      throw new NotFoundError('no log');
    },
    dmesg: () => {
      throw new NotFoundError('no dmesg');
    },
    memory: () => Promise.reject(new Error('memory not scripted')),
    processes: () => Promise.resolve([]),
    kubeconfig: () => Promise.resolve(Buffer.from('kubeconfig')),
    generateClientConfiguration: () => Promise.reject(new Error('not scripted')),
    services: () => [],
    serviceAction: (id) => Promise.reject(new NotFoundError(`no service ${id}`)),
    containers: () => Promise.resolve([]),
    stats: () => Promise.resolve([]),
    restartContainer: (namespace, id) => Promise.reject(new NotFoundError(`no container ${namespace}/${id}`)),
    etcdMembers: () => Promise.reject(new Error('etcd not scripted')),
    etcdStatus: () => Promise.reject(new Error('etcd not scripted')),
    etcdSnapshot: () => {
      throw new Error('etcd not scripted');
    },
    kernelAudit: () => Promise.reject(new Error('kernel audit not scripted')),
    ...over,
  };
  return Object.assign(ops, { acted });
}

/** A secure server on 127.0.0.1 with a server certificate from `ca`. */
export async function secureServer(ca: TestCa, state: InMemoryState, ops: NodeOps = fakeOps()): Promise<ApiServer> {
  const cert = issueServerCertificate({
    caCertPem: ca.crt,
    caKeyPem: ca.key,
    dnsNames: ['localhost'],
    ips: ['127.0.0.1'],
  });
  return startApiServer({ state, ops, host: '127.0.0.1', port: 0, tls: { mode: 'secure', caPem: ca.crt, ...cert } });
}

/** mTLS client credentials with a fresh certificate from `ca` carrying `roles`, trusting `o.trust ?? ca` for the server. */
export function clientCredentials(
  ca: TestCa,
  roles: string[],
  o: { ttlMs?: number; notBefore?: Date; trust?: TestCa } = {},
): ChannelCredentials {
  const { trust = ca, ...validity } = o;
  const c = issueClientCertificate({ caCertPem: ca.crt, caKeyPem: ca.key, roles, ...validity });
  return credentials.createSsl(Buffer.from(trust.crt), Buffer.from(c.keyPem), Buffer.from(c.certPem));
}

/** mTLS credentials from a talosconfig's current context (base64 PEM values, as osctl gen config writes them). */
export function talosconfigCredentials(text: string): ChannelCredentials {
  const doc = parse(text) as { context: string; contexts: Record<string, { ca: string; crt: string; key: string }> };
  const ctx = doc.contexts[doc.context];
  if (ctx === undefined) throw new Error(`talosconfig has no context ${doc.context}`);
  const pem = (b64: string): Buffer => Buffer.from(b64, 'base64');
  return credentials.createSsl(pem(ctx.ca), pem(ctx.key), pem(ctx.crt));
}

/** Credentials of maintenance mode: server-only TLS whose self-signed certificate the client cannot verify. */
export function maintenanceCredentials(): ChannelCredentials {
  return credentials.createSsl(null, null, null, { rejectUnauthorized: false });
}

/** Both service clients over one target; close them with `closeAll`. */
export function clients(port: number, creds: ChannelCredentials): { state: Client; machine: Client } {
  const target = `127.0.0.1:${port}`;
  return { state: new StateClientConstructor(target, creds), machine: new MachineClientConstructor(target, creds) };
}

/** Closes clients. */
export function closeAll(c: { state: Client; machine: Client }): void {
  c.state.close();
  c.machine.close();
}

type UnaryFn = (req: unknown, cb: (e: ServiceError | null, res: unknown) => void) => void;
type StreamFn = (req: unknown) => ClientReadableStream<unknown>;

/** A unary call by method name; rejects with the ServiceError. */
export function call<T>(client: Client, method: string, req: unknown = {}): Promise<T> {
  const fn = (client as unknown as Record<string, UnaryFn>)[method];
  if (fn === undefined) throw new Error(`no method ${method}`);
  return new Promise((resolve, reject) => {
    fn.call(client, req, (e, res) => {
      if (e === null) resolve(res as T);
      else reject(e);
    });
  });
}

/** Starts a server-streaming call by method name. */
export function stream<T>(client: Client, method: string, req: unknown = {}): ClientReadableStream<T> {
  const fn = (client as unknown as Record<string, StreamFn>)[method];
  if (fn === undefined) throw new Error(`no method ${method}`);
  const s = fn.call(client, req) as ClientReadableStream<T>;
  // A stream a test cancels or the server ends is not a crash: collect() and take() report errors they wait for.
  s.on('error', () => undefined);
  return s;
}

/** Every message of a stream once it ends OK; rejects with the ServiceError it ends with. */
export function collect<T>(s: ClientReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  return new Promise((resolve, reject) => {
    s.on('data', (m: T) => out.push(m));
    s.on('error', reject);
    s.on('end', () => {
      resolve(out);
    });
    s.resume(); // after take() paused it
  });
}

/** The next `n` messages of a stream (it keeps running). */
export function take<T>(s: ClientReadableStream<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  return new Promise((resolve, reject) => {
    if (n === 0) {
      resolve(out);
      return;
    }
    const onData = (m: T): void => {
      out.push(m);
      if (out.length === n) {
        s.off('data', onData);
        s.off('error', reject);
        s.pause();
        resolve(out);
      }
    };
    s.on('data', onData);
    s.on('error', reject);
    s.resume();
  });
}
