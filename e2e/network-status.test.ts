// End to end: machined in a throwaway network namespace reports its kernel's addresses, and osctl watches them change.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NamespacedMachined, namespaceWithVeth, removeNamespace } from './harness/node.js';
import { exec, must, until } from './harness/run.js';

const OSCTL = fileURLToPath(new URL('../api/cli/osctl.js', import.meta.url));

/** Whether the kernel of namespace `ns` has `address/prefix` on `link`, according to `ip -json addr`. */
async function kernelHas(ns: string, link: string, address: string, prefix: number): Promise<boolean> {
  const out = await must('ip', ['-n', ns, '-json', 'addr', 'show', 'dev', link]);
  const links = JSON.parse(out) as { addr_info?: { local: string; prefixlen: number }[] }[];
  return links.some((l) => (l.addr_info ?? []).some((a) => a.local === address && a.prefixlen === prefix));
}

describe('network status in a network namespace (machined + osctl)', function () {
  this.timeout(120_000);
  let ns = '';
  const port = 50_000 + Math.floor(Math.random() * 10_000);
  let dir = '';
  let machined: NamespacedMachined | undefined;
  let target: string[] = [];
  const osctl = (...a: string[]) => exec('ip', ['netns', 'exec', ns, process.execPath, OSCTL, ...target, ...a]);

  before(async function () {
    ns = await namespaceWithVeth('osnode-e2e');
    await must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    dir = await mkdtemp(join(tmpdir(), 'network-status-'));
    await must(process.execPath, [OSCTL, 'gen', 'config', 'e2e', 'https://127.0.0.1:6443', '-o', join(dir, 'gen')]);
    await writeFile(join(dir, 'cmdline'), 'console=ttyS0\n');
    const args = ['--config', join(dir, 'gen', 'controlplane.yaml'), '--state-dir', join(dir, 'node')];
    args.push('--cmdline', join(dir, 'cmdline'), '--api-port', String(port), '--api-host', '127.0.0.1');
    // The namespace is fresh, so any port is free in it.
    machined = new NamespacedMachined(ns, args);
    target = ['--talosconfig', join(dir, 'gen', 'talosconfig'), '-e', `127.0.0.1:${port}`, '-n', `127.0.0.1:${port}`];
    await until(
      async () => (await osctl('get', 'machinestatus', '-o', 'jsonpath={.spec.stage}')).stdout.trim() === 'running',
      60_000,
      'machined to be running',
    );
  });

  after(async () => {
    await machined?.kill();
    if (ns !== '') await removeNamespace(ns);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('get addresses lists 127.0.0.1/8 on lo', async () => {
    expect(await kernelHas(ns, 'lo', '127.0.0.1', 8)).to.equal(true);
    await until(async () => /lo\/127\.0\.0\.1\/8/.test((await osctl('get', 'addresses')).stdout), 20_000, 'lo');
    const r = await osctl('get', 'addresses');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^NAMESPACE +TYPE +ID +VERSION +ADDRESS +LINK\n/);
    expect(r.stdout).to.match(/\nnetwork +AddressStatus +lo\/127\.0\.0\.1\/8 +\d+ +127\.0\.0\.1\/8 +lo\n/);
    const links = await osctl('get', 'links');
    expect(links.code, links.stderr).to.equal(0);
    expect(links.stdout).to.match(/\nnetwork +LinkStatus +e2e0 +\d+ +ether +veth +[0-9a-f:]{17} +down +false\n/);
    const routes = await osctl('get', 'routes');
    expect(routes.code, routes.stderr).to.equal(0);
    expect(routes.stdout).to.match(
      /\nnetwork +RouteStatus +local\/inet4\/\/127\.0\.0\.1\/32\/0\/lo +\d+ +127\.0\.0\.1\/32 +lo +0\n/,
    );
  });

  it('get addresses --watch shows an address added and deleted with iproute2', async () => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, OSCTL, ...target, 'get', 'addresses', '--watch']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
    try {
      await until(() => /\n\+ +network +AddressStatus +lo\/127\.0\.0\.1\/8 /.test(out), 20_000, 'the initial rows');
      await must('ip', ['-n', ns, 'addr', 'add', '10.99.0.1/24', 'dev', 'e2e0']);
      expect(await kernelHas(ns, 'e2e0', '10.99.0.1', 24)).to.equal(true);
      const added = /\n\+ +network +AddressStatus +e2e0\/10\.99\.0\.1\/24 +\d+ +10\.99\.0\.1\/24 +e2e0\n/;
      await until(() => added.test(out), 20_000, 'the + row of 10.99.0.1/24');
      await must('ip', ['-n', ns, 'addr', 'del', '10.99.0.1/24', 'dev', 'e2e0']);
      expect(await kernelHas(ns, 'e2e0', '10.99.0.1', 24)).to.equal(false);
      await until(() => /\n- +network +AddressStatus +e2e0\/10\.99\.0\.1\/24 /.test(out), 20_000, 'the - row');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).to.equal(130);
  });

  it('machined exits 0 on SIGTERM', async () => {
    machined?.child.kill('SIGTERM');
    expect(await machined?.exited).to.equal(0);
  });
});
