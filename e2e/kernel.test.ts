// End to end: a node in its own network and UTS namespaces applies the hardening sysctls of its network namespace and
// machine.sysctls, reports the rest (osctl get sysctls), puts back values changed by hand with sysctl -w (osctl get
// sysctls --watch shows it), never touches this machine's global sysctls, and audits its kernel (osctl kernel audit);
// osctl kernel audit --config audits the Debian kernel installed here.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SYSCTLS } from '../kernel-config/index.js';
import { NamespacedMachined, namespaceWithVeth, removeNamespace, startGeneratedNode } from './harness/node.js';
import { exec, must, until } from './harness/run.js';

const OSCTL = fileURLToPath(new URL('../api/cli/osctl.js', import.meta.url));

const PATCH = {
  machine: {
    network: { hostname: 'kernel-node', interfaces: [{ interface: 'e2e0', addresses: ['10.67.0.2/24'] }] },
    sysctls: {
      'net.ipv4.ip_forward': '0',
      'net.ipv4.conf.all.rp_filter': 2,
      'net.ipv4.ip_default_ttl': '0',
      'net.ipv4.osnode_no_such_sysctl': '1',
      'vm.swappiness': '7',
    },
    kernel: { modules: [{ name: 'osnode_no_such_module', parameters: ['debug=1'] }] },
  },
};

/** A sysctl of this machine (the test process's namespaces). */
const hostValue = (path: string): Promise<string> => readFile(`/proc/sys/${path}`, 'utf8').then((v) => v.trim());

