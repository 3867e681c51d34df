// osctl's node commands in process against real mTLS servers on loopback: get (formats, --watch, fan-out), version,
// apply-config --dry-run, config new, kubeconfig, and how failures of one node among several are reported.
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ALL_TYPES, InMemoryState, MachineStatusType } from '../../resources/index.js';
import { selfSignedCertificate, startApiServer, type ApiServer } from '../server/index.js';
import { fakeOps } from '../server/testing.js';
import { eventually, serve, testPki } from '../client/testing.fixture.js';
import type { CommandContext } from './global.js';
import { runOsctl } from './program.js';

const status = { namespace: 'runtime', type: MachineStatusType.type, id: 'machine' };

async function node(ops = fakeOps()): Promise<{ store: InMemoryState; server: ApiServer }> {
  const store = new InMemoryState();
  for (const t of ALL_TYPES) await store.registerType(t);
  await store.create({ metadata: status, spec: { stage: 'running', ready: true, unmetConditions: [] } });
  return { store, server: await serve(store, 0, ops) };
}

/** Runs osctl in process with --talosconfig `tc`; `signal` ends a --watch. */
async function osctl(tc: string, args: string[], signal = new AbortController().signal) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CommandContext = { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, signal, env: {} };
  const code = await runOsctl(['--talosconfig', tc, ...args], ctx);
  return { code, out, err };
}

