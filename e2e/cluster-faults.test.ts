// End to end, faults of a 3-control-plane local cluster: etcd killed with SIGKILL in one node heals and the members
// agree again; one node cut off from the bridge is reported by `osctl health` and the cluster converges once it is
// back; one control plane's machined killed with SIGKILL leaves the other two healthy on quorum, and started again it
// comes back as the same etcd member. osctl runs in a stand-in namespace for this machine's, as in cluster.test.ts.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killLeftovers } from './harness/node.js';
import { exec, must, until, type Run } from './harness/run.js';

const OSCTL = fileURLToPath(new URL('../api/cli/osctl.js', import.meta.url));
const NODES = ['controlplane-1', 'controlplane-2', 'controlplane-3'];

describe('local cluster faults: 3 control planes (etcd kill, partition, machined kill and restart)', function () {
  this.timeout(300_000);
  const id = randomBytes(3).toString('hex');
  const name = `f-${id}`;
  const hostNs = `osc-fhost-${id}`;
  const octet = Math.floor(Math.random() * 256);
  const ips = [2, 3, 4].map((n) => `10.214.${octet}.${n}`);
  let dir = '';
  const state = (): string => join(dir, 'clusters');
  const osctl = (args: readonly string[], timeout = 90_000): Promise<Run> =>
    exec(
      'nsenter',
      [`--net=/run/netns/${hostNs}`, process.execPath, OSCTL, '--talosconfig', join(dir, 'talosconfig'), ...args],
      timeout,
    );
  const cluster = (verb: string, ...args: string[]): Promise<Run> =>
    osctl(['cluster', verb, '--name', name, '--state', state(), ...args], 240_000);
  const etcdPid = async (ip: string): Promise<string | undefined> =>
    /^system +etcd +\S+ +(\d+) +RUNNING$/m.exec((await osctl(['-n', ip, 'ps'])).stdout)?.[1];
  const memberIds = async (ip: string): Promise<string[]> =>
    [...(await osctl(['-n', ip, 'etcd', 'members'])).stdout.matchAll(/^([0-9a-f]+) +controlplane-\d /gm)]
      .map((m) => m[1] ?? '')
      .sort();
  const hostVeth = async (suffix: string): Promise<string> => {
    const all = JSON.parse(await must('ip', ['-n', hostNs, '-json', 'link', 'show'])) as { ifname: string }[];
    const l = all.find((x) => x.ifname.endsWith(suffix) && x.ifname.startsWith('os-'));
    if (l === undefined) throw new Error(`no host-side veth ending in ${suffix}`);
    return l.ifname;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oscf-'));
    await must('ip', ['netns', 'add', hostNs]);
    await must('ip', ['-n', hostNs, 'link', 'set', 'lo', 'up']);
    const created = await cluster(
      'create',
      '--controlplanes',
      '3',
      '--workers',
      '0',
      '--cidr',
      `10.214.${octet}.0/24`,
      '--wait-timeout',
      '3m',
    );
    expect(created.code, created.stderr).to.equal(0);
  });

  after(async () => {
    if (dir !== '') await cluster('destroy', '--grace', '10s').catch(() => undefined);
    for (const n of NODES) await killLeftovers(join(state(), name, n)).catch(() => undefined);
    for (const ns of await readdir('/run/netns').catch(() => [] as string[])) {
      if (ns.startsWith(`osnode-${name}-`)) await exec('ip', ['netns', 'del', ns]);
    }
    await exec('ip', ['netns', 'del', hostNs]);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('is healthy with three etcd members that every control plane agrees on', async () => {
    const health = await osctl(['health', '--wait-timeout', '90s']);
    expect(health.code, health.stdout + health.stderr).to.equal(0);
    const ids = await memberIds(ips[0] ?? '');
    expect(ids).to.have.length(3);
    for (const ip of ips) expect(await memberIds(ip)).to.deep.equal(ids);
  });

  it('etcd killed with SIGKILL in one node is healed by its supervisor, and the members agree again', async () => {
    const before = await memberIds(ips[0] ?? '');
    const pid = await etcdPid(ips[1] ?? '');
    expect(pid, 'etcd pid on controlplane-2').to.match(/^\d+$/);
    await must('kill', ['-9', pid ?? '']);
    await until(
      async () => {
        const now = await etcdPid(ips[1] ?? '');
        return now !== undefined && now !== pid;
      },
      60_000,
      'etcd running again on controlplane-2',
    );
    const health = await osctl(['health', '--wait-timeout', '90s']);
    expect(health.code, health.stdout + health.stderr).to.equal(0);
    for (const ip of ips) expect(await memberIds(ip)).to.deep.equal(before);
  });

  it('a node cut off from the bridge is reported by health; back on it, the cluster converges', async () => {
    const veth = await hostVeth('-c3');
    await must('ip', ['-n', hostNs, 'link', 'set', veth, 'down']);
    try {
      const cut = await osctl(['health', '--wait-timeout', '5s'], 60_000);
      expect(cut.code, 'health while a node is cut off').to.not.equal(0);
      expect(cut.stdout + cut.stderr).to.include(ips[2] ?? 'x');
    } finally {
      await must('ip', ['-n', hostNs, 'link', 'set', veth, 'up']);
    }
    const healed = await osctl(['health', '--wait-timeout', '90s']);
    expect(healed.code, healed.stdout + healed.stderr).to.equal(0);
  });

  it('one machined killed with SIGKILL: the others stay healthy on quorum; started again, it is the same member', async () => {
    const before = await memberIds(ips[0] ?? '');
    const show = (await cluster('show')).stdout;
    const pid = new RegExp(`^controlplane-3 +\\w+ +[\\d.]+ +(\\d+) +running$`, 'm').exec(show)?.[1];
    expect(pid, show).to.match(/^\d+$/);
    const argv = (await readFile(`/proc/${pid ?? ''}/cmdline`, 'utf8')).split('\0').filter((a) => a !== '');
    await must('kill', ['-9', pid ?? '']);
    const quorum = await osctl(['-n', `${ips[0] ?? ''},${ips[1] ?? ''}`, 'health', '--wait-timeout', '90s']);
    expect(quorum.code, quorum.stdout + quorum.stderr).to.equal(0);
    // Started again the way the provisioner starts a node: in its network namespace, with new UTS and mount ones.
    const child = spawn(
      'nsenter',
      [`--net=/run/netns/osnode-${name}-cp3`, 'unshare', '--uts', '--mount', '--propagation', 'private', ...argv],
      { detached: true, stdio: 'ignore', cwd: '/' },
    );
    child.unref();
    const health = await osctl(['health', '--wait-timeout', '120s'], 150_000);
    expect(health.code, health.stdout + health.stderr).to.equal(0);
    for (const ip of ips) expect(await memberIds(ip)).to.deep.equal(before);
  });
});
