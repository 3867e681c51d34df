// Tests of the etcd client against a real etcd 3.4 that requires mutual TLS, checked with etcdctl (a tool we did not
// write); certificates are made with openssl.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { isConflict, isNotFound, InvalidArgumentError } from '../../resources/errors.js';
import { EtcdClient } from './client.js';
import { Connection } from './connection.js';
import { EtcdAlarmError, isEtcdUnavailable } from './errors.js';
import { M } from './proto.js';
import {
  EtcdMember,
  createPki,
  etcdSkipReason,
  etcdctl,
  etcdctlLocal,
  freePort,
  removeDir,
  tempDir,
  type TestPki,
} from './fixture.js';
import { memberIdFromHex, memberIdHex } from './types.js';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** Retries `f` until it resolves (a restarted member takes a moment to answer), up to `ms`. */
async function eventually<T>(f: () => Promise<T>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('etcd/client (real etcd, mutual TLS)', function () {
  const skip = etcdSkipReason();
  let dir = '';
  let pki: TestPki;
  let member: EtcdMember | undefined;
  let client: EtcdClient | undefined;

  /** The client made in `before`, whose channel is open before any test (the leak check counts sockets). */
  function c(): EtcdClient {
    if (client === undefined) throw new Error('no client');
    return client;
  }
  function m(): EtcdMember {
    if (member === undefined) throw new Error('no member');
    return member;
  }
  function clientFor(p: TestPki, extra: { servername?: string; endpoints?: string[] } = {}): EtcdClient {
    return new EtcdClient({
      endpoints: extra.endpoints ?? [m().clientURL],
      ca: pki.ca.cert,
      cert: p.client.cert,
      key: p.client.key,
      servername: extra.servername,
    });
  }

  before(async function () {
    if (skip !== undefined) this.skip();
    dir = await tempDir('osnode-etcd-');
    pki = await createPki(dir, 'main');
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    member = await EtcdMember.start({ name: 'm1', pki, dir, clientPort, peerPort });
    client = clientFor(pki);
    await client.health();
    await client.put('/osnode/test/seed', 'seed');
  });
  after(async () => {
    client?.close();
    await member?.stop();
    if (dir !== '') await removeDir(dir);
  });

  it(`puts and gets keys; etcdctl sees what we put and we see what it puts${skip === undefined ? '' : ` (skipped: ${skip})`}`, async () => {
    const { revision } = await c().put('/osnode/test/a', 'hello');
    expect(revision).to.be.greaterThan(1);
    const kv = await c().get('/osnode/test/a');
    expect(kv?.value.toString()).to.equal('hello');
    expect(kv?.key).to.equal('/osnode/test/a');
    expect(kv?.modRevision).to.equal(revision);
    expect(kv?.version).to.equal(1);
    expect(await etcdctl(pki, m().clientURL, 'get', '/osnode/test/a', '--print-value-only')).to.equal('hello\n');

    await etcdctl(pki, m().clientURL, 'put', '/osnode/test/b', 'from etcdctl');
    expect((await c().get('/osnode/test/b', { serializable: true }))?.value.toString()).to.equal('from etcdctl');
    const binary = Buffer.from([0, 1, 2, 255]);
    await c().put(Buffer.from('/osnode/test/bin'), binary);
    expect((await c().get('/osnode/test/bin'))?.value.equals(binary)).to.be.true;
    expect(await c().get('/osnode/test/missing')).to.be.undefined;
  });

  it('lists the member with the ID etcdctl prints, to the last bit', async () => {
    const members = await c().members();
    expect(members).to.have.length(1);
    const [one] = members;
    // etcdctl -w json prints IDs as JSON numbers, which JSON.parse rounds; -w simple prints them in hex.
    const line = (await etcdctl(pki, m().clientURL, 'member', 'list', '-w', 'simple')).trim();
    const [hex = '', state, name, peer, clientUrl, learner] = line.split(', ');
    expect(one?.id).to.match(/^\d+$/);
    expect(memberIdHex(one?.id ?? '')).to.equal(hex);
    expect(memberIdFromHex(hex)).to.equal(one?.id);
    expect(BigInt(one?.id ?? '0')).to.equal(BigInt(`0x${hex}`));
    expect([state, name, peer, clientUrl, learner]).to.deep.equal([
      'started',
      'm1',
      m().peerURL,
      m().clientURL,
      'false',
    ]);
    expect(one).to.deep.include({ name: 'm1', peerURLs: [m().peerURL], clientURLs: [m().clientURL], isLearner: false });
  });

  it('reports status: version 3.4, itself as leader, raft indices, database size', async () => {
    const s = await c().status(m().clientURL);
    const [one] = await c().members();
    expect(s.version).to.match(/^3\.4\.\d+$/);
    expect(s.memberId).to.equal(one?.id);
    expect(s.leader).to.equal(one?.id);
    expect(s.raftTerm).to.be.greaterThan(0);
    expect(s.raftIndex).to.be.greaterThan(0);
    expect(s.dbSize).to.be.greaterThan(0);
    expect(s.errors).to.deep.equal([]);
    const table = await etcdctl(pki, m().clientURL, 'endpoint', 'status', '-w', 'simple');
    expect(table).to.include(`${memberIdHex(s.memberId)}, ${s.version}`);
  });

  it('streams a snapshot that etcdctl snapshot status accepts', async () => {
    await c().put('/osnode/test/snap', 'x');
    const file = join(dir, 'snapshot.db');
    const pieces: Buffer[] = [];
    let progress: [number, number] = [0, 0];
    for await (const piece of c().snapshot({ onProgress: (r, t) => (progress = [r, t]) })) pieces.push(piece);
    const data = Buffer.concat(pieces);
    await writeFile(file, data);
    expect(progress).to.deep.equal([data.length, data.length]);
    const st = JSON.parse(await etcdctlLocal('snapshot', 'status', file, '-w', 'json')) as Record<string, number>;
    expect(st.totalKey).to.be.at.least(4);
    expect(st.revision).to.be.at.least((await c().put('/osnode/test/after', 'y')).revision - 1);
    expect(st.hash).to.be.a('number');
    expect(st.totalSize).to.be.greaterThan(0);
  });

  it('stops a snapshot on abort, or when the loop is left early', async () => {
    const ac = new AbortController();
    const reason = new Error('enough');
    const e = await rejection(
      (async () => {
        for await (const piece of c().snapshot({ signal: ac.signal })) {
          expect(piece.length).to.be.greaterThan(0);
          ac.abort(reason);
        }
      })(),
    );
    expect(e).to.equal(reason);
    let n = 0;
    for await (const piece of c().snapshot()) {
      n += piece.length;
      break;
    }
    expect(n).to.be.greaterThan(0);
    expect((await c().get('/osnode/test/seed'))?.value.toString()).to.equal('seed'); // the channel still works
  });

  it('maps errors: unknown member NotFound, taken peer URL Conflict, bad IDs refused, aborts and deadlines', async () => {
    const notFound = await rejection(c().memberRemove('12345'));
    expect(isNotFound(notFound), String(notFound)).to.be.true;
    expect(String(notFound)).to.include('remove member 12345');
    const taken = await rejection(c().memberAdd([m().peerURL]));
    expect(isConflict(taken, 'exists'), String(taken)).to.be.true;
    expect(await rejection(c().memberRemove('0x12'))).to.be.instanceOf(InvalidArgumentError);
    expect(await rejection(c().memberRemove('18446744073709551616'))).to.be.instanceOf(InvalidArgumentError);
    expect(() => new EtcdClient({ endpoints: ['http://127.0.0.1:1'], ca: '', cert: '', key: '' })).to.throw(
      InvalidArgumentError,
      /TLS only/,
    );
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    expect(String(await rejection(c().get('a', { signal: ac.signal })))).to.equal('Error: stop');

    // A listener that accepts and never answers: the TLS handshake hangs until the call's deadline.
    const sockets = new Set<Socket>();
    const silent = createServer((sock) => sockets.add(sock));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const mute = clientFor(pki, { endpoints: [`https://127.0.0.1:${String(port)}`] });
    try {
      const t = performance.now();
      const slow = await rejection(mute.get('a', { timeoutMs: 300 }));
      expect(performance.now() - t).to.be.within(250, 3000);
      expect(isEtcdUnavailable(slow), String(slow)).to.be.true;
      expect(String(slow)).to.include('etcd did not answer in time');
    } finally {
      mute.close();
      for (const sock of sockets) sock.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses a client certificate from another CA, and says so', async () => {
    const other = await createPki(dir, 'other');
    const stranger = clientFor(other);
    try {
      const e = await rejection(stranger.get('a', { timeoutMs: 5000 }));
      expect(isEtcdUnavailable(e), String(e)).to.be.true;
      expect(String(e)).to.include(`get "a" at ${m().clientURL}: etcd is unavailable (cannot connect: TLS:`);
      expect(String(e)).to.include('etcd refused the client certificate');
    } finally {
      stranger.close();
    }
    const distrustful = new EtcdClient({
      endpoints: [m().clientURL],
      ca: other.ca.cert,
      cert: pki.client.cert,
      key: pki.client.key,
    });
    try {
      const e = await rejection(distrustful.get('a', { timeoutMs: 5000 }));
      expect(String(e)).to.include("etcd's certificate is not signed by the given CA");
    } finally {
      distrustful.close();
    }
  });

  it('checks the server certificate against the endpoint IP, or the servername given instead', async () => {
    // A TLS gRPC server whose certificate, from the trusted CA, names another host only: no IP SAN for 127.0.0.1.
    const server = new Server();
    const creds = ServerCredentials.createSsl(
      null,
      [{ cert_chain: Buffer.from(pki.elsewhere.cert), private_key: Buffer.from(pki.elsewhere.key) }],
      false,
    );
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', creds, (err, p) => {
        err === null ? resolve(p) : reject(err);
      });
    });
    const byIp = clientFor(pki, { endpoints: [`https://127.0.0.1:${String(port)}`] });
    const wrongName = clientFor(pki, { servername: 'etcd.example' });
    const byName = clientFor(pki, { servername: 'localhost' });
    const byDns = clientFor(pki, { endpoints: [`https://localhost:${String(m().options.clientPort)}`] });
    try {
      const e = await rejection(byIp.get('a', { timeoutMs: 5000 }));
      expect(String(e)).to.include("IP: 127.0.0.1 is not in the cert's list");
      const e2 = await rejection(wrongName.get('a', { timeoutMs: 5000 }));
      expect(String(e2)).to.match(/Host: etcd\.example\. is not in the cert's altnames/);
      await c().put('/osnode/test/names', 'ok');
      expect((await byName.get('/osnode/test/names'))?.value.toString()).to.equal('ok');
      expect((await byDns.get('/osnode/test/names'))?.value.toString()).to.equal('ok');
    } finally {
      for (const x of [byIp, wrongName, byName, byDns]) x.close();
      server.forceShutdown();
    }
  });

  it('moves on to the next endpoint when one cannot be connected to', async () => {
    const dead = `https://127.0.0.1:${String(await freePort())}`;
    const two = clientFor(pki, { endpoints: [dead, m().clientURL] });
    try {
      expect((await two.get('/osnode/test/seed'))?.value.toString()).to.equal('seed');
      expect((await two.health()).endpoint).to.equal(m().clientURL);
      const e = await rejection(two.health({ endpoint: dead }));
      expect(isEtcdUnavailable(e), String(e)).to.be.true;
    } finally {
      two.close();
    }
  });

  it('reports alarms; health fails on them only with checkAlarms (etcdctl 3.5), as etcdctl 3.4 ignores them', async () => {
    // Raise NOSPACE by hand (filling the quota would take a while); the client itself only lists alarms.
    const [one] = await c().members();
    const id = one?.id ?? '0';
    const raw = new Connection(m().clientURL, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });
    try {
      await raw.unary(M.alarm, { action: 'ACTIVATE', memberID: id, alarm: 'NOSPACE' }, 'raise', { timeoutMs: 5000 });
    } finally {
      raw.close();
    }
    try {
      expect(await c().alarms()).to.deep.equal([{ memberId: id, alarm: 'NOSPACE' }]);
      expect((await c().status(m().clientURL)).errors).to.deep.equal([`memberID:${id} alarm:NOSPACE `]);
      const theirs = JSON.parse(await etcdctl(pki, m().clientURL, 'endpoint', 'health', '-w', 'json')) as unknown[];
      expect(theirs).to.have.nested.property('[0].health', true);
      expect((await c().health()).endpoint).to.equal(m().clientURL);
      const e = await rejection(c().health({ checkAlarms: true }));
      expect(e).to.be.instanceOf(EtcdAlarmError);
      expect(String(e)).to.equal(`EtcdAlarmError: etcd at ${m().clientURL} is unhealthy: Active Alarm(s): NOSPACE`);
    } finally {
      await etcdctl(pki, m().clientURL, 'alarm', 'disarm');
    }
    expect(await c().alarms()).to.deep.equal([]);
    expect((await c().health({ checkAlarms: true })).endpoint).to.equal(m().clientURL);
  });

  it('checks health with a linearizable read (median of 20 reported), fails clearly while etcd is down', async function () {
    const took: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const h = await c().health();
      took.push(performance.now() - t);
      expect(h.endpoint).to.equal(m().clientURL);
    }
    took.sort((a, b) => a - b);
    const median = ((took[9] ?? 0) + (took[10] ?? 0)) / 2;
    console.log(
      `      health() latency over 20 calls: median ${median.toFixed(2)} ms, max ${(took[19] ?? 0).toFixed(2)} ms`,
    );
    expect(median).to.be.lessThan(100);

    await m().stop();
    const t = performance.now();
    const e = await rejection(c().health());
    const failedIn = performance.now() - t;
    expect(isEtcdUnavailable(e), String(e)).to.be.true;
    expect(String(e)).to.include(`health check at ${m().clientURL}: etcd is unavailable`);
    expect(String(e)).to.match(/ECONNREFUSED/);
    expect(failedIn).to.be.lessThan(5000);

    await m().spawn();
    await eventually(() => c().health());
    expect((await c().get('/osnode/test/seed'))?.value.toString()).to.equal('seed');
  });
});
