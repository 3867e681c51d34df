// osctl end to end as a child process: gen config then validate, --force, --with-secrets reuse, patches, errors and exit codes.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parse } from 'yaml';

const OSCTL = fileURLToPath(new URL('./osctl.js', import.meta.url));
const FILES = ['controlplane.yaml', 'worker.yaml', 'talosconfig'];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/api/cli/osctl.js ...args` and resolves with its exit status and output once it has closed. */
function osctl(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [OSCTL, ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      if (err === null) resolve({ code: 0, stdout, stderr });
      else if (typeof err.code === 'number') resolve({ code: err.code, stdout, stderr });
      else reject(new Error(`osctl did not exit normally: ${err.message}`, { cause: err }));
    });
  });
}

async function yamlFile(path: string): Promise<Record<string, unknown>> {
  return parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

function at(doc: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((cur, k) => (cur as Record<string, unknown> | undefined)?.[k], doc);
}

describe('osctl (child process)', function () {
  this.timeout(60_000);
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osctl-e2e-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gen config writes three 0600 files that validate in strict metal mode', async () => {
    const gen = await osctl(['gen', 'config', 'demo', 'https://10.5.0.2:6443', '--output-dir', dir]);
    expect(gen).to.deep.include({ code: 0, stderr: '' });
    expect(gen.stdout.trim().split('\n')).to.deep.equal(FILES.map((f) => `created ${join(dir, f)}`));
    for (const f of FILES) expect((await stat(join(dir, f))).mode & 0o777, f).to.equal(0o600);
    for (const f of ['controlplane.yaml', 'worker.yaml']) {
      const file = join(dir, f);
      const v = await osctl(['validate', '-c', file, '--mode', 'metal', '--strict']);
      expect(v, f).to.deep.equal({ code: 0, stdout: `${file} is valid for metal mode\n`, stderr: '' });
    }
    const tc = await yamlFile(join(dir, 'talosconfig'));
    expect(tc['context']).to.equal('demo');
    expect(at(tc, 'contexts.demo.endpoints')).to.deep.equal(['10.5.0.2']);
  });

  it('refuses to overwrite without --force, naming every file; --force rewrites them 0600', async () => {
    expect((await osctl(['gen', 'config', 'demo', '10.5.0.2', '-o', dir])).code).to.equal(0);
    const before = await readFile(join(dir, 'controlplane.yaml'), 'utf8');
    await chmod(join(dir, 'worker.yaml'), 0o644);
    const again = await osctl(['gen', 'config', 'demo', '10.5.0.2', '-o', dir]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.equal(
      `osctl: ${FILES.map((f) => join(dir, f)).join(', ')} exist already; use --force to overwrite\n`,
    );
    expect(await readFile(join(dir, 'controlplane.yaml'), 'utf8')).to.equal(before);
    const forced = await osctl(['gen', 'config', 'demo', '10.5.0.2', '-o', dir, '--force']);
    expect(forced.code).to.equal(0);
    expect(forced.stderr).to.equal('note: using endpoint https://10.5.0.2:6443\n');
    expect(await readFile(join(dir, 'controlplane.yaml'), 'utf8')).not.to.equal(before);
    expect((await stat(join(dir, 'worker.yaml'))).mode & 0o777).to.equal(0o600);
    expect((await readdir(dir)).sort()).to.deep.equal([...FILES].sort());
  });

  it('--with-secrets reuses the CAs and tokens of a gen secrets bundle', async () => {
    const secrets = join(dir, 'secrets.yaml');
    expect(await osctl(['gen', 'secrets', '-o', secrets])).to.deep.include({ code: 0, stdout: `created ${secrets}\n` });
    expect((await stat(secrets)).mode & 0o777).to.equal(0o600);
    expect((await osctl(['gen', 'secrets', '-o', secrets])).code).to.equal(1);
    const bundle = await yamlFile(secrets);
    const runs = await Promise.all(
      ['a', 'b'].map((d) =>
        osctl(['gen', 'config', 'demo', 'https://10.5.0.2:6443', '-o', join(dir, d), '--with-secrets', secrets]),
      ),
    );
    expect(runs.map((r) => r.code)).to.deep.equal([0, 0]);
    const [a, b] = await Promise.all(['a', 'b'].map((d) => yamlFile(join(dir, d, 'controlplane.yaml'))));
    for (const path of [
      'machine.ca.crt',
      'cluster.ca.crt',
      'cluster.etcd.ca.crt',
      'cluster.aggregatorCA.crt',
      'cluster.token',
    ]) {
      expect(at(a, path), path).to.be.a('string').and.equal(at(b, path));
    }
    expect(at(a, 'machine.ca.crt')).to.equal(at(bundle, 'certs.os.crt'));
    expect(at(a, 'cluster.etcd.ca.key')).to.equal(at(bundle, 'certs.etcd.key'));
    expect(at(a, 'machine.token')).to.equal(at(bundle, 'trustdinfo.token'));
    const tc = await yamlFile(join(dir, 'a', 'talosconfig'));
    expect(at(tc, 'contexts.demo.ca')).to.equal(at(bundle, 'certs.os.crt'));
  });

  it('names the bad field of a --with-secrets file and writes nothing', async () => {
    const secrets = join(dir, 'secrets.yaml');
    await writeFile(secrets, 'cluster: {id: x, secret: y}\nsecrets: {bootstraptoken: nope}\n');
    const r = await osctl([
      'gen',
      'config',
      'demo',
      'https://10.5.0.2:6443',
      '-o',
      join(dir, 'out'),
      '--with-secrets',
      secrets,
    ]);
    expect(r.code).to.equal(1);
    expect(r.stderr.split('\n')[0]).to.match(
      new RegExp(`^osctl: ${secrets} is not a usable secrets bundle \\(\\d+ problems\\):$`),
    );
    expect(r.stderr)
      .to.include('  secrets.bootstraptoken: "nope" is not a token')
      .and.include('  certs.os.crt: missing');
    expect(await readdir(dir)).to.deep.equal(['secrets.yaml']);
  });

  it('applies patches from files and inline values to the right roles', async () => {
    const patch = join(dir, 'net.yaml');
    await writeFile(patch, 'machine:\n  network:\n    interfaces:\n      - interface: eth0\n        dhcp: true\n');
    const out = join(dir, 'out');
    const r = await osctl([
      'gen', 'config', 'demo', 'https://10.5.0.2:6443', '-o', out,
      '--config-patch', `@${patch}`,
      '--config-patch', 'machine: {network: {interfaces: [{interface: eth0, mtu: 1400}]}}',
      '--config-patch-control-plane', '[{"op": "add", "path": "/machine/network/hostname", "value": "cp-1"}]',
      '--config-patch-worker', '{"machine": {"install": {"disk": "/dev/vda"}}}',
      '--additional-sans', 'cp.example.com,10.5.0.10', '--dns-domain', 'k8s.internal',
    ]); // prettier-ignore
    expect(r).to.deep.include({ code: 0, stderr: '' });
    const [cp, worker] = await Promise.all([
      yamlFile(join(out, 'controlplane.yaml')),
      yamlFile(join(out, 'worker.yaml')),
    ]);
    expect(at(cp, 'machine.network')).to.deep.equal({
      interfaces: [{ interface: 'eth0', dhcp: true, mtu: 1400 }],
      hostname: 'cp-1',
    });
    expect(at(worker, 'machine.network')).to.deep.equal({ interfaces: [{ interface: 'eth0', dhcp: true, mtu: 1400 }] });
    expect(at(cp, 'machine.install.disk')).to.equal('/dev/sda');
    expect(at(worker, 'machine.install.disk')).to.equal('/dev/vda');
    expect(at(cp, 'cluster.apiServer.certSANs')).to.deep.equal(['10.5.0.2', 'cp.example.com', '10.5.0.10']);
    expect(at(worker, 'cluster.network.dnsDomain')).to.equal('k8s.internal');
    for (const f of ['controlplane.yaml', 'worker.yaml']) {
      expect((await osctl(['validate', '-c', join(out, f), '--mode', 'metal', '--strict'])).code, f).to.equal(0);
    }
  });

  it('a patch that makes a config invalid fails with the validator message and writes nothing', async () => {
    const out = join(dir, 'out');
    const r = await osctl([
      'gen',
      'config',
      'demo',
      'https://10.5.0.2:6443',
      '-o',
      out,
      '--config-patch-worker',
      'machine: {network: {hostname: "bad_name!"}}',
    ]);
    expect(r.code).to.equal(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).to.match(
      /^osctl: worker\.yaml would not be valid after the patches: machine\.network\.hostname: "bad_name!" is not a valid hostname/,
    );
    expect(lines).to.have.length(1);
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('a failing patch names the patch, the op and the path; exit 1, no stack trace', async () => {
    const r = await osctl([
      'gen',
      'config',
      'demo',
      'https://10.5.0.2:6443',
      '-o',
      join(dir, 'out'),
      '--config-patch',
      '[{"op":"remove","path":"/machine/nope"}]',
    ]);
    expect(r).to.deep.equal({
      code: 1,
      stdout: '',
      stderr: 'osctl: patch --config-patch #1 (inline), op 0, path /machine/nope: /machine/nope does not exist\n',
    });
  });

  it('validate lists every problem on stderr with exit 1; usage errors exit 2 with one line', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'version: v1alpha1\nmachine: {type: workr, install: {}}\ncluster: {network: {podSubnets: [10.244.0.1/16]}}\n',
    );
    const v = await osctl(['validate', '-c', bad, '--mode', 'metal']);
    expect(v.code).to.equal(1);
    expect(v.stdout).to.equal('');
    const lines = v.stderr.trim().split('\n');
    expect(lines[0]).to.match(new RegExp(`^osctl: ${bad} is not valid for metal mode \\(\\d+ problems\\):$`));
    expect(lines.slice(1).every((l) => l.startsWith('  '))).to.equal(true);
    expect(v.stderr).to.include('  machine.type: ').and.include('  machine.install.disk: ').and.not.include('    at ');
    for (const args of [
      ['validate', '-c', bad, '--mode', 'moon'],
      ['gen', 'config', 'demo'],
      ['gen', 'confg'],
      ['--bogus'],
    ]) {
      const u = await osctl(args);
      expect(u.code, args.join(' ')).to.equal(2);
      expect(u.stderr, args.join(' ')).to.match(/^osctl: [^\n]+\n$/);
    }
  });
});
