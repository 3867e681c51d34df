// machined as a person runs it, reached over its API: configs from `osctl gen config`, an admin client from the
// talosconfig, Version, Get MachineStatus, a dry-run apply, and Shutdown ending the process with exit code 0.
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { call, clients, closeAll, talosconfigCredentials } from '../../api/server/testing.js';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const OSCTL = fileURLToPath(new URL('../../api/cli/osctl.js', import.meta.url));

/** A port that was free a moment ago: the child binds it itself, so the parent cannot use port 0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        resolve(typeof addr === 'object' && addr !== null ? addr.port : 0);
      });
    });
  });
}

type Msgs<T> = { messages: T[] };

describe('machined over its API (child process)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osnode-machined-api-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('answers an admin from the talosconfig, dry-runs an apply, and exits 0 on Shutdown', async () => {
    // This node shares this machine's network namespace: no address may qualify for etcd (it would listen on them).
    const noEtcd = JSON.stringify({ cluster: { etcd: { advertisedSubnets: ['!0.0.0.0/0', '!::/0'] } } });
    await run(process.execPath, [
      OSCTL,
      'gen',
      'config',
      'demo',
      'https://10.5.0.2:6443',
      '--output-dir',
      dir,
      '--config-patch',
      noEtcd,
    ]);
    const cmdline = join(dir, 'cmdline');
    await writeFile(cmdline, 'console=ttyS0\n');
    const port = await freePort();
    const args = ['--config', join(dir, 'controlplane.yaml'), '--state-dir', join(dir, 'node'), '--cmdline', cmdline];
    const started = performance.now();
    // Its own UTS namespace: a node sets its hostname (this config names none, but this machine's must never change).
    const child = spawn(
      'unshare',
      ['--uts', process.execPath, MAIN, ...args, '--api-host', '127.0.0.1', '--api-port', String(port), '--trustd-port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        resolve(code);
      }),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('machined is up')) resolve();
      });
      void exited.then((code) => {
        reject(new Error(`machined exited ${code}: ${err}`));
      });
    });
    const upMs = performance.now() - started;
    expect(err).to.match(new RegExp(`node API in secure mode on 127\\.0\\.0\\.1:${port}`));

    const c = clients(port, talosconfigCredentials(await readFile(join(dir, 'talosconfig'), 'utf8')));
    try {
      const t0 = performance.now();
      const v = await call<Msgs<{ metadata: { hostname: string }; version: { tag: string } }>>(c.machine, 'Version');
      const firstCallMs = performance.now() - t0;
      expect(v.messages[0]?.version.tag).to.match(/^v\d+\.\d+\.\d+/);
      expect(v.messages[0]?.metadata.hostname).to.not.equal('');

      const st = await call<{ resource: { spec: { yamlSpec: string } } }>(c.state, 'Get', {
        namespace: 'runtime',
        type: 'MachineStatus',
        id: 'machine',
      });
      expect(parse(st.resource.spec.yamlSpec)).to.deep.include({ stage: 'running', ready: true });

      const config = parse(await readFile(join(dir, 'controlplane.yaml'), 'utf8')) as {
        machine: Record<string, unknown>;
      };
      config.machine['certSANs'] = ['node1.example.com'];
      const dry = await call<Msgs<{ diff: string; modeDetails: string; mode: string }>>(
        c.machine,
        'ApplyConfiguration',
        {
          data: Buffer.from(stringify(config)),
          mode: 'AUTO',
          dryRun: true,
        },
      );
      expect(dry.messages[0]?.diff).to.include('node1.example.com');
      expect(dry.messages[0]?.mode).to.equal('NO_REBOOT');
      expect(dry.messages[0]?.modeDetails).to.include('dry run');

      await call(c.machine, 'Shutdown', {});
      expect(await exited).to.equal(0);
      expect(out).to.include('machined stopped cleanly');
      // Reported by the test run, for the record: start to "up", and the first call (TLS handshake included).
      process.stdout.write(
        `      machined up in ${Math.round(upMs)} ms; first API call ${Math.round(firstCallMs)} ms\n`,
      );
    } finally {
      closeAll(c);
      child.kill('SIGKILL');
    }
  });
});
