// End to end: `osctl cluster create` makes a 1 control plane + 1 worker cluster (bridge, namespaces, veths, one machined
// per node), `cluster show` and `health` see it, `-n` fans out across its nodes, create refuses what cannot work
// without leaving anything, and `cluster destroy` leaves nothing (namespaces, links, processes, cgroups, dirs).
// osctl runs in a throwaway network namespace standing in for this machine's: the bridge and its address go there,
// so the run never changes the addresses and routes of the machine that other tests (and people) use.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeCgroupName } from '../runtime/machined/extension-service.js';
import { killLeftovers } from './harness/node.js';
import { exec, must, until, type Run } from './harness/run.js';

const OSCTL = fileURLToPath(new URL('../api/cli/osctl.js', import.meta.url));
const NODES = ['controlplane-1', 'worker-1'];

describe('osctl cluster create / show / health / destroy (netns provisioner, real machined nodes)', function () {
  this.timeout(240_000);
  const id = randomBytes(3).toString('hex');
  const name = `e2e-${id}`;
  const hostNs = `osc-host-${id}`;
  const octet = Math.floor(Math.random() * 256);
  const cidr = `10.213.${octet}.0/24`;
  const [cp, worker] = [`10.213.${octet}.2`, `10.213.${octet}.3`];
  let dir = '';
  let created: Run | undefined;
  let destroyed = false;
  const state = (): string => join(dir, 'clusters');
  const talosconfig = (): string => join(dir, 'talosconfig');
  /** osctl in the stand-in host namespace, with the test's talosconfig. */
  const osctl = (args: readonly string[], timeout = 60_000): Promise<Run> =>
    exec(
      'nsenter',
      [`--net=/run/netns/${hostNs}`, process.execPath, OSCTL, '--talosconfig', talosconfig(), ...args],
      timeout,
    );
  const cluster = (verb: string, ...args: string[]): Promise<Run> =>
    osctl(['cluster', verb, '--name', name, '--state', state(), ...args], 200_000);
  const namespaces = async (): Promise<string[]> =>
    (await readdir('/run/netns').catch(() => [] as string[])).filter((n) => n.startsWith(`osnode-${name}-`));
  const links = async (): Promise<string[]> => {
    const out = await must('ip', ['-n', hostNs, '-json', 'link', 'show']);
    return (JSON.parse(out) as { ifname: string }[]).map((l) => l.ifname).filter((l) => l !== 'lo');
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osc-'));
    await must('ip', ['netns', 'add', hostNs]);
    await must('ip', ['-n', hostNs, 'link', 'set', 'lo', 'up']);
    created = await cluster('create', '--cidr', cidr, '--wait-timeout', '3m');
  });

  after(async () => {
    if (!destroyed && dir !== '') await cluster('destroy', '--grace', '10s').catch(() => undefined);
    // Should destroy have failed, whatever it left must not outlive the test either.
    for (const n of NODES) await killLeftovers(join(state(), name, n)).catch(() => undefined);
    for (const ns of await namespaces()) await exec('ip', ['netns', 'del', ns]);
    await exec('ip', ['netns', 'del', hostNs]);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('create brings both nodes up and prints them, with how to use the cluster', () => {
    expect(created?.code, created?.stderr).to.equal(0);
    const out = created?.stdout ?? '';
    expect(out).to.match(/^NAME +ROLE +ADDRESS +STAGE +READY$/m);
    expect(out).to.match(new RegExp(`^controlplane-1 +controlplane +${cp.replace(/\./g, '\\.')} +running +true$`, 'm'));
    expect(out).to.match(new RegExp(`^worker-1 +worker +${worker.replace(/\./g, '\\.')} +running +true$`, 'm'));
    expect(out).to.include(`--context ${name} health`);
    // The progress display went to stderr, one line per change.
    expect(created?.stderr).to.match(/controlplane-1 \(.*\): ready \(etcd healthy\) after \d/);
  });

  it('cluster show lists each node with its running machined', async () => {
    const r = await cluster('show');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^NAME +ROLE +ADDRESS +PID +STATE$/m);
    for (const n of NODES) expect(r.stdout).to.match(new RegExp(`^${n} +\\w+ +[\\d.]+ +\\d+ +running$`, 'm'));
  });

  it('osctl health passes for the control plane alone and for the whole cluster from its context', async () => {
    const one = await osctl(['--context', name, '-n', cp, 'health', '--wait-timeout', '60s'], 90_000);
    expect(one.code, one.stdout + one.stderr).to.equal(0);
    expect(one.stdout).to.match(/etcd members agreeing across the control planes \(EtcdMemberList\): OK/);
    const all = await osctl(['--context', name, 'health', '--wait-timeout', '90s'], 120_000);
    expect(all.code, all.stdout + all.stderr).to.equal(0);
    expect(all.stdout).to.match(/^healthy after .*: 2 node\(s\), 1 control plane\(s\), 1 worker\(s\)$/m);
  });

  it('-n fans out across the nodes with a NODE column', async () => {
    const v = await osctl(['--context', name, '-n', `${cp},${worker}`, 'version']);
    expect(v.code, v.stderr).to.equal(0);
    expect(v.stdout.match(/^\tNODE: +(\S+)$/gm)?.map((l) => l.split(/\s+/).pop())).to.deep.equal([cp, worker]);
    const g = await osctl(['--context', name, '-n', `${cp},${worker}`, 'get', 'machinestatus']);
    expect(g.code, g.stderr).to.equal(0);
    expect(g.stdout).to.match(/^NODE +NAMESPACE +TYPE +ID/m);
    for (const n of [cp, worker])
      expect(g.stdout).to.match(
        new RegExp(`^${n.replace(/\./g, '\\.')} +runtime +MachineStatus +machine +\\d+ +running +true$`, 'm'),
      );
  });

  it('get members on the control plane lists both nodes, the worker recorded once trustd signed for it', async () => {
    const esc = (ip: string): string => ip.replace(/\./g, '\\.');
    const rows = async (): Promise<string> => (await osctl(['--context', name, '-n', cp, 'get', 'members'])).stdout;
    const row = (host: string, role: string, ip: string): RegExp =>
      new RegExp(`^cluster +Member +${host} +\\d+ +${host} +${role} +.* ${esc(ip)}$`, 'm');
    // The worker asks again once its address is known (its first request may carry only its hostname).
    await until(
      async () => row('worker-1', 'worker', worker).test(await rows()),
      30_000,
      'the worker with its address',
    ).catch(async (e: unknown) => {
      process.stdout.write(`${await rows()}\n`);
      throw e;
    });
    expect(await rows()).to.match(row('controlplane-1', 'controlplane', cp));
  });

  it('create refuses a name that exists, and leaves the cluster as it was', async () => {
    const before = [await namespaces(), await links()];
    const r = await cluster('create', '--cidr', '10.214.0.0/24');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(
      new RegExp(`osctl: a cluster named "${name}" exists \\(directory .*\\): destroy it with`),
    );
    expect([await namespaces(), await links()]).to.deep.equal(before);
  });

  it("create refuses a CIDR that collides with this machine's routes, one too small, and a user who is not root", async () => {
    const other = `${name}x`;
    const made = async (): Promise<boolean> =>
      (await stat(join(state(), other)).catch(() => undefined)) !== undefined ||
      (await readdir('/run/netns')).some((n) => n.startsWith(`osnode-${other}-`));
    // This machine's own network, as its main table routes it (e.g. eth0's): refused before anything is made.
    const routes = JSON.parse(await must('ip', ['-json', '-4', 'route', 'show'])) as { dst: string }[];
    const own = routes.find((r) => r.dst !== 'default' && r.dst.includes('/'))?.dst;
    expect(own, 'a route of this machine to collide with').to.be.a('string');
    const clash = await exec(process.execPath, [
      OSCTL,
      'cluster',
      'create',
      '--name',
      other,
      '--state',
      state(),
      '--cidr',
      own ?? '',
    ]);
    expect(clash.code).to.equal(1);
    expect(clash.stderr).to.match(
      /--cidr .* overlaps networks of this machine: .*choose a free one such as --cidr 10\.\d+\.0\.0\/\d+/,
    );
    expect(clash.stderr).to.match(/^ {2}route .* dev \S+/m);
    // The running cluster's own network, in the stand-in host namespace: its bridge address is in the way.
    const taken = await osctl(['cluster', 'create', '--name', other, '--state', state(), '--cidr', cidr]);
    expect(taken.stderr).to.match(/overlaps networks of this machine/);
    expect(taken.stderr).to.match(new RegExp(`address 10\\.213\\.${octet}\\.1/24 on osb-`));
    const small = await osctl([
      'cluster',
      'create',
      '--name',
      other,
      '--state',
      state(),
      '--cidr',
      '10.215.0.0/30',
      '--controlplanes',
      '3',
    ]);
    expect(small.stderr).to.match(/holds 2 host addresses; 4 nodes and the bridge need 5: use a larger network/);
    const nobody = await exec('setpriv', [
      '--reuid',
      '65534',
      '--regid',
      '65534',
      '--clear-groups',
      process.execPath,
      OSCTL,
      'cluster',
      'create',
      '--name',
      other,
      '--state',
      state(),
    ]);
    expect(nobody.code).to.equal(1);
    expect(nobody.stderr).to.match(/^osctl: cluster create needs root/);
    expect(await made(), 'anything of the refused clusters').to.equal(false);
  });

  /** Whatever of the cluster is on this machine: namespaces, links, processes, cgroups, directories, talosconfig. */
  const leftovers = async (): Promise<Record<string, unknown>> => {
    const cgroups: string[] = [];
    for (const c of await readdir('/sys/fs/cgroup')) {
      for (const n of NODES) {
        const path = join('/sys/fs/cgroup', c, nodeCgroupName(join(state(), name, n)));
        if (await stat(path).catch(() => undefined)) cgroups.push(path);
      }
    }
    return {
      namespaces: await namespaces(),
      links: await links(),
      processes: (await exec('pgrep', ['-af', join(state(), name)])).stdout,
      cgroups,
      dirs: await readdir(state()).catch(() => []),
      talosconfig: (await stat(talosconfig()).catch(() => undefined)) !== undefined,
    };
  };
  const nothing = { namespaces: [], links: [], processes: '', cgroups: [], dirs: [], talosconfig: false };

  it('destroy stops every process and removes namespaces, links, cgroups, state and the context: nothing is left', async () => {
    const r = await cluster('destroy');
    destroyed = r.code === 0;
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/stopped 2 machined in [\d.]+s: 2 cleanly/);
    expect(await leftovers()).to.deep.equal(nothing);
    const again = await cluster('destroy');
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(new RegExp(`osctl: no cluster named "${name}"`));
  });

  it('a create that fails midway (nodes not ready within --wait-timeout) rolls everything back', async () => {
    const r = await cluster('create', '--cidr', cidr, '--wait-timeout', '1s');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(new RegExp(`^rolling back cluster "${name}": creation failed$`, 'm'));
    expect(r.stderr).to.match(/^osctl: not every node was ready within 1\.0s \(--wait-timeout\):$/m);
    expect(await leftovers()).to.deep.equal(nothing);
  });
});
