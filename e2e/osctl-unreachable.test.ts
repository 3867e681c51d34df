// osctl against a node that stopped answering: in a network namespace of the test's own, the node's address leads to a
// link where every packet vanishes (a permanent neighbour entry for an address nobody holds), so a TCP connect sits in
// SYN-SENT, as it does when a node's link goes down mid-connection. osctl must end when its command does.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec, must, until } from './harness/run.js';

const OSCTL = fileURLToPath(new URL('../api/cli/osctl.js', import.meta.url));
const NODE = '10.254.77.2';

describe('osctl against a node whose packets vanish (network namespace, real TCP)', function () {
  this.timeout(60_000);
  const ns = `osnode-e2e-bh-${randomBytes(3).toString('hex')}`;
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osctl-bh-'));
    await must('ip', ['netns', 'add', ns]);
    const ip = (...args: string[]): Promise<string> => must('ip', ['-n', ns, ...args]);
    await ip('link', 'set', 'lo', 'up');
    await ip('link', 'add', 'bha', 'type', 'veth', 'peer', 'name', 'bhb');
    await ip('link', 'set', 'bha', 'up');
    await ip('link', 'set', 'bhb', 'up');
    await ip('addr', 'add', '10.254.77.1/24', 'dev', 'bha');
    const [peer] = JSON.parse(await ip('-json', 'link', 'show', 'bhb')) as { address: string }[];
    await ip('neigh', 'add', NODE, 'lladdr', peer?.address ?? '', 'dev', 'bha', 'nud', 'permanent');
    await must(process.execPath, [OSCTL, 'gen', 'config', 'bh', `https://${NODE}:6443`, '--output-dir', dir]);
  });

  after(async () => {
    await exec('ip', ['netns', 'del', ns]);
    await rm(dir, { recursive: true, force: true });
  });

  it('Ctrl-C while it connects: osctl exits at once (130), not when the kernel gives up on the SYN', async () => {
    const started = Date.now();
    const child = spawn(
      'nsenter',
      [`--net=/run/netns/${ns}`, process.execPath, OSCTL, '--talosconfig', join(dir, 'talosconfig')].concat([
        '-e',
        NODE,
        '-n',
        NODE,
        'version',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
    try {
      // The connect is under way when ss, a tool we did not write, shows it in SYN-SENT.
      await until(
        async () => (await exec('ss', ['-N', ns, '-tnH', 'state', 'syn-sent', 'dst', NODE])).stdout.trim() !== '',
        20_000,
        `osctl's connect to ${NODE} in SYN-SENT`,
      );
      const interrupted = Date.now();
      child.kill('SIGINT');
      const code = await exited;
      expect(code, stderr).to.equal(130);
      expect(stderr).to.include('interrupted');
      expect(Date.now() - interrupted, 'osctl outlived its command').to.be.below(10_000);
      expect(Date.now() - started).to.be.below(30_000);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
