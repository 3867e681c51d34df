// End to end: a control-plane node in its own network and UTS namespaces runs etcd as a system container with the
// certificates it issued itself; osctl shows the member, status and a snapshot; etcdctl (a tool we did not write)
// reads and writes with the issued client certificate, is refused without one, and accepts the snapshot; etcd killed
// with SIGKILL comes back as the same member with its data. kubectl (also not ours) accepts osctl's kubeconfig.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NamespacedMachined, namespaceWithVeth, removeNamespace, startGeneratedNode } from './harness/node.js';
import { exec, must, until } from './harness/run.js';

const OSCTL = fileURLToPath(new URL('../api/cli/osctl.js', import.meta.url));
const PATCH = {
  machine: { network: { hostname: 'etcd-node', interfaces: [{ interface: 'e2e0', addresses: ['10.67.0.2/24'] }] } },
};

describe('etcd on a control-plane node (machined + containerd + osctl + etcdctl)', function () {
  this.timeout(180_000);
  let ns = '';
  let dir = '';
  const port = 50_000 + Math.floor(Math.random() * 10_000);
  let machined: NamespacedMachined | undefined;
  let target: string[] = [];
  const osctl = (...a: string[]) => exec('ip', ['netns', 'exec', ns, process.execPath, OSCTL, ...target, ...a]);
  const tls = () => [
    '--cacert',
    join(dir, 'ca.crt'),
    '--cert',
    join(dir, 'admin.crt'),
    '--key',
    join(dir, 'admin.key'),
  ];
  const etcdctl = (...a: string[]) =>
    exec('ip', ['netns', 'exec', ns, 'etcdctl', '--endpoints', 'https://10.67.0.2:2379', '--dial-timeout', '3s', ...a]);
  const service = async (): Promise<Record<string, unknown>> => {
    const r = await osctl('get', 'services', 'etcd', '-o', 'json');
    return r.code === 0 ? (JSON.parse(r.stdout) as { spec: Record<string, unknown> }).spec : {};
  };
  const healthy = async (): Promise<boolean> => {
    const s = await service();
    return s['state'] === 'Running' && s['healthy'] === true;
  };
  const memberId = async (): Promise<string> =>
    /^([0-9a-f]+) +etcd-node +https:\/\/10\.67\.0\.2:2380 /m.exec((await osctl('etcd', 'members')).stdout)?.[1] ?? '';

  before(async () => {
    ns = await namespaceWithVeth('osnode-etcd');
    dir = await mkdtemp(join(tmpdir(), 'etcd-e2e-'));
    ({ machined, target } = await startGeneratedNode({
      ns,
      dir,
      cluster: 'etcd',
      endpoint: 'https://10.67.0.2:6443',
      patch: PATCH,
      port,
    }));
    await until(healthy, 90_000, 'service etcd Running and healthy');
    // The etcdctl client certificate, as an admin reads it from the node (EtcdSecrets is os:admin only).
    const secrets = JSON.parse(
      await must('ip', ['netns', 'exec', ns, process.execPath, OSCTL, ...target, 'get', 'etcdsecrets', '-o', 'json']),
    ) as {
      spec: { ca: string; admin: { crt: string; key: string } };
    };
    await writeFile(join(dir, 'ca.crt'), secrets.spec.ca);
    await writeFile(join(dir, 'admin.crt'), secrets.spec.admin.crt);
    await writeFile(join(dir, 'admin.key'), secrets.spec.admin.key, { mode: 0o600 });
  });

  after(async () => {
    await machined?.stop();
    if (ns !== '') await removeNamespace(ns);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('osctl ps shows etcd as a system container, and osctl etcd members lists this node', async () => {
    expect((await osctl('ps')).stdout).to.match(/^system +etcd +\S+ +\d+ +RUNNING$/m);
    expect(await memberId()).to.match(/^[0-9a-f]+$/);
    const status = (await osctl('etcd', 'status')).stdout;
    expect(status).to.match(/^NODE +MEMBER +DB SIZE/m);
    const [, member, leader] = /^\S+ +([0-9a-f]+) +\S+ \S+ +\S+ \S+ \S+ +([0-9a-f]+) /m.exec(status) ?? [];
    expect(leader, status).to.equal(member);
  });

  it('etcdctl reads and writes with the issued client certificate, and is refused without one', async () => {
    const put = await etcdctl(...tls(), 'put', 'osnode/e2e', 'kept');
    expect(put.code, put.stderr).to.equal(0);
    expect((await etcdctl(...tls(), 'get', 'osnode/e2e', '--print-value-only')).stdout.trim()).to.equal('kept');
    const anonymous = await etcdctl('--cacert', join(dir, 'ca.crt'), 'get', 'osnode/e2e');
    expect(anonymous.code, 'etcdctl without a client certificate').to.not.equal(0);
  });

  it('osctl etcd snapshot writes a snapshot etcdctl accepts', async () => {
    const file = join(dir, 'snap.db');
    const r = await osctl('etcd', 'snapshot', file);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/etcd snapshot saved to ".*snap\.db" \(\d+ bytes\)/);
    const st = JSON.parse(await must('etcdctl', ['snapshot', 'status', file, '-w', 'json'])) as { totalKey: number };
    expect(st.totalKey).to.be.greaterThan(0);
  });

  it('osctl kubeconfig writes an admin kubeconfig that kubectl accepts, and merges a second one into it', async () => {
    const file = join(dir, 'kubeconfig');
    const first = await osctl('kubeconfig', file);
    expect(first.code, first.stderr).to.equal(0);
    const view = await exec('kubectl', [
      'config',
      'view',
      '--kubeconfig',
      file,
      '-o',
      'jsonpath={.clusters[0].cluster.server}',
    ]);
    expect(view.code, view.stderr).to.equal(0);
    expect(view.stdout).to.equal('https://10.67.0.2:6443');
    expect((await osctl('kubeconfig', file)).code).to.equal(0);
    const contexts = await must('kubectl', ['config', 'get-contexts', '--kubeconfig', file, '-o', 'name']);
    expect(contexts.trim().split('\n')).to.have.length(2);
  });

  it('etcd killed with SIGKILL is restarted as the same member, its data intact', async () => {
    const before = await memberId();
    const pid = /^system +etcd +\S+ +(\d+) +RUNNING$/m.exec((await osctl('ps')).stdout)?.[1];
    await must('kill', ['-9', pid ?? '']);
    await until(async () => (await service())['state'] === 'Failed', 20_000, 'etcd Failed');
    await until(healthy, 60_000, 'etcd Running and healthy again');
    expect(await memberId()).to.equal(before);
    expect((await etcdctl(...tls(), 'get', 'osnode/e2e', '--print-value-only')).stdout.trim()).to.equal('kept');
  });
});
