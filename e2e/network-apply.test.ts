// End to end: machined in its own network and UTS namespaces applies a config with addresses, routes, a bridge, an MTU,
// a hostname and nameservers; osctl watches the addresses appear; an address deleted by hand comes back by itself.
// The kernel is checked with iproute2 (`ip -json`), the hostname with `hostname` inside the node's UTS namespace.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NamespacedMachined, namespaceWithVeth, removeNamespace } from './harness/node.js';
import { exec, must, until } from './harness/run.js';

const OSCTL = fileURLToPath(new URL('../api/cli/osctl.js', import.meta.url));

interface IpLink {
  ifname: string;
  mtu: number;
  master?: string;
  flags: string[];
  linkinfo?: { info_kind?: string };
  addr_info?: { local: string; prefixlen: number }[];
}

const PATCH = {
  machine: {
    network: {
      hostname: 'node-e2e.example.org',
      interfaces: [
        {
          interface: 'e2e0',
          mtu: 1400,
          addresses: ['10.77.0.2/24', 'fd77::2/64'],
          routes: [{ network: '10.78.0.0/24', gateway: '10.77.0.1', metric: 100, mtu: 1300 }],
        },
        { interface: 'br0', bridge: { interfaces: ['e2e1'] }, addresses: ['10.79.0.2/24'] },
      ],
      nameservers: ['10.77.0.53'],
      searchDomains: ['example.org'],
    },
  },
};

