// End to end: a node in its own network and UTS namespaces runs containerd as its first service and an extension
// service (busybox httpd) as a system container; osctl shows services, containers, stats and logs; ctr (a tool we did
// not write) sees the container; kill -9 of the service's process and of containerd both heal by themselves.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NamespacedMachined, namespaceWithVeth, removeNamespace, startGeneratedNode } from './harness/node.js';
import { exec, must, until } from './harness/run.js';

const OSCTL = fileURLToPath(new URL('../api/cli/osctl.js', import.meta.url));

/** SIGTERMs a child and waits for it to end. */
async function end(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const ended = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await ended;
}

const PATCH = {
  machine: {
    network: { hostname: 'svc-node', interfaces: [{ interface: 'e2e0', addresses: ['10.66.0.2/24'] }] },
    services: [
      {
        name: 'web',
        // PID 1 of a container ignores signals it has no handler for: the shell forwards SIGTERM to httpd.
        command: [
          '/bin/busybox',
          'sh',
          '-c',
          'echo web starting; /bin/busybox httpd -f -v -p 8080 -h / & trap "kill $!; exit 0" TERM; wait',
        ],
        restart: 'always',
        healthCheck: { tcpPort: 8080, initialDelay: '100ms', period: '1s' },
      },
      {
        name: 'ticker',
        command: [
          '/bin/busybox',
          'sh',
          '-c',
          'trap "exit 0" TERM; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done',
        ],
      },
      { name: 'broken', command: ['/nonexistent/program'], restart: 'always' },
    ],
  },
};

