// End to end: machined on a generated config serving the node API on a free port, and osctl run as a person runs it.
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const OSCTL = fileURLToPath(new URL('../api/cli/osctl.js', import.meta.url));
const MACHINED = fileURLToPath(new URL('../runtime/machined/main.js', import.meta.url));
/**
 * This node shares this machine's network namespace: no address may qualify for etcd, which would otherwise listen on
 * this machine's own addresses (a test's servers stay on loopback or in namespaces of its own).
 */
const NO_ETCD = [
  '--config-patch',
  JSON.stringify({ cluster: { etcd: { advertisedSubnets: ['!0.0.0.0/0', '!::/0'] } } }),
];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(script: string, args: readonly string[], timeout = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, ...args], { timeout }, (err, stdout, stderr) => {
      if (err === null) resolve({ code: 0, stdout, stderr });
      else if (typeof err.code === 'number') resolve({ code: err.code, stdout, stderr });
      else reject(new Error(`${script} did not exit normally: ${err.message}\n${stderr}`, { cause: err }));
    });
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Resolves once `check` resolves true, trying every 100 ms; rejects after `ms` with the last output. */
async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('osctl against machined', function () {
  this.timeout(120_000);
  let dir = '';
  let port = 0;
  let machined: ReturnType<typeof spawn> | undefined;
  let osctl: (...args: string[]) => Promise<Run>;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'osctl-machined-'));
    port = await freePort();
    const gen = await run(OSCTL, [
      'gen',
      'config',
      'e2e',
      'https://127.0.0.1:6443',
      '-o',
      join(dir, 'gen'),
      ...NO_ETCD,
    ]);
    expect(gen.code, gen.stderr).to.equal(0);
    await writeFile(join(dir, 'cmdline'), 'console=ttyS0\n');
    const args = ['--config', join(dir, 'gen', 'controlplane.yaml'), '--state-dir', join(dir, 'node')];
    args.push(
      '--cmdline',
      join(dir, 'cmdline'),
      '--api-port',
      String(port),
      '--api-host',
      '127.0.0.1',
      '--trustd-port',
      '0',
    );
    // Its own UTS namespace: a node sets its hostname, and this machine's must never change.
    // With a Node flag, as nodes run: a reboot must keep it.
    machined = spawn('unshare', ['--uts', process.execPath, '--max-semi-space-size=1', MACHINED, ...args], {
      stdio: 'ignore',
    });
    const target = [
      '--talosconfig',
      join(dir, 'gen', 'talosconfig'),
      '-e',
      `127.0.0.1:${port}`,
      '-n',
      `127.0.0.1:${port}`,
    ];
    osctl = (...a: string[]) => run(OSCTL, [...target, ...a]);
    await until(
      async () => (await osctl('get', 'machinestatus', '-o', 'jsonpath={.spec.stage}')).stdout.trim() === 'running',
      60_000,
      'machined to be running',
    );
  });

  after(async () => {
    if (machined !== undefined && machined.exitCode === null) {
      const exited = new Promise((resolve) => machined?.once('exit', resolve));
      machined.kill('SIGTERM');
      await exited;
    }
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('get machinestatus and get rd print aligned tables', async () => {
    const ms = await osctl('get', 'machinestatus');
    expect(ms.code, ms.stderr).to.equal(0);
    expect(ms.stdout).to.match(
      /^NAMESPACE +TYPE +ID +VERSION +STAGE +READY\nruntime +MachineStatus +machine +\d+ +running +true\n$/,
    );
    const rd = await osctl('get', 'rd');
    expect(rd.code, rd.stderr).to.equal(0);
    expect(rd.stdout).to.match(
      /\nmeta +ResourceDefinition +MachineStatus +\d+ +machinestatus,machinestatuses +runtime\n/,
    );
  });

  it('version prints the client and the server', async () => {
    const v = await osctl('version');
    expect(v.code, v.stderr).to.equal(0);
    expect(v.stdout)
      .to.match(/^Client:\n\tTag: +v\d/)
      .and.include(`\tNODE:        127.0.0.1:${port}\n`);
  });

  it('get machinestatus --watch stays open and shows the row until it is killed', async () => {
    const child = spawn(process.execPath, [
      OSCTL,
      '--talosconfig',
      join(dir, 'gen', 'talosconfig'),
      '-n',
      `127.0.0.1:${port}`,
      'get',
      'machinestatus',
      '--watch',
    ]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
    try {
      await until(
        () => Promise.resolve(/\n\+ +runtime +MachineStatus +machine +\d+ +running +true\n/.test(out)),
        20_000,
        'the watched row',
      );
      expect(child.exitCode).to.equal(null);
      expect(out.split('\n')[0]).to.match(/^\* +NAMESPACE +TYPE +ID +VERSION +STAGE +READY$/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).to.equal(130);
  });

  it('apply-config --dry-run shows the mode and the diff and changes nothing', async () => {
    const file = join(dir, 'changed.yaml');
    const doc = parse(await readFile(join(dir, 'gen', 'controlplane.yaml'), 'utf8')) as {
      machine: { network: Record<string, unknown> };
    };
    doc.machine.network['hostname'] = 'e2e-node';
    await writeFile(file, stringify(doc));
    const r = await osctl('apply-config', '-f', file, '--dry-run');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout)
      .to.match(/^Dry run summary:\n.*\n\nConfig diff:\n\n/)
      .and.include('hostname')
      .and.include('e2e-node');
    const after = await osctl('get', 'machineconfig', 'v1alpha1', '-o', 'jsonpath={.spec.machine.network.hostname}');
    expect(after.stdout.trim()).to.equal('');
  });

  // Last: the node it leaves behind is the re-executed one (the after hook's SIGTERM reaches it through its parent).
  it('reboot re-executes machined with the same arguments and Node flags, and it comes back running', async () => {
    const parent = machined?.pid ?? 0;
    const r = await osctl('reboot');
    expect(r.code, r.stderr).to.equal(0);
    let cmdline: string[] = [];
    await until(
      async () => {
        const kids = (await readFile(`/proc/${parent}/task/${parent}/children`, 'utf8').catch(() => ''))
          .trim()
          .split(/\s+/)
          .filter((k) => k !== '');
        for (const k of kids) {
          const args = (await readFile(`/proc/${k}/cmdline`, 'utf8').catch(() => '')).split('\0');
          if (args.includes(MACHINED)) cmdline = args;
        }
        return cmdline.length > 0;
      },
      30_000,
      'the re-executed machined',
    );
    expect(cmdline.slice(1, 3)).to.deep.equal(['--max-semi-space-size=1', MACHINED]);
    await until(
      async () => (await osctl('get', 'machinestatus', '-o', 'jsonpath={.spec.stage}')).stdout.trim() === 'running',
      60_000,
      'the rebooted machined to be running',
    );
  });
});