describe('network config applied in a network namespace (machined + osctl + iproute2)', function () {
  this.timeout(120_000);
  let ns = '';
  const port = 50_000 + Math.floor(Math.random() * 10_000);
  let dir = '';
  let machined: NamespacedMachined | undefined;
  let target: string[] = [];
  const osctl = (...a: string[]) => exec('ip', ['netns', 'exec', ns, process.execPath, OSCTL, ...target, ...a]);
  const links = async (): Promise<Map<string, IpLink>> => {
    const all = JSON.parse(await must('ip', ['-n', ns, '-json', '-details', 'addr', 'show'])) as IpLink[];
    return new Map(all.map((l) => [l.ifname, l]));
  };
  const hasAddress = async (link: string, address: string, prefix: number): Promise<boolean> =>
    ((await links()).get(link)?.addr_info ?? []).some((a) => a.local === address && a.prefixlen === prefix);

  before(async function () {
    // Both ends of the veth stay in the namespace: e2e0 gets addresses, e2e1 joins the bridge br0 machined creates.
    ns = await namespaceWithVeth('osnode-apply');
    dir = await mkdtemp(join(tmpdir(), 'network-apply-'));
    await must(process.execPath, [
      OSCTL,
      'gen',
      'config',
      'e2e',
      'https://10.77.0.2:6443',
      '-o',
      join(dir, 'gen'),
      '--config-patch',
      JSON.stringify(PATCH),
    ]);
    await writeFile(join(dir, 'cmdline'), 'console=ttyS0\n');
    const args = ['--config', join(dir, 'gen', 'controlplane.yaml'), '--state-dir', join(dir, 'node')];
    args.push('--cmdline', join(dir, 'cmdline'), '--api-port', String(port), '--api-host', '127.0.0.1');
    // Its own UTS namespace too (NamespacedMachined): the node sets its hostname, and this machine's must not change.
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

  it('puts addresses, MTU, the bridge and the route into the kernel, as ip -json shows', async () => {
    await until(async () => await hasAddress('br0', '10.79.0.2', 24), 20_000, 'the bridge address');
    await until(async () => await hasAddress('e2e0', 'fd77::2', 64), 20_000, 'the IPv6 address');
    const l = await links();
    expect(l.get('e2e0')).to.include({ mtu: 1400 });
    expect(l.get('e2e0')?.flags).to.include('UP');
    expect(l.get('lo')?.flags).to.include('UP');
    expect(l.get('br0')?.linkinfo?.info_kind).to.equal('bridge');
    expect(l.get('e2e1')).to.include({ master: 'br0' });
    expect(await hasAddress('e2e0', '10.77.0.2', 24)).to.equal(true);
    await until(
      async () => {
        const routes = JSON.parse(await must('ip', ['-n', ns, '-json', 'route', 'show', '10.78.0.0/24'])) as {
          gateway?: string;
          dev?: string;
          metric?: number;
          metrics?: { mtu?: number }[];
        }[];
        return routes.some(
          (r) => r.gateway === '10.77.0.1' && r.dev === 'e2e0' && r.metric === 100 && r.metrics?.[0]?.mtu === 1300,
        );
      },
      20_000,
      'the route via 10.77.0.1 with MTU 1300',
    );
  });

  it('sets the hostname in its UTS namespace and renders resolv.conf and hosts under its root', async () => {
    const pid = String(machined?.child.pid ?? 0);
    // machined runs under `ip netns exec` and `unshare`, which exec: the spawned pid is machined's.
    await until(
      async () => (await exec('nsenter', ['-t', pid, '-u', 'hostname'])).stdout.trim() === 'node-e2e',
      20_000,
      'the hostname node-e2e',
    );
    expect(await exec('hostname', [])).to.not.include({ stdout: 'node-e2e\n' });
    await until(
      async () => (await osctl('get', 'hostname', '-o', 'jsonpath={.spec.hostname}')).stdout.trim() === 'node-e2e',
      20_000,
      'HostnameStatus',
    );
    const resolv = join(dir, 'node', 'root', 'etc', 'resolv.conf');
    await until(
      async () => /nameserver 10\.77\.0\.53/.test(await readFile(resolv, 'utf8').catch(() => '')),
      20_000,
      'resolv.conf',
    );
    expect(await readFile(resolv, 'utf8')).to.match(/^search example\.org$/m);
    const hosts = await readFile(join(dir, 'node', 'root', 'etc', 'hosts'), 'utf8');
    expect(hosts).to.match(/node-e2e\.example\.org/);
  });

  it('get addresses --watch shows the addresses, and an address deleted by hand coming back', async () => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, OSCTL, ...target, 'get', 'addresses', '--watch']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
    try {
      const row = (sign: string) => new RegExp(`\\n\\${sign} +network +AddressStatus +e2e0/10\\.77\\.0\\.2/24 `);
      await until(() => row('+').test(out), 20_000, 'the + row of 10.77.0.2/24');
      await must('ip', ['-n', ns, 'addr', 'del', '10.77.0.2/24', 'dev', 'e2e0']);
      await until(() => row('-').test(out), 20_000, 'the - row after ip addr del');
      // The restored address is a new + row after the - row.
      await until(
        () => row('+').test(out.slice(out.search(row('-')) + 1)),
        20_000,
        'the + row of the restored address',
      );
      expect(await hasAddress('e2e0', '10.77.0.2', 24)).to.equal(true);
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

describe('ip= on the kernel command line, before any config (maintenance mode, no DHCP)', function () {
  this.timeout(60_000);
  let ns = '';
  let dir = '';
  let machined: NamespacedMachined | undefined;

  before(async () => {
    ns = await namespaceWithVeth('osnode-iparg');
    dir = await mkdtemp(join(tmpdir(), 'network-iparg-'));
    // client-ip:server-ip:gateway:netmask:hostname:device:autoconf:dns0
    await writeFile(
      join(dir, 'cmdline'),
      'console=ttyS0 ip=10.88.0.2::10.88.0.1:255.255.255.0:node-m:e2e0:off:10.88.0.53\n',
    );
    const args = ['--state-dir', join(dir, 'node'), '--cmdline', join(dir, 'cmdline'), '--api-port', '50000'];
    // Its own UTS namespace too (NamespacedMachined): the node sets its hostname, and this machine's must not change.
    machined = new NamespacedMachined(ns, args);
  });

  after(async () => {
    await machined?.kill();
    if (ns !== '') await removeNamespace(ns);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('configures the address, the default route and the hostname, and serves maintenance mode on that address', async () => {
    const addresses = async (): Promise<string[]> =>
      (JSON.parse(await must('ip', ['-n', ns, '-json', 'addr', 'show', 'dev', 'e2e0'])) as IpLink[]).flatMap((l) =>
        (l.addr_info ?? []).map((a) => `${a.local}/${String(a.prefixlen)}`),
      );
    await until(async () => (await addresses()).includes('10.88.0.2/24'), 20_000, '10.88.0.2/24 on e2e0');
    await until(
      async () => /default via 10\.88\.0\.1 dev e2e0/.test(await must('ip', ['-n', ns, 'route', 'show', 'default'])),
      20_000,
      'the default route via 10.88.0.1',
    );
    const pid = String(machined?.child.pid ?? 0);
    await until(
      async () => (await exec('nsenter', ['-t', pid, '-u', 'hostname'])).stdout.trim() === 'node-m',
      20_000,
      'the hostname node-m',
    );
    // No config yet: the API answers in maintenance mode (server TLS only) on the address ip= gave.
    await until(
      async () =>
        (await exec('ip', ['netns', 'exec', ns, process.execPath, OSCTL, 'version', '--insecure', '-n', '10.88.0.2']))
          .code === 0,
      20_000,
      'the maintenance API on 10.88.0.2:50000',
    );
    const resolv = await readFile(join(dir, 'node', 'root', 'etc', 'resolv.conf'), 'utf8');
    expect(resolv).to.match(/^nameserver 10\.88\.0\.53$/m);
  });
});