describe('system services as containers (machined + containerd + osctl + ctr)', function () {
  this.timeout(180_000);
  let ns = '';
  let dir = '';
  const port = 50_000 + Math.floor(Math.random() * 10_000);
  let machined: NamespacedMachined | undefined;
  let target: string[] = [];
  const osctl = (...a: string[]) => exec('ip', ['netns', 'exec', ns, process.execPath, OSCTL, ...target, ...a]);
  const socket = () => join(dir, 'node', 'containerd', 'containerd.sock');
  const ctr = (...a: string[]) => must('ctr', ['-a', socket(), '-n', 'system', ...a]);
  const service = async (id: string): Promise<Record<string, unknown>> => {
    const r = await osctl('get', 'services', id, '-o', 'json');
    return r.code === 0 ? (JSON.parse(r.stdout) as { spec: Record<string, unknown> }).spec : {};
  };
  const healthyRunning = async (id: string): Promise<boolean> => {
    const s = await service(id);
    return s['state'] === 'Running' && s['healthy'] === true;
  };

  before(async () => {
    ns = await namespaceWithVeth('osnode-svc');
    dir = await mkdtemp(join(tmpdir(), 'services-'));
    ({ machined, target } = await startGeneratedNode({
      ns,
      dir,
      cluster: 'svc',
      endpoint: 'https://10.66.0.2:6443',
      patch: PATCH,
      port,
    }));
    await until(() => healthyRunning('web'), 60_000, 'service web Running and healthy');
  });

  after(async () => {
    await machined?.stop();
    if (ns !== '') await removeNamespace(ns);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('osctl service lists containerd and the extension services; containerd is healthy', async () => {
    const out = (await osctl('service')).stdout;
    expect(out).to.match(/^SERVICE +STATE +HEALTH/m);
    expect(out).to.match(/^containerd +Running +OK /m);
    expect(out).to.match(/^web +Running +OK /m);
    await until(async () => /^ticker +Running +\?/m.test((await osctl('service')).stdout), 20_000, 'ticker Running');
  });

  it('osctl ps lists the system containers with PIDs, and ctr sees the same', async () => {
    const out = (await osctl('ps')).stdout;
    expect(out).to.match(/^NAMESPACE +ID +IMAGE +PID +STATUS$/m);
    const row = /^system +web +\S+ +(\d+) +RUNNING$/m.exec(out);
    expect(row, out).to.not.equal(null);
    const tasks = await ctr('tasks', 'ls');
    expect(tasks).to.match(new RegExp(`^web +${row?.[1] ?? 'x'} +RUNNING`, 'm'));
    expect(await ctr('containers', 'ls')).to.match(/^ticker /m);
  });

  it('osctl stats shows memory and CPU numbers per container', async () => {
    const out = (await osctl('stats')).stdout;
    const row = /^system +web +([\d.]+) +([\d.]+)$/m.exec(out);
    expect(row, out).to.not.equal(null);
    expect(Number(row?.[1])).to.be.greaterThan(0);
  });

  it('a service without its program is Failed with the reason, and does not spin', async () => {
    await until(async () => (await service('broken'))['state'] === 'Failed', 30_000, 'broken Failed');
    const s = await service('broken');
    expect(String(s['message'])).to.include('/nonexistent/program');
    const before = Number(s['restarts']);
    await new Promise((r) => setTimeout(r, 3000)); // a bounded look at the restart count: a spinning service climbs fast
    expect(Number((await service('broken'))['restarts']) - before).to.be.at.most(2);
  });

  it('kill -9 of the service process: get services --watch shows Failed then Running; logs -f keeps streaming', async () => {
    const watch = spawn('ip', ['netns', 'exec', ns, process.execPath, OSCTL, ...target, 'get', 'services', '--watch']);
    const logs = spawn('ip', ['netns', 'exec', ns, process.execPath, OSCTL, ...target, 'logs', 'web', '-f']);
    let out = '';
    let log = '';
    watch.stdout.on('data', (d: Buffer) => (out += d.toString()));
    logs.stdout.on('data', (d: Buffer) => (log += d.toString()));
    try {
      await until(() => / web +\d+ +Running /.test(out), 20_000, 'the watch to show web Running');
      const pid = /^system +web +\S+ +(\d+) +RUNNING$/m.exec((await osctl('ps')).stdout)?.[1];
      expect(pid).to.be.a('string');
      const starts = log.split('web starting').length;
      await must('kill', ['-9', pid ?? '']);
      await until(() => / web +\d+ +Failed .*killed by SIGKILL/.test(out), 20_000, 'the watch to show web Failed');
      expect(out, 'a row of a Running service that is not running').to.not.match(/ web +\d+ +Running +false /);
      await until(() => healthyRunning('web'), 30_000, 'web Running and healthy again');
      const again = /^system +web +\S+ +(\d+) +RUNNING$/m.exec((await osctl('ps')).stdout)?.[1];
      expect(again).to.not.equal(pid);
      await until(() => log.split('web starting').length > starts, 20_000, 'logs -f to show the restarted service');
    } finally {
      await Promise.all([end(watch), end(logs)]);
    }
  });

  it('osctl logs --tail prints the last lines of a service', async () => {
    await until(
      async () => /tick \d+\ntick \d+\n$/.test((await osctl('logs', 'ticker', '--tail', '2')).stdout),
      20_000,
      'two tick lines',
    );
    expect((await osctl('logs', 'ticker', '--tail', '2')).stdout.trim().split('\n')).to.have.length(2);
  });

  it('restart of an unknown container is NotFound; restart of a service restarts it', async () => {
    const r = await osctl('restart', 'nope');
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.match(/NotFound|no container "nope"/);
    const pid = /^system +ticker +\S+ +(\d+) +RUNNING$/m.exec((await osctl('ps')).stdout)?.[1];
    expect((await osctl('restart', 'ticker')).code).to.equal(0);
    await until(
      async () => {
        const now = /^system +ticker +\S+ +(\d+) +RUNNING$/m.exec((await osctl('ps')).stdout)?.[1];
        return now !== undefined && now !== pid;
      },
      30_000,
      'ticker running with a new pid',
    );
  });

  it('containerd killed with SIGKILL: the supervisor restarts it and the system containers run again', async () => {
    const pid = /containerd +Running +OK +.*pid (\d+)/.exec((await osctl('service', 'containerd')).stdout)?.[1];
    const cpid = (await exec('pgrep', ['-f', `containerd --config ${join(dir, 'node', 'containerd')}`])).stdout.trim();
    expect(cpid, `containerd pid (service said ${pid ?? '?'})`).to.match(/^\d+$/);
    await must('kill', ['-9', cpid]);
    await until(
      async () =>
        (await service('containerd'))['pid'] !== Number(cpid) && (await service('containerd'))['healthy'] === true,
      40_000,
      'containerd back and healthy',
    );
    await until(() => healthyRunning('web'), 40_000, 'web healthy after containerd came back');
    expect(await ctr('tasks', 'ls')).to.match(/^web +\d+ +RUNNING/m);
  });

  it('machined killed with SIGKILL and started again: its services come back, with one containerd', async () => {
    await machined?.kill({ leave: true });
    const args = ['--state-dir', join(dir, 'node'), '--api-port', String(port), '--api-host', '127.0.0.1'];
    machined = new NamespacedMachined(ns, args);
    await until(() => healthyRunning('web'), 60_000, 'web Running and healthy after machined came back');
    const daemons = await exec('pgrep', ['-f', `containerd --config ${join(dir, 'node', 'containerd')}`]);
    expect(daemons.stdout.trim().split('\n'), 'containerd processes of the node').to.have.length(1);
    expect(await ctr('tasks', 'ls')).to.match(/^web +\d+ +RUNNING/m);
  });

  it('dmesg -f streams the kernel log', async () => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, OSCTL, ...target, 'dmesg', '-f']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until(() => out.split('\n').length > 3, 20_000, 'kernel log lines');
    } finally {
      await end(child);
    }
  });

  it('machined stops its services and containerd on SIGTERM and exits 0', async () => {
    machined?.child.kill('SIGTERM');
    expect(await machined?.exited).to.equal(0);
    const left = await exec('pgrep', ['-f', join(dir, 'node')]);
    expect(left.stdout.trim(), 'processes of the node left running').to.equal('');
  });
});
