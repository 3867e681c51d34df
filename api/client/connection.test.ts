// Failed connections as sentences that name the side at fault, against a real mTLS server on loopback.
import { expect } from 'chai';
import { createServer } from 'node:net';
import { InMemoryState } from '../../resources/index.js';
import { generateRsaKey, selfSignedCa } from '../config-gen/pki.js';
import { issueClientCertificate, issueServerCertificate, startApiServer } from '../server/index.js';
import { fakeOps } from '../server/testing.js';
import { NodeConnection } from './connection.js';
import type { NodeTls } from './diagnose.js';
import { NodeCallError } from './errors.js';
import { MachineClient } from './machine-client.js';
import { StateClient } from './state-client.js';
import { clientTls, serve, testPki } from './testing.fixture.js';

/** The message of a Version call to 127.0.0.1:`port` with `tls`. */
async function versionError(port: number, tls: NodeTls): Promise<string> {
  const conn = new NodeConnection({ node: '127.0.0.1', endpoint: { host: '127.0.0.1', port }, tls, timeoutMs: 5000 });
  try {
    await new MachineClient(conn).version();
    return 'no error';
  } catch (e) {
    expect(e).to.be.instanceOf(NodeCallError);
    return (e as Error).message;
  } finally {
    conn.close();
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('node connections', function () {
  this.timeout(30_000);

  it('a closed port: cannot reach HOST:PORT: connection refused', async () => {
    const port = await freePort();
    expect(await versionError(port, (await testPki()).admin)).to.equal(
      `cannot reach 127.0.0.1:${port}: connection refused`,
    );
  });

  it("the node's certificate from another CA: not trusted, check the context's ca", async () => {
    const server = await serve(new InMemoryState());
    try {
      const other = selfSignedCa(await generateRsaKey(), { commonName: 'other' }, new Date());
      const c = issueClientCertificate({ caCertPem: other.crt, caKeyPem: other.key, roles: ['os:admin'] });
      const msg = await versionError(server.port, { mode: 'mtls', ca: other.crt, crt: c.certPem, key: c.keyPem });
      expect(msg).to.match(
        new RegExp(
          `^the certificate of 127\\.0\\.0\\.1:${server.port} is not trusted \\(.*\\): check that the context's ca`,
        ),
      );
    } finally {
      await server.close();
    }
  });

  it('a client certificate the node does not accept: refused our client certificate', async () => {
    const { ca } = await testPki();
    const other = selfSignedCa(await generateRsaKey(), { commonName: 'other' }, new Date());
    const cert = issueServerCertificate({ caCertPem: ca.crt, caKeyPem: ca.key, dnsNames: [], ips: ['127.0.0.1'] });
    // The node trusts only `other` for clients, while its own certificate comes from the test CA we trust.
    const server = await startApiServer({
      state: new InMemoryState(),
      ops: fakeOps(),
      host: '127.0.0.1',
      port: 0,
      tls: { mode: 'secure', caPem: other.crt, ...cert },
    });
    try {
      const msg = await versionError(server.port, (await testPki()).admin);
      expect(msg).to.equal(
        `127.0.0.1:${server.port} refused our client certificate: check that the context's crt and key were issued by this cluster's OS CA`,
      );
    } finally {
      await server.close();
    }
  });

  it('an expired client certificate is named before connecting; no certificate at all is named too', async () => {
    const server = await serve(new InMemoryState());
    try {
      const expired = await clientTls(['os:admin'], { notBefore: new Date(Date.now() - 7200_000), ttlMs: 3600_000 });
      expect(await versionError(server.port, expired)).to.match(
        /: our client certificate expired on .*: get a new one with `osctl config new`$/,
      );
      expect(await versionError(server.port, { mode: 'insecure' })).to.equal(
        `127.0.0.1:${server.port} requires a client certificate and the client config has none: use a context with crt and key`,
      );
    } finally {
      await server.close();
    }
  });

  it("a role without access gets the node's own message; an aborted call ends with an AbortError", async () => {
    const server = await serve(new InMemoryState());
    const conn = new NodeConnection({
      node: 'n',
      endpoint: { host: '127.0.0.1', port: server.port },
      tls: await clientTls(['os:reader']),
    });
    try {
      const e = await new MachineClient(conn).reboot().catch((err: unknown) => err);
      expect(e).to.be.instanceOf(NodeCallError).with.property('status', 7);
      expect((e as Error).message).to.not.match(/rpc error|^7 /);
      const ac = new AbortController();
      const pending = new StateClient(conn).list(
        { namespace: 'meta', type: 'ResourceDefinition' },
        { signal: ac.signal },
      );
      ac.abort();
      expect(await pending.catch((err: unknown) => err)).to.have.property('name', 'AbortError');
    } finally {
      conn.close();
      await server.close();
    }
  });
});
