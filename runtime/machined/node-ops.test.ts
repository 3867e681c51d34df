// The pieces behind NodeOps: dmesg formatting and reading, log tails and following, /proc parsing, credentials, and
// the API mode a config asks for.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { access, appendFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { toStatus } from '../../api/codec/index.js';
import { genConfig } from '../../api/config-gen/index.js';
import type { MachineConfigDocument } from '../../resources/index.js';
import { planApi, serverSans } from './api.js';
import { adminKubeconfig, clientConfiguration } from './credentials.js';
import { NodeStateError } from './errors.js';
import { formatKmsgRecord, readKmsg } from './kmsg.js';
import { readLogFile, tailOffset } from './log-file.js';
import { parseMeminfo, parseProcess, readProcesses } from './proc.js';

async function text(it: AsyncIterable<Buffer>): Promise<string> {
  let out = '';
  for await (const b of it) out += b.toString();
  return out;
}

/**
 * Appends lines made by `line(i)` to `path` until `it` yields: a reader that starts at the end of the file may begin
 * after the first append, so waiting for one particular line would race with its start.
 */
async function appendUntilRead(it: AsyncIterator<Buffer>, path: string, line: (i: number) => string): Promise<Buffer> {
  let got: IteratorResult<Buffer> | undefined;
  const next = it.next().then((r) => (got = r));
  for (let i = 3; got === undefined; i++) {
    await appendFile(path, line(i));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([next, new Promise((r) => (timer = setTimeout(r, 20)))]);
    clearTimeout(timer);
  }
  if (got.done === true) throw new Error('the reader ended');
  return got.value;
}