describe('kernel hardening on a node (machined + osctl + sysctl)', function () {
  this.timeout(180_000);
  let ns = '';
  let dir = '';
  const port = 50_000 + Math.floor(Math.random() * 10_000);
  let machined: NamespacedMachined | undefined;
  let target: string[] = [];
  let swappiness = '';
  const osctl = (...a: string[]) => exec('ip', ['netns', 'exec', ns, process.execPath, OSCTL, ...target, ...a]);
  const inNode = (...a: string[]) => must('ip', ['netns', 'exec', ns, ...a]);
  const sysctls = async (): Promise<Map<string, Record<string, unknown>>> => {
    const r = await osctl('get', 'sysctls', '-o', 'json');
    if (r.code !== 0) return new Map();
    // One JSON document per resource, as osctl get prints them.
    const docs = JSON.parse(`[${r.stdout.replace(/}\n{/g, '},{')}]`) as {
      metadata: { id: string };
      spec: Record<string, unknown>;
    }[];
    return new Map(docs.map((d) => [d.metadata.id, d.spec]));
  };

  before(async () => {
    swappiness = await hostValue('vm/swappiness');
    ns = await namespaceWithVeth('osnode-kernel');
    dir = await mkdtemp(join(tmpdir(), 'kernel-'));
    ({ machined, target } = await startGeneratedNode({
      ns,
      dir,
      cluster: 'kernel',
      endpoint: 'https://10.67.0.2:6443',
      patch: PATCH,
      port,
    }));
    await until(
      async () => (await sysctls()).get('net.ipv4.ip_forward')?.['state'] === 'Applied',
      60_000,
      'net.ipv4.ip_forward Applied',
    );
  });

  after(async () => {
    await machined?.stop();
    if (ns !== '') await removeNamespace(ns);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('osctl get sysctls shows every default and configured sysctl with its current value', async () => {
    const all = await sysctls();
    const names = [...DEFAULT_SYSCTLS.map((s) => s.name), ...Object.keys(PATCH.machine.sysctls)];
    expect([...all.keys()].sort()).to.deep.equal([...new Set(names)].sort());
    expect(all.get('net.ipv4.tcp_syncookies')).to.include({ state: 'Applied', current: '1', layer: 'default' });
    expect(all.get('net.ipv4.conf.all.rp_filter')).to.include({
      state: 'Applied',
      current: '2',
      layer: 'configuration',
    });
    expect(all.get('net.ipv4.ip_default_ttl')).to.include({
      state: 'Failed',
      current: '64',
      reason: 'write 0 to net.ipv4.ip_default_ttl: invalid argument (EINVAL)',
    });
    expect(all.get('net.ipv4.osnode_no_such_sysctl')).to.include({ state: 'Unsupported', unsupported: true });
    // Global sysctls are the host's: reported, never written by a node that shares its kernel.
    expect(all.get('vm.swappiness')).to.include({ state: 'Skipped', current: swappiness });
    expect(all.get('kernel.kptr_restrict')?.['reason']).to.match(/^not namespaced: the node shares its kernel/);
    // The table, and the values as sysctl(8) reads them inside the node's namespace.
    const table = (await osctl('get', 'sysctls')).stdout;
    expect(table).to.match(/^NAMESPACE +TYPE +ID +VERSION +CURRENT +WANTED +DEFAULT +LAYER +STATE +REASON$/m);
    expect(table).to.match(
      /^runtime +KernelParamStatus +net\.ipv4\.tcp_syncookies +\d+ +1 +1 +\S+ +default +Applied$/m,
    );
    expect((await inNode('sysctl', '-n', 'net.ipv4.conf.all.rp_filter')).trim()).to.equal('2');
    expect((await inNode('sysctl', '-n', 'net.ipv4.conf.default.accept_redirects')).trim()).to.equal('0');
    expect(await hostValue('vm/swappiness')).to.equal(swappiness);
  });

  it('sysctl -w by hand inside the node is put back, and osctl get sysctls --watch shows both', async () => {
    const watch = spawn('ip', [
      'netns',
      'exec',
      ns,
      process.execPath,
      OSCTL,
      ...target,
      'get',
      'sysctls',
      'net.ipv4.ip_forward',
      '--watch',
    ]);
    let out = '';
    watch.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const ended = new Promise((resolve) => watch.once('exit', resolve));
    try {
      await until(() => /Applied/.test(out), 20_000, 'the watch to show the sysctl');
      await inNode('sysctl', '-w', 'net.ipv4.ip_forward=1');
      await until(() => /\bPending\b/.test(out) && /Applied\s*$/.test(out), 10_000, 'the watch to show the repair');
      expect((await inNode('sysctl', '-n', 'net.ipv4.ip_forward')).trim()).to.equal('0');
      expect(out).to.match(
        /net\.ipv4\.ip_forward +\d+ +1 +0 +\S+ +configuration +Pending +changed to 1 outside the node/,
      );
      // A change inotify cannot see (conf.all.forwarding sets ip_forward too) is found by the resync.
      await inNode('sh', '-c', 'echo 1 > /proc/sys/net/ipv4/conf/all/forwarding');
      await until(
        async () => (await inNode('sysctl', '-n', 'net.ipv4.ip_forward')).trim() === '0',
        10_000,
        'ip_forward put back after the resync',
      );
    } finally {
      watch.kill('SIGTERM');
      await ended;
    }
  });

  it('a module the node may not load is reported, and the host is left as it was', async () => {
    const r = await osctl('get', 'modules', 'osnode_no_such_module', '-o', 'json');
    expect(r.code, r.stderr).to.equal(0);
    const spec = (JSON.parse(r.stdout) as { spec: Record<string, unknown> }).spec;
    expect(spec).to.include({ state: 'Skipped' });
    expect(spec['reason']).to.match(/^kernel modules are global/);
    expect(await hostValue('vm/swappiness')).to.equal(swappiness);
  });

  it("osctl kernel audit: the node audits its own kernel, with its namespace's sysctls", async () => {
    const r = await osctl('kernel', 'audit');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^KIND +OPTION +WANTED +FOUND +VERDICT$/m);
    expect(r.stdout).to.match(/^sysctl +net\.ipv4\.tcp_syncookies +1 +1 +ok$/m);
    // The node's own choice (machine.sysctls) against the recommendation.
    expect(r.stdout).to.match(/^sysctl +net\.ipv4\.conf\.all\.rp_filter +1 +2 +differs$/m);
    expect(r.stdout).to.match(
      /^kernel \S+, config \S+: \d+ checked: \d+ ok, \d+ differ, \d+ missing, \d+ not applicable$/m,
    );
  });

  it('osctl kernel audit --config audits the Debian kernel installed here (no node needed)', async () => {
    const configs = (await readdir('/boot').catch(() => [] as string[])).filter((f) => f.startsWith('config-'));
    const path = configs.length > 0 ? join('/boot', configs.sort().at(-1) ?? '') : '/proc/config.gz';
    const r = await exec(process.execPath, [OSCTL, 'kernel', 'audit', '--config', path]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^config +CONFIG_STRICT_KERNEL_RWX +y +y +ok$/m);
    const summary = r.stdout.trim().split('\n').at(-1) ?? '';
    expect(summary).to.match(new RegExp(`^kernel \\S+, config ${path}: \\d+ checked: \\d+ ok, `));
    process.stdout.write(`      ${summary}\n`);
  });
});
