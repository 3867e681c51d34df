// End to end: two control-plane nodes (two machined, each in its own network and UTS namespaces, joined by a veth
// pair) form ONE etcd cluster from configs that share their secrets: cp-1 (the endpoint's address) bootstraps it and
// cp-2 joins as a learner and is promoted. etcdctl (a tool we did not write) and osctl on both nodes agree on the
// members; osctl get members lists both nodes; etcd killed on cp-2 heals, and cp-2's machined killed and restarted
// comes back as the same member, with no duplicate.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NamespacedMachined, removeNamespace } from './harness/node.js';
import { exec, must, until } from './harness/run.js';

const OSCTL = fileURLToPath(new URL('../api/cli/osctl.js', import.meta.url));
const ENDPOINT = 'https://10.5.0.2:6443';

/** One node of the test cluster. */
interface Node {
  readonly name: string;
  readonly ip: string;
  ns: string;
  args: string[];
  machined?: NamespacedMachined;
}

describe('etcd across two control planes (two machined, etcdctl, osctl)', function () {
  this.timeout(150_000);
  const suffix = randomBytes(3).toString('hex');
  const nodes: Node[] = [
    { name: 'cp-1', ip: '10.5.0.2', ns: '', args: [] },
    { name: 'cp-2', ip: '10.5.0.3', ns: '', args: [] },
  ];
  const [cp1, cp2] = nodes as [Node, Node];
  let dir = '';

  /** osctl run inside `node`'s network namespace against its API. */
  const osctl = (node: Node, ...a: string[]) =>
    exec('ip', [
      'netns',
      'exec',
      node.ns,
      process.execPath,
      OSCTL,
      '--talosconfig',
      join(dir, node.name, 'talosconfig'),
      '-e',
      `${node.ip}:50000`,
      '-n',
      `${node.ip}:50000`,
      ...a,
    ]);
  /** etcdctl run in cp-1's namespace against `endpoint`, with the etcdctl certificate of the cluster. */
  const etcdctl = (endpoint: string, ...a: string[]) =>
    exec('ip', [
      ...['netns', 'exec', cp1.ns, 'etcdctl', '--endpoints', endpoint, '--dial-timeout', '3s'],
      ...['--cacert', join(dir, 'ca.crt'), '--cert', join(dir, 'admin.crt'), '--key', join(dir, 'admin.key'), ...a],
    ]);
  const service = async (node: Node): Promise<Record<string, unknown>> => {
    const r = await osctl(node, 'get', 'services', 'etcd', '-o', 'json');
    return r.code === 0 ? (JSON.parse(r.stdout) as { spec: Record<string, unknown> }).spec : {};
  };
  const healthy = async (node: Node): Promise<boolean> => {
    const s = await service(node);
    return s['state'] === 'Running' && s['healthy'] === true;
  };
  /** `etcdctl member list` at `ip`: id, status, name, peer URL, client URL, learner, sorted by name. */
  const memberList = async (ip: string): Promise<string[]> => {
    const r = await etcdctl(`https://${ip}:2379`, 'member', 'list', '-w', 'simple');
    const name = (line: string): string => line.split(', ')[2] ?? '';
    return r.code === 0
      ? r.stdout
          .trim()
          .split('\n')
          .sort((a, b) => name(a).localeCompare(name(b)))
      : [];
  };
  const memberId = async (name: string): Promise<string> =>
    (await memberList(cp1.ip)).find((l) => l.split(', ')[2] === name)?.split(', ')[0] ?? '';
  /** Both members agree: each lists the same two started voting members. */
  const agree = async (): Promise<boolean> => {
    const [a, b] = [await memberList(cp1.ip), await memberList(cp2.ip)];
    return a.length === 2 && a.every((l) => /, started, cp-\d, .*, false$/.test(l)) && a.join('\n') === b.join('\n');
  };
  /** How many times the etcd service of `node` waited to be added to the cluster since it was registered. */
  const joins = async (node: Node): Promise<number> => {
    const r = await osctl(node, 'service', 'etcd');
    expect(r.code, r.stderr).to.equal(0);
    return r.stdout.split('\n').filter((l) => l.includes('to add this member')).length;
  };
  const start = (node: Node): void => {
    node.machined = new NamespacedMachined(node.ns, node.args);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'etcd-cluster-e2e-'));
    for (const [i, node] of nodes.entries()) {
      node.ns = `osnode-etcdc${i + 1}-${suffix}`;
      await must('ip', ['netns', 'add', node.ns]);
    }
    // One veth pair, one end in each namespace: nothing is added to this machine's own namespace.
    await must('ip', ['-n', cp1.ns, 'link', 'add', 'e2e0', 'type', 'veth', 'peer', 'name', 'e2e0', 'netns', cp2.ns]);
    // Both configs from one secrets bundle: the same etcd CA, OS CA and tokens; a patch per node for its name and IP.
    const secrets = join(dir, 'secrets.yaml');
    await must(process.execPath, [OSCTL, 'gen', 'secrets', '-o', secrets]);
    for (const node of nodes) {
      const patch = {
        machine: {
          network: { hostname: node.name, interfaces: [{ interface: 'e2e0', addresses: [`${node.ip}/24`] }] },
        },
      };
      const out = join(dir, node.name);
      await must(process.execPath, [
        ...[OSCTL, 'gen', 'config', 'etcdc', ENDPOINT, '-o', out, '--with-secrets', secrets],
        ...['--config-patch', JSON.stringify(patch)],
      ]);
      node.args = ['--config', join(out, 'controlplane.yaml'), '--state-dir', join(dir, `${node.name}-state`)];
    }
    // cp-2 first: it waits for cp-1's etcd to add it.
    start(cp2);
    start(cp1);
    await until(async () => (await healthy(cp1)) && (await healthy(cp2)), 90_000, 'etcd Running and healthy on both');
    // The etcdctl client certificate, as an admin reads it from a node (EtcdSecrets is os:admin only).
    const read = await osctl(cp1, 'get', 'etcdsecrets', '-o', 'json');
    expect(read.code, read.stderr).to.equal(0);
    const s = JSON.parse(read.stdout) as { spec: { ca: string; admin: { crt: string; key: string } } };
    await writeFile(join(dir, 'ca.crt'), s.spec.ca);
    await writeFile(join(dir, 'admin.crt'), s.spec.admin.crt);
    await writeFile(join(dir, 'admin.key'), s.spec.admin.key, { mode: 0o600 });
  });

  // What a failure needs explained: each node's etcd service events and what machined said about etcd.
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    for (const n of nodes) {
      const events = (await osctl(n, 'service', 'etcd')).stdout;
      const log = (await osctl(n, 'logs', 'machined')).stdout.split('\n').filter((l) => /"(etcd|members)"/.test(l));
      process.stderr.write(`--- ${n.name}\n${events}${log.slice(-20).join('\n')}\n`);
    }
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.machined?.stop() ?? Promise.resolve()));
    for (const n of nodes) if (n.ns !== '') await removeNamespace(n.ns);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('cp-2 joined cp-1: etcdctl at either member and osctl etcd members on both list the same two voters', async () => {
    await until(agree, 20_000, 'both members listing the same two started voting members');
    const list = await memberList(cp1.ip);
    expect(list.map((l) => l.split(', ').slice(2).join(', '))).to.deep.equal([
      'cp-1, https://10.5.0.2:2380, https://10.5.0.2:2379, false',
      'cp-2, https://10.5.0.3:2380, https://10.5.0.3:2379, false',
    ]);
    const ids = list.map((l) => l.split(', ')[0] ?? '');
    for (const node of nodes) {
      const out = (await osctl(node, 'etcd', 'members')).stdout;
      for (const [i, id] of ids.entries()) expect(out).to.match(new RegExp(`^${id} +cp-${i + 1} +https://`, 'm'));
    }
    // One store: a key written through cp-1 is read through cp-2.
    expect((await etcdctl('https://10.5.0.2:2379', 'put', '/e2e/k', 'one store')).code).to.equal(0);
    const read = await etcdctl('https://10.5.0.3:2379', 'get', '/e2e/k', '--print-value-only');
    expect(read.stdout.trim()).to.equal('one store');
  });

  it('osctl get members on either control plane lists both nodes with role, addresses and etcd member', async () => {
    const row = (name: string, ip: string) =>
      new RegExp(
        `^cluster +Member +${name} +\\d+ +${name} +controlplane +osnode \\(v[^)]+\\) +.*${ip.replace(/\./g, '\\.')}`,
        'm',
      );
    for (const node of nodes) {
      await until(
        async () => {
          const out = (await osctl(node, 'get', 'members')).stdout;
          return row('cp-1', cp1.ip).test(out) && row('cp-2', cp2.ip).test(out);
        },
        20_000,
        `osctl get members on ${node.name} listing cp-1 and cp-2`,
      );
    }
    const yaml = (await osctl(cp1, 'get', 'members', 'cp-2', '-o', 'json')).stdout;
    const spec = (JSON.parse(yaml) as { spec: { etcdMemberId: string; addresses: string[] } }).spec;
    expect(spec.etcdMemberId).to.equal(await memberId('cp-2'));
    expect(spec.addresses).to.include(cp2.ip);
  });

  it('etcd killed with SIGKILL on cp-2 is restarted, and the members agree again', async () => {
    const before = await memberId('cp-2');
    const pid = /^system +etcd +\S+ +(\d+) +RUNNING$/m.exec((await osctl(cp2, 'ps')).stdout)?.[1];
    await must('kill', ['-9', pid ?? '']);
    await until(async () => (await service(cp2))['state'] !== 'Running', 20_000, 'etcd on cp-2 no longer Running');
    await until(() => healthy(cp2), 40_000, 'etcd on cp-2 Running and healthy again');
    await until(agree, 20_000, 'the members agreeing again');
    expect(await memberId('cp-2')).to.equal(before);
    expect(await joins(cp2), 'waits to be added: the first start only').to.equal(1);
  });

  it('cp-2 machined killed with SIGKILL and restarted keeps its etcd member: same ID, no duplicate', async () => {
    const before = await memberId('cp-2');
    await cp2.machined?.kill({ leave: true });
    start(cp2);
    await until(() => healthy(cp2), 60_000, 'etcd on the restarted cp-2 Running and healthy');
    await until(agree, 20_000, 'the members agreeing after the restart');
    expect(await memberId('cp-2')).to.equal(before);
    expect(await memberList(cp2.ip)).to.have.length(2);
    expect(await joins(cp2), 'a start from its own data waits to be added').to.equal(0);
    const read = await etcdctl('https://10.5.0.3:2379', 'get', '/e2e/k', '--print-value-only');
    expect(read.stdout.trim()).to.equal('one store');
  });
});