describe('osctl node commands', function () {
  this.timeout(30_000);
  let dir = '';
  let tc = '';
  let a: Awaited<ReturnType<typeof node>>;
  let b: Awaited<ReturnType<typeof node>>;
  const kube = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'demo', cluster: { server: 'https://10.5.0.2:6443' } }],
    users: [{ name: 'admin@demo', user: { token: 't' } }],
    contexts: [{ name: 'admin@demo', context: { cluster: 'demo', user: 'admin@demo' } }],
    'current-context': 'admin@demo',
  });

  before(async () => {
    const { admin } = await testPki();
    a = await node(
      fakeOps({
        apply: (req) =>
          Promise.resolve({
            mode: 'no-reboot',
            dryRun: req.dryRun === true,
            diff: '--- active\n+++ new\n-  hostname: a\n+  hostname: b',
            changed: ['machine.network.hostname'],
            rebootRequired: [],
            warnings: [{ path: 'machine.foo', message: 'unknown field' }],
            message: 'dry run: would apply in mode no-reboot; nothing changed',
          }),
        kubeconfig: () => Promise.resolve(Buffer.from(kube)),
        generateClientConfiguration: (roles) =>
          Promise.resolve({
            ca: Buffer.from(''),
            crt: Buffer.from(''),
            key: Buffer.from(''),
            talosconfig: Buffer.from(
              `context: reader\ncontexts:\n  reader:\n    endpoints: [10.5.0.2]\n    roles: ${roles.join(',')}\n`,
            ),
          }),
      }),
    );
    b = await node();
    dir = await mkdtemp(join(tmpdir(), 'osctl-nodes-'));
    tc = join(dir, 'talosconfig');
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const ctx = {
      endpoints: [`127.0.0.1:${a.server.port}`],
      nodes: [],
      ca: b64(admin.ca),
      crt: b64(admin.crt),
      key: b64(admin.key),
    };
    await writeFile(tc, stringify({ context: 'demo', contexts: { demo: ctx } }));
  });

  after(async () => {
    await Promise.all([a.server.close(), b.server.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('get: a table of the type with its print columns; yaml, json and jsonpath', async () => {
    const t = await osctl(tc, ['get', 'machinestatuses']);
    expect(t).to.deep.include({ code: 0, err: [] });
    expect(t.out).to.deep.equal([
      'NAMESPACE   TYPE            ID        VERSION   STAGE     READY',
      'runtime     MachineStatus   machine   1         running   true',
    ]);
    expect((await osctl(tc, ['get', 'MachineStatus', 'machine', '-o', 'jsonpath={.spec.stage}'])).out).to.deep.equal([
      'running',
    ]);
    const y = parse((await osctl(tc, ['get', 'machinestatus', '-o', 'yaml'])).out.join('\n')) as {
      spec: { ready: boolean };
    };
    expect(y.spec.ready).to.equal(true);
    const j = JSON.parse((await osctl(tc, ['get', 'rd', 'MachineStatus', '-o', 'json'])).out.join('\n')) as {
      spec: { aliases: string[] };
    };
    expect(j.spec.aliases).to.include('machinestatuses');
    const rd = await osctl(tc, ['get', 'rd']);
    expect(rd.out[0]?.split(/ {3,}/)).to.deep.equal(['NAMESPACE', 'TYPE', 'ID', 'VERSION', 'ALIASES', 'NAMESPACE']);
    expect(
      rd.out.some((l) =>
        /^meta +ResourceDefinition +MachineStatus +1 +machinestatus,machinestatuses +runtime$/.test(l),
      ),
    ).to.equal(true);
  });

  it('get errors: an unknown type, a missing resource, a malformed jsonpath (usage, exit 2)', async () => {
    expect(await osctl(tc, ['get', 'machinestatuss'])).to.deep.include({ code: 0 });
    expect(await osctl(tc, ['get', 'nosuchthing'])).to.deep.equal({
      code: 1,
      out: [],
      err: ['osctl: unknown resource type "nosuchthing"; `osctl get rd` lists the types'],
    });
    expect((await osctl(tc, ['get', 'machinestatus', 'nope'])).err).to.deep.equal([
      'osctl: resource runtime/MachineStatus/nope does not exist',
    ]);
    const bad = await osctl(tc, ['get', 'machinestatus', '-o', 'jsonpath={.spec..x}']);
    expect(bad.code).to.equal(2);
    expect(bad.err[0]).to.match(
      /^osctl: option '-o, --output <format>' argument 'jsonpath=\{\.spec\.\.x\}' is invalid\. JSONPath/,
    );
  });

  it('get --watch: the current rows marked +, then changes as they happen, until interrupted', async () => {
    const ac = new AbortController();
    const out: string[] = [];
    const ctx: CommandContext = { io: { out: (l) => out.push(l), err: () => undefined }, signal: ac.signal, env: {} };
    const run = runOsctl(['--talosconfig', tc, 'get', 'machinestatus', '--watch'], ctx);
    try {
      await eventually(() => out.length === 2);
      const cur = await a.store.get(status);
      await a.store.update({ metadata: cur.metadata, spec: { stage: 'running', ready: false, unmetConditions: [] } });
      await eventually(() => out.length === 3);
    } finally {
      ac.abort();
    }
    expect(await run).to.equal(130);
    expect(out).to.deep.equal([
      '*   NAMESPACE   TYPE            ID        VERSION   STAGE     READY',
      '+   runtime     MachineStatus   machine   1         running   true',
      '    runtime     MachineStatus   machine   2         running   false',
    ]);
    await a.store.update({
      metadata: (await a.store.get(status)).metadata,
      spec: { stage: 'running', ready: true, unmetConditions: [] },
    });
  });

  it('fans out to every -n node, with a NODE column; a node that fails is reported after the others, exit 1', async () => {
    const nodes = `127.0.0.1:${a.server.port},127.0.0.1:${b.server.port}`;
    const two = await osctl(tc, ['-n', nodes, 'get', 'machinestatus']);
    expect(two.code).to.equal(0);
    expect(two.out.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).to.deep.equal([
      'NODE NAMESPACE',
      `127.0.0.1:${a.server.port} runtime`,
      `127.0.0.1:${b.server.port} runtime`,
    ]);
    const down = await osctl(tc, ['-n', `127.0.0.1:${a.server.port},127.0.0.1:1`, 'version']);
    expect(down.code).to.equal(1);
    expect(down.out).to.include(`\tNODE:        127.0.0.1:${a.server.port}`);
    expect(down.err).to.deep.equal(['osctl: cannot reach 127.0.0.1:1: connection refused']);
  });

  it('apply-config --dry-run prints the mode details and the diff, warnings on stderr', async () => {
    const file = join(dir, 'machine.yaml');
    await writeFile(file, 'version: v1alpha1\n');
    const r = await osctl(tc, ['apply-config', '-f', file, '--dry-run']);
    expect(r.code).to.equal(0);
    expect(r.out).to.deep.equal([
      'Dry run summary:',
      'dry run: would apply in mode no-reboot; nothing changed',
      '',
      'Config diff:',
      '',
      '--- active',
      '+++ new',
      '-  hostname: a',
      '+  hostname: b',
    ]);
    expect(r.err).to.deep.equal(['warning: machine.foo: unknown field']);
    expect((await osctl(tc, ['apply-config', '-f', file, '--timeout', '2m'])).code).to.equal(2);
  });

  it('config new writes the client config the node generated; kubeconfig merges into an existing file', async () => {
    const out = join(dir, 'reader.yaml');
    const r = await osctl(tc, ['config', 'new', out, '--roles', 'os:reader']);
    expect(r).to.deep.include({ code: 0, err: [] });
    expect(parse(await readFile(out, 'utf8'))).to.have.property('context', 'reader');
    const kc = join(dir, 'kubeconfig');
    expect((await osctl(tc, ['kubeconfig', kc])).out).to.deep.equal([`wrote ${kc}`]);
    const other = parse(kube) as { clusters: { cluster: { server: string } }[] };
    other.clusters[0]!.cluster.server = 'https://elsewhere:6443';
    await writeFile(kc, stringify(other));
    const merged = await osctl(tc, ['kubeconfig', kc]);
    expect(merged.err).to.include('note: cluster "demo" exists already; added as "demo-1"');
    const doc = parse(await readFile(kc, 'utf8')) as { clusters: { name: string }[]; 'current-context': string };
    expect(doc.clusters.map((c) => c.name)).to.deep.equal(['demo', 'demo-1']);
    expect(doc['current-context']).to.equal('admin@demo-1');
  });

  it('config contexts, context, endpoint, node and merge edit the client config', async () => {
    const file = join(dir, 'edit.yaml');
    await writeFile(file, await readFile(tc, 'utf8'));
    const other = join(dir, 'other.yaml');
    await writeFile(other, stringify({ context: 'demo', contexts: { demo: { endpoints: ['10.5.0.9'], nodes: [] } } }));
    expect((await osctl(file, ['config', 'merge', other])).err).to.deep.equal([
      'note: context "demo" exists already; merged as "demo-1"',
    ]);
    expect((await osctl(file, ['config', 'node', '10.5.0.3,10.5.0.4'])).code).to.equal(0);
    expect((await osctl(file, ['config', 'context', 'demo'])).code).to.equal(0);
    expect((await osctl(file, ['config', 'endpoint', '10.5.0.2'])).code).to.equal(0);
    expect((await osctl(file, ['config', 'contexts'])).out).to.deep.equal([
      'CURRENT   NAME     ENDPOINTS   NODES',
      '*         demo     10.5.0.2',
      '          demo-1   10.5.0.9    10.5.0.3,10.5.0.4',
    ]);
    expect((await osctl(file, ['config', 'context', 'nope'])).err).to.deep.equal([
      `osctl: context "nope" is not in ${file} (it has demo, demo-1)`,
    ]);
  });

  it('apply-config --insecure reaches a node in maintenance mode without any client config', async () => {
    const cert = selfSignedCertificate(['localhost'], ['127.0.0.1']);
    const state = new InMemoryState();
    const ops = fakeOps({ apply: () => Promise.reject(new Error('unused')) });
    const server = await startApiServer({
      state,
      ops,
      host: '127.0.0.1',
      port: 0,
      tls: { mode: 'maintenance', ...cert },
    });
    try {
      const file = join(dir, 'first.yaml');
      await writeFile(file, 'version: v1alpha1\n');
      const none = join(dir, 'no-such-talosconfig');
      const r = await osctl(none, ['apply-config', '--insecure', '-n', `127.0.0.1:${server.port}`, '-f', file]);
      expect(r.err).to.deep.equal([`osctl: 127.0.0.1:${server.port} failed to serve ApplyConfiguration: unused`]);
      const secure = await osctl(tc, ['-n', `127.0.0.1:${server.port}`, 'version']);
      expect(secure.err[0]).to.match(/^osctl: the certificate of 127\.0\.0\.1:\d+ is not trusted \(/);
    } finally {
      await server.close();
    }
  });
});
