// The machined executable, run as a user would: config sources, maintenance mode, persistence, bad input, SIGTERM.
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../docs/examples/machine.yaml', import.meta.url));
const OSCTL = fileURLToPath(new URL('../../api/cli/osctl.js', import.meta.url));
/** `unshare` arguments that run node in fresh network and UTS namespaces (unshare execs: signals reach node). */
const ISOLATED = ['--net', '--uts', process.execPath];

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function machined(...args: string[]): Promise<Outcome> {
  try {
    // A free port each time: runs never collide with each other or with a node on the default port.
    // In its own network and UTS namespaces: machined applies its config's network and hostname to the namespaces it
    // runs in, and the example config names eth0, addresses, a default route and a hostname.
    const { stdout, stderr } = await run('unshare', ISOLATED.concat(MAIN, '--api-port', '0', ...args), {
      timeout: 15_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as Outcome;
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('machined', () => {
  let dir: string;
  let noCmdline: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osnode-machined-'));
    // Never read the host's /proc/cmdline in tests: a node's command line is its own.
    noCmdline = join(dir, 'cmdline');
    await writeFile(noCmdline, 'console=ttyS0\n');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('runs on --config, persists it, and restarts from the persisted copy', async () => {
    const state = join(dir, 'node');
    const first = await machined('--config', EXAMPLE, '--state-dir', state, '--cmdline', noCmdline, '--once');
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/config\s+MachineType\s+machine-type\s+\d+\s+controlplane/);
    // The example config has no machine.ca: the node runs but cannot serve its API, so it is not ready.
    expect(first.stdout).to.match(/runtime\s+MachineStatus\s+machine\s+\d+\s+running\s+false/);
    expect(first.stdout).to.match(/runtime\s+ApiStatus\s+apid\s+\d+\s+off/);
    expect(first.stdout).to.include('stopped cleanly');
    const again = await machined('--state-dir', state, '--cmdline', noCmdline, '--once');
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/MachineType\s+machine-type\s+\d+\s+controlplane/);
    expect(again.stderr).to.include('config from persisted');
    const files = await readdir(join(state, 'state', 'config', 'MachineConfig'));
    expect(files.sort()).to.deep.equal(['persistent.json', 'v1alpha1.json']);
  });

  it('runs on the configs osctl gen config writes, as control plane and as worker', async () => {
    const out = join(dir, 'gen');
    await run(process.execPath, [OSCTL, 'gen', 'config', 'demo', 'https://10.5.0.2:6443', '--output-dir', out]);
    for (const role of ['controlplane', 'worker']) {
      const r = await machined(
        '--config',
        join(out, `${role}.yaml`),
        '--state-dir',
        join(dir, role),
        '--cmdline',
        noCmdline,
        '--once',
      );
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`MachineType\\s+machine-type\\s+\\d+\\s+${role}`));
      // A worker holds machine.ca without its key: no API until a control plane issues it a certificate.
      const ready = role === 'controlplane';
      expect(r.stdout).to.match(new RegExp(`MachineStatus\\s+machine\\s+\\d+\\s+running\\s+${ready}`));
      expect(r.stdout).to.match(new RegExp(`ApiStatus\\s+apid\\s+\\d+\\s+${ready ? 'secure' : 'off'}`));
      if (!ready) expect(r.stderr).to.include('the node API is not served');
    }
  });

  it('enters maintenance mode without a config', async () => {
    const r = await machined('--state-dir', join(dir, 'node'), '--cmdline', noCmdline, '--once');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/runtime\s+MachineStatus\s+machine\s+\d+\s+maintenance\s+false/);
    expect(r.stdout).to.match(/MachineType\s+machine-type\s+\d+\s+unknown/);
    expect(r.stderr).to.include('maintenance mode');
  });

  it('takes the config from talos.config= on the kernel command line', async () => {
    const cmdline = join(dir, 'cmdline-with-config');
    await writeFile(cmdline, `console=ttyS0 talos.config=${EXAMPLE}\n`);
    const r = await machined('--state-dir', join(dir, 'node'), '--cmdline', cmdline, '--once');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.include(`config from ${EXAMPLE}`);
    expect(r.stdout).to.match(/MachineType\s+machine-type\s+\d+\s+controlplane/);
  });

  it('refuses an invalid config with a line per problem and writes no config', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'version: v1alpha1\nmachine:\n  type: bogus\n  network:\n    hostname: -x-\n');
    const state = join(dir, 'node');
    const r = await machined('--config', bad, '--state-dir', state, '--cmdline', noCmdline, '--once');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('machine.type').and.include('"bogus"').and.include('machine.network.hostname');
    expect(r.stderr).to.not.match(/\n\s+at /);
    const configs = await readdir(join(state, 'state', 'config', 'MachineConfig')).catch(() => []);
    expect(configs).to.deep.equal([]);
  });

  it('refuses YAML it cannot parse, naming the line and column', async () => {
    const bad = join(dir, 'broken.yaml');
    await writeFile(bad, 'version: v1alpha1\nmachine: [unclosed\n');
    const r = await machined('--config', bad, '--state-dir', join(dir, 'node'), '--cmdline', noCmdline, '--once');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/broken\.yaml.*\d+:\d+|\d+:\d+.*broken\.yaml|line \d+/s);
  });

  it('stops cleanly on SIGTERM and keeps structured logs under the state dir', async () => {
    const state = join(dir, 'node');
    const args = ['--config', EXAMPLE, '--state-dir', state, '--cmdline', noCmdline, '--api-port', '0'];
    const child = spawn('unshare', ISOLATED.concat(MAIN, ...args), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const up = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('machined is up')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        resolve(code);
      }),
    );
    await up;
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
    expect(out).to.include('stopped cleanly');
    const lines = (await readFile(join(state, 'logs', 'machined.log'), 'utf8')).trim().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as { level: string; component: string; msg: string });
    expect(parsed.map((l) => l.msg)).to.include('stage shutting down');
    expect(parsed[0]).to.have.all.keys('time', 'level', 'component', 'msg');
  });
});
