// Test fixtures of the client: a CA with server and client certificates, a real mTLS API server on loopback over an
// in-memory store, and the composite State whose writes go to the store and whose reads go through the StateClient.
import { generateRsaKey, selfSignedCa } from '../config-gen/pki.js';
import { issueClientCertificate, issueServerCertificate, startApiServer, type ApiServer } from '../server/index.js';
import { fakeOps } from '../server/testing.js';
import type { InMemoryState, State } from '../../resources/index.js';
import { NodeConnection } from './connection.js';
import type { NodeTls } from './diagnose.js';
import { StateClient, type StateClientOptions } from './state-client.js';

/** A CA, a server certificate for 127.0.0.1 and an os:admin client certificate, all plain PEM. */
export interface TestPki {
  readonly ca: { crt: string; key: string };
  readonly server: { certPem: string; keyPem: string };
  readonly admin: NodeTls & { mode: 'mtls' };
}

let pki: Promise<TestPki> | undefined;

/** The test PKI, made once per run (RSA keys take a while). */
export function testPki(): Promise<TestPki> {
  pki ??= (async () => {
    const ca = selfSignedCa(await generateRsaKey(), { organization: ['test'], commonName: 'test-os-ca' }, new Date());
    const server = issueServerCertificate({
      caCertPem: ca.crt,
      caKeyPem: ca.key,
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
    });
    const c = issueClientCertificate({ caCertPem: ca.crt, caKeyPem: ca.key, roles: ['os:admin'] });
    return { ca, server, admin: { mode: 'mtls', ca: ca.crt, crt: c.certPem, key: c.keyPem } };
  })();
  return pki;
}

/** A client certificate with other roles or validity, from the test CA. */
export async function clientTls(roles: string[], o: { ttlMs?: number; notBefore?: Date } = {}): Promise<NodeTls> {
  const { ca } = await testPki();
  const c = issueClientCertificate({ caCertPem: ca.crt, caKeyPem: ca.key, roles, ...o });
  return { mode: 'mtls', ca: ca.crt, crt: c.certPem, key: c.keyPem };
}

/** Starts the real API server on 127.0.0.1 (port 0 picks a free one) over `state`. */
export async function serve(state: InMemoryState, port = 0, ops = fakeOps()): Promise<ApiServer> {
  const { ca, server } = await testPki();
  return startApiServer({ state, ops, host: '127.0.0.1', port, tls: { mode: 'secure', caPem: ca.crt, ...server } });
}

/** A connection to 127.0.0.1:`port` with `tls` (the admin certificate by default). */
export async function connect(port: number, tls?: NodeTls, timeoutMs?: number): Promise<NodeConnection> {
  return new NodeConnection({
    node: `127.0.0.1:${port}`,
    endpoint: { host: '127.0.0.1', port },
    tls: tls ?? (await testPki()).admin,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

/**
 * A State that writes to `store` directly and reads and watches through `client` (the conformance suite's view).
 * A write first waits for the watches already started to be established on the server, as they are at once locally.
 */
export function composite(store: State, client: StateClient): State {
  return {
    get: (p, o) => client.get(p, o),
    find: (p, o) => client.find(p, o),
    list: (k, o) => client.list(k, o),
    watch: (p, o) => client.watch(p, o),
    watchKind: (k, o) => client.watchKind(k, o),
    watchKindAggregated: (k, o) => client.watchKindAggregated(k, o),
    cursor: (k, o) => client.cursor(k, o),
    create: async (r, o) => {
      await client.ready();
      return store.create(r, o);
    },
    update: async (r, o) => {
      await client.ready();
      return store.update(r, o);
    },
    teardown: async (p, o) => {
      await client.ready();
      return store.teardown(p, o);
    },
    destroy: async (p, o) => {
      await client.ready();
      return store.destroy(p, o);
    },
    addFinalizer: async (p, f, o) => {
      await client.ready();
      return store.addFinalizer(p, f, o);
    },
    removeFinalizer: async (p, f, o) => {
      await client.ready();
      return store.removeFinalizer(p, f, o);
    },
  };
}

/** A StateClient on a fresh connection to `port`; `close` frees both. */
export async function stateClient(
  port: number,
  o: StateClientOptions = {},
): Promise<{ client: StateClient; close: () => void }> {
  const conn = await connect(port);
  return {
    client: new StateClient(conn, o),
    close: () => {
      conn.close();
    },
  };
}

/** Resolves once `cond` holds, checking every few milliseconds; rejects after `timeoutMs` naming what it waited for. */
export async function eventually(cond: () => boolean, timeoutMs = 10_000, what = cond.toString()): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