describe('node operations', function () {
  this.timeout(20_000);
  let dir: string;
  let cp: MachineConfigDocument;
  let worker: MachineConfigDocument;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osnode-ops-'));
    await genConfig({ clusterName: 'demo', endpoint: 'https://10.5.0.2:6443', outputDir: join(dir, 'gen') });
    cp = parse(await readFile(join(dir, 'gen', 'controlplane.yaml'), 'utf8')) as MachineConfigDocument;
    worker = parse(await readFile(join(dir, 'gen', 'worker.yaml'), 'utf8')) as MachineConfigDocument;
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('formats /dev/kmsg records as dmesg does', () => {
    expect(formatKmsgRecord('6,339,5140900,-;NET: Registered protocol family 10')).to.equal(
      '[    5.140900] NET: Registered protocol family 10\n',
    );
    expect(formatKmsgRecord('4,1,12,-;tab\\x09here\n SUBSYSTEM=net')).to.equal('[    0.000012] tab\there\n');
    expect(formatKmsgRecord('garbage')).to.equal(undefined);
  });

  it('reads a kernel log: all, or only what comes after the existing records', async () => {
    const path = join(dir, 'kmsg');
    await writeFile(path, '6,1,1000000,-;first\n SUBSYSTEM=x\n6,2,2000000,-;second\n');
    const signal = new AbortController().signal;
    expect(await text(readKmsg({ follow: false, tail: false, signal, path }))).to.equal(
      '[    1.000000] first\n[    2.000000] second\n',
    );
    const ac = new AbortController();
    const it = readKmsg({ follow: true, tail: true, signal: ac.signal, path, pollMs: 10 })[Symbol.asyncIterator]();
    try {
      // The reader skips what exists when it starts, so keep appending until a new record comes through.
      const got = await appendUntilRead(it, path, (i) => `6,${i},3000000,-;new\n`);
      expect(got.toString()).to.match(/^(\[ {4}3\.000000\] new\n)+$/);
    } finally {
      ac.abort();
    }
    expect((await it.next()).done).to.equal(true);
  });

  it('reads the real /dev/kmsg when the host lets it, and says why not otherwise', async () => {
    const signal = new AbortController().signal;
    const readable = await access('/dev/kmsg').then(
      () => true,
      () => false,
    );
    if (!readable) {
      const e = await text(readKmsg({ follow: false, tail: false, signal })).catch((x: unknown) => x);
      expect(toStatus(e).code).to.equal(status.UNAVAILABLE);
      return;
    }
    const out = await text(readKmsg({ follow: false, tail: false, signal }));
    expect(out === '' || /^\[\s*\d+\.\d{6}\] /.test(out)).to.equal(true);
  });

  it('finds where the last n lines start, and follows appends', async () => {
    const path = join(dir, 'log');
    await writeFile(path, 'a\nbb\nccc\n');
    const fh = await open(path, 'r');
    try {
      expect(await tailOffset(fh, 9, 1)).to.equal(5);
      expect(await tailOffset(fh, 9, 2)).to.equal(2);
      expect(await tailOffset(fh, 9, 10)).to.equal(0);
      expect(await tailOffset(fh, 9, 0)).to.equal(9);
      expect(await tailOffset(fh, 9, -1)).to.equal(0);
    } finally {
      await fh.close();
    }
    const signal = new AbortController().signal;
    expect(await text(readLogFile(path, { follow: false, tailLines: 2, signal }))).to.equal('bb\nccc\n');
    const ac = new AbortController();
    const it = readLogFile(path, { follow: true, tailLines: 0, signal: ac.signal })[Symbol.asyncIterator]();
    try {
      expect((await appendUntilRead(it, path, () => 'dddd\n')).toString()).to.match(/^(dddd\n)+$/);
    } finally {
      ac.abort();
    }
    expect((await it.next()).done).to.equal(true);
  });

  it('parses /proc', async () => {
    expect(parseMeminfo('MemTotal:       16318412 kB\nMemFree: 1 kB\nActive(anon): 5 kB\nActive: 7 kB\n')).to.include({
      memtotal: 16318412,
      memfree: 1,
      active: 7,
    });
    const stat =
      '42 (a (weird) name) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 100 1048576 10 18446744073709551615';
    const p = parseProcess(42, stat, 'Name:\tx\nVmRSS:\t   40 kB\n', 'node\0app.js\0', '/usr/bin/node');
    expect(p).to.deep.equal({
      pid: 42,
      ppid: 1,
      state: 'S',
      threads: 3,
      cpuTime: 3,
      virtualMemory: 1048576,
      residentMemory: 40 * 1024,
      command: 'a (weird) name',
      executable: '/usr/bin/node',
      args: 'node app.js',
    });
    const me = (await readProcesses()).find((x) => x.pid === process.pid);
    expect(me?.executable).to.equal(process.execPath);
    expect(me?.residentMemory).to.be.above(0);
  });

  it('hands out a kubeconfig on a control plane only', () => {
    const kc = parse(adminKubeconfig(cp).toString()) as { users: { user: { 'client-certificate-data': string } }[] };
    const cert = new X509Certificate(Buffer.from(kc.users[0]?.user['client-certificate-data'] ?? '', 'base64'));
    const ca = new X509Certificate(Buffer.from(cp.cluster?.ca?.crt ?? '', 'base64'));
    expect(cert.verify(ca.publicKey)).to.equal(true);
    let e: unknown;
    try {
      adminKubeconfig(worker);
    } catch (x) {
      e = x;
    }
    expect(e).to.be.instanceOf(NodeStateError);
    expect(toStatus(e)).to.include({ code: status.FAILED_PRECONDITION });
    expect((e as Error).message)
      .to.include('cluster.ca')
      .and.include('control-plane');
  });

  it('issues client configurations with the roles asked for', () => {
    const r = clientConfiguration(cp, ['os:operator', 'os:reader'], 60_000, 'node-1');
    const cert = new X509Certificate(r.crt);
    expect(cert.subject.split('\n')).to.deep.equal(['O=os:operator', 'O=os:reader']);
    expect(Date.parse(cert.validTo) - Date.now()).to.be.below(10 * 60_000);
    expect(r.talosconfig.toString()).to.include('context: demo');
    expect(() => clientConfiguration(cp, [], 0, 'n')).to.throw(/no roles given/);
  });

  it('plans the API: secure with the CA key, off without it, maintenance without a config', () => {
    const secure = planApi({ ...cp, machine: { ...cp.machine, certSANs: ['api.example.com', '192.0.2.7'] } });
    expect(secure.mode).to.equal('secure');
    const sans = serverSans({ ...cp, machine: { ...cp.machine, certSANs: ['api.example.com', '192.0.2.7'] } });
    expect(sans.ips).to.include.members(['127.0.0.1', '::1', '192.0.2.7']);
    expect(sans.dnsNames).to.include('api.example.com');
    const off = planApi(worker);
    expect(off.mode).to.equal('off');
    expect(off.mode === 'off' && off.reason).to.include('without its key');
    expect(planApi(undefined).mode).to.equal('maintenance');
    expect(planApi({ ...cp, machine: { type: 'controlplane' } }).mode).to.equal('off');
  });
});
