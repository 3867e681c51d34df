// End to end: a control-plane machined and a worker machined, each in its own network and UTS namespace, joined by a
// veth pair (10.5.0.2 <-> 10.5.0.3). The worker sends a CSR with the join token to trustd on the control plane
// (10.5.0.2:50001) and serves its node API with the certificate it got: `osctl version` against the worker succeeds with
// the admin talosconfig. A worker with a wrong token stays off, its log saying why, and trustd logs the refusal.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { NamespacedMachined, removeNamespace } from './harness/node.js';
import { exec, must, until } from './harness/run.js';

const OSCTL = fileURLToPath(new URL('../api/cli/osctl.js', import.meta.url));
const CP_PATCH = {
  machine: { network: { hostname: 'cp-1', interfaces: [{ interface: 'w0', addresses: ['10.5.0.2/24'] }] } },
  // No etcd here: this test is about joining the machine API, not the etcd cluster.
  cluster: { etcd: { advertisedSubnets: ['!0.0.0.0/0', '!::/0'] } },
};
const WORKER_PATCH = {
  machine: { network: { hostname: 'worker-1', interfaces: [{ interface: 'w1', addresses: ['10.5.0.3/24'] }] } },
};

/** The lines of a node's machined log (JSON lines under its state directory) as `time level component msg`. */
async function logOf(stateDir: string): Promise<string[]> {
  const text = await readFile(join(stateDir, 'logs', 'machined.log'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const j = JSON.parse(l) as { time: string; level: string; component: string; msg: string };
      return `${j.time} ${j.level} ${j.component} ${j.msg}`;
    });
}

describe('trustd: a worker gets its API certificate from the control plane', function () {
  this.timeout(120_000);
  const tag = randomBytes(3).toString('hex');
  const cpNs = `osnode-tcp-${tag}`;
  const workerNs = `osnode-twk-${tag}`;
  let dir = '';
  const nodes: NamespacedMachined[] = [];
  const osctl = (...a: string[]) =>
    exec('ip', ['netns', 'exec', workerNs, process.execPath, OSCTL, '--talosconfig', join(dir, 'talosconfig'), ...a]);
  const start = (ns: string, config: string, stateDir: string): NamespacedMachined => {
    const n = new NamespacedMachined(ns, ['--config', config, '--state-dir', stateDir]);
    nodes.push(n);
    return n;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustd-e2e-'));
    await must('ip', ['netns', 'add', cpNs]);
    await must('ip', ['netns', 'add', workerNs]);
    // Both ends are created inside the test namespaces: nothing is added to this machine's own namespace.
    await must('ip', ['-n', cpNs, 'link', 'add', 'w0', 'type', 'veth', 'peer', 'name', 'w1', 'netns', workerNs]);
    await must(process.execPath, [
      OSCTL,
      'gen',
      'config',
      'join',
      'https://10.5.0.2:6443',
      '-o',
      dir,
      '--config-patch-control-plane',
      JSON.stringify(CP_PATCH),
      '--config-patch-worker',
      JSON.stringify(WORKER_PATCH),
    ]);
    start(cpNs, join(dir, 'controlplane.yaml'), join(dir, 'cp'));
  });

  after(async () => {
    for (const n of nodes) await n.stop();
    await removeNamespace(cpNs);
    await removeNamespace(workerNs);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('serves the worker API with the certificate trustd signed: osctl version works against the worker', async () => {
    const t0 = Date.now();
    const worker = start(workerNs, join(dir, 'worker.yaml'), join(dir, 'worker'));
    let last = '';
    await until(
      async () => {
        const r = await osctl('-e', '10.5.0.3', '-n', '10.5.0.3', 'version');
        last = r.stdout + r.stderr;
        return r.code === 0;
      },
      60_000,
      'osctl version against the worker',
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; osctl said: ${last}`);
    });
    expect(last).to.match(/Server:/);
    expect(last).to.include('10.5.0.3');
    const cpLog = (await logOf(join(dir, 'cp'))).join('\n');
    expect(cpLog).to.match(/info trustd signed an API server certificate for worker-1, .*10\.5\.0\.3/);
    const workerLog = (await logOf(join(dir, 'worker'))).join('\n');
    expect(workerLog).to.match(/issued the API certificate from trustd/);
    expect(workerLog).to.match(/node API in secure mode on 0\.0\.0\.0:50000/);
    // The worker's certificate, as osctl reads it (ApiCertificates is os:admin only): issued by the OS CA, for its IP.
    const got = await osctl('-e', '10.5.0.3', '-n', '10.5.0.3', 'get', 'certificates', 'api', '-o', 'json');
    expect(got.code, got.stderr).to.equal(0);
    const cert = (JSON.parse(got.stdout) as { spec: { ips: string[]; usages: string[] } }).spec;
    expect(cert.ips).to.include('10.5.0.3');
    expect(cert.usages).to.deep.equal(['server']);
    process.stdout.write(`      (worker API secure ${Math.round((Date.now() - t0) / 1000)} s after its start)\n`);
    await worker.stop();
    if (process.env['TRUSTD_E2E_LOGS'] !== undefined) {
      process.stdout.write(`${(await logOf(join(dir, 'worker'))).join('\n')}\n`);
    }
  });

  it('keeps the API of a worker with a wrong join token off, saying why; trustd logs the refusal', async () => {
    const doc = parse(await readFile(join(dir, 'worker.yaml'), 'utf8')) as { machine: { token: string } };
    doc.machine.token = 'wrong0.0000000000000000';
    await writeFile(join(dir, 'worker-wrong.yaml'), stringify(doc), { mode: 0o600 });
    const worker = start(workerNs, join(dir, 'worker-wrong.yaml'), join(dir, 'worker-wrong'));
    const why =
      /warn apid the node API is not served yet: waiting for trustd at 10\.5\.0\.2:50001: the join token was refused \(invalid token\)/;
    await until(async () => why.test((await logOf(join(dir, 'worker-wrong'))).join('\n')), 45_000, 'the refusal');
    const r = await osctl('-e', '10.5.0.3', '-n', '10.5.0.3', 'version');
    expect(r.code).not.to.equal(0);
    const cpLog = (await logOf(join(dir, 'cp'))).join('\n');
    expect(cpLog).to.match(/warn trustd refused a certificate request from .*10\.5\.0\.3.*: invalid token/);
    expect(cpLog).not.to.include('wrong0.0000000000000000');
    await worker.stop();
  });
});
