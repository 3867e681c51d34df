// Tests of ContainerdRunner against a real private containerd: output, exits by events, stop, recreate, containerd restarts.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerdRunner, type ContainerdRunnerOptions } from './runner.js';
import type { WatchChange } from './task-handle.js';
import { ContainerdFixture, TextSink, containerdSkipReason, ctr } from './fixture.js';
import { prepareRootfs } from './rootfs.js';
import { serviceSpec } from './oci-spec.js';
import type { RunningHandle } from '../services/runner.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('containerd/runner (real containerd)', function () {
  let fx: ContainerdFixture;
  let rootfs: string;
  const skip = containerdSkipReason();
  const handles: RunningHandle[] = [];

  before(async function () {
    if (skip !== undefined) this.skip();
    fx = await ContainerdFixture.start();
    rootfs = join(fx.dir, 'rootfs', 'busybox');
    await prepareRootfs({
      dir: rootfs,
      files: ['/bin/busybox'],
      symlinks: { '/bin/sh': 'busybox', '/bin/sleep': 'busybox' },
    });
  });
  afterEach(async () => {
    // A failed test must not leave its task running into the next.
    await Promise.all(handles.splice(0).map((h) => h.stop(0)));
  });
  after(async () => {
    await (fx as ContainerdFixture | undefined)?.stop(); // unset when skipped or when the start failed
  });

  function runner(id: string, script: string, extra: Partial<ContainerdRunnerOptions> = {}): ContainerdRunner {
    return new ContainerdRunner({
      socket: fx.socket,
      id,
      rootfs,
      args: ['/bin/sh', '-c', script],
      nodeName: fx.nodeName,
      runcRoot: fx.launch.runcRoot,
      fifoDir: fx.launch.fifoDir,
      reconnect: { baseMs: 50, maxMs: 200 },
      ...extra,
    });
  }

  async function start(r: ContainerdRunner, log: TextSink): Promise<RunningHandle> {
    const h = await r.start(log, new AbortController().signal);
    handles.push(h);
    return h;
  }

  it(`runs busybox: output reaches the log, ctr sees container and task, stop cleans up${skip === undefined ? '' : ` (skipped: ${skip})`}`, async () => {
    const r = runner('busy', 'echo hello from busybox; echo to stderr >&2; exec sleep 100');
    expect(r.description).to.equal('container system/busy');
    const log = new TextSink();
    const h = await start(r, log);
    expect(h.pid).to.be.greaterThan(0);
    await log.waitFor('hello from busybox');
    await log.waitFor('to stderr');
    expect(await ctr(fx.socket, 'system', 'containers', 'ls')).to.match(
      /^busy\s+\S*busybox\s+io\.containerd\.runc\.v2/m,
    );
    expect(await ctr(fx.socket, 'system', 'tasks', 'ls')).to.match(new RegExp(`^busy\\s+${h.pid}\\s+RUNNING`, 'm'));
    const cgroups = await readFile(`/proc/${h.pid}/cgroup`, 'utf8');
    expect(cgroups).to.match(new RegExp(`^\\d+:memory:/${fx.nodeName}/system/busy$`, 'm'));
    const [m] = await fx.client.metrics(['busy']);
    expect(m?.cpuUsageNs).to.be.greaterThan(0);
    expect(m?.memoryUsageBytes).to.be.greaterThan(0);
    // sleep is pid 1 of its pid namespace, which ignores SIGTERM: the stop escalates to SIGKILL.
    const exit = await h.stop(100);
    expect(exit).to.deep.equal({ code: null, signal: 'SIGKILL', reason: 'killed by SIGKILL' });
    expect(await h.exited).to.deep.equal(exit);
    expect(await ctr(fx.socket, 'system', 'containers', 'ls', '-q')).to.not.match(/^busy$/m);
    expect(await ctr(fx.socket, 'system', 'tasks', 'ls', '-q')).to.not.match(/^busy$/m);
    expect(await fx.leftoverCgroups()).to.deep.equal([]);
    expect((await readdir(fx.launch.fifoDir)).filter((f) => f.startsWith('system@busy@'))).to.deep.equal([]);
  });

  it('resolves exited with the exit code and keeps the last output', async () => {
    const log = new TextSink();
    const h = await start(runner('code', 'echo last words; exit 3'), log);
    expect(await h.exited).to.deep.equal({ code: 3, signal: null, reason: 'exited with code 3' });
    expect(log.text).to.equal('last words\n');
    // The task is deleted after the exit, so the next start works; the container is recreated by it.
    expect(await ctr(fx.socket, 'system', 'tasks', 'ls', '-q')).to.not.match(/^code$/m);
    const again = await start(runner('code', 'exit 0'), new TextSink());
    expect((await again.exited).reason).to.equal('exited with code 0');
  });

  it('resolves exited with killed by SIGKILL when the process is killed with kill -9 (from the events)', async () => {
    const log = new TextSink();
    const h = await start(runner('victim', 'echo up; exec sleep 100'), log);
    await log.waitFor('up');
    process.kill(h.pid, 'SIGKILL');
    expect(await h.exited).to.deep.equal({ code: null, signal: 'SIGKILL', reason: 'killed by SIGKILL' });
    expect(await h.stop(0)).to.deep.equal(await h.exited);
  });

  it('stops with SIGTERM when the service handles it', async () => {
    const log = new TextSink();
    const h = await start(
      runner('polite', "trap 'echo bye; exit 0' TERM; echo ready; while true; do sleep 0.05; done"),
      log,
    );
    await log.waitFor('ready');
    expect((await h.stop(5000)).reason).to.equal('exited with code 0');
    expect(log.text).to.include('bye');
  });

  it('recreates a container left over by an earlier run (kills its task, deletes it)', async () => {
    const spec = serviceSpec({ id: 'left', nodeName: fx.nodeName, rootfs, args: ['/bin/sleep', '100'] });
    const runc = { root: fx.launch.runcRoot };
    await fx.client.createContainer({ id: 'left', spec, runc });
    await fx.client.createTask('left', { runc });
    const oldPid = await fx.client.startTask('left');
    const stale = join(fx.launch.fifoDir, 'system@left@dead0000-stdout');
    await writeFile(stale, '');
    const other = join(fx.launch.fifoDir, 'system@left-over@dead0000-stdout');
    await writeFile(other, '');
    const log = new TextSink();
    const h = await start(runner('left', 'echo fresh; exec sleep 100'), log);
    await log.waitFor('fresh');
    expect(h.pid).to.not.equal(oldPid);
    expect((await fx.client.getTask('left')).pid).to.equal(h.pid);
    const fifos = await readdir(fx.launch.fifoDir);
    expect(fifos).to.not.include('system@left@dead0000-stdout'); // the leftover's FIFO is gone
    expect(fifos).to.include('system@left-over@dead0000-stdout'); // another container's is not
    expect(fifos.filter((f) => f.startsWith('system@left@'))).to.have.length(2); // this run's stdout and stderr
    await h.stop(0);
    await rm(other);
  });

  it('rejects naming the path when the root filesystem or the binary is missing', async () => {
    const missing = join(fx.dir, 'rootfs', 'nope');
    const e1 = await rejection(
      runner('nofs', 'true', { rootfs: missing }).start(new TextSink(), new AbortController().signal),
    );
    expect(e1.message).to.equal(`cannot start container system/nofs: root filesystem ${missing} does not exist`);
    const e2 = await rejection(
      runner('nobin', 'true', { args: ['/usr/bin/etcd'] }).start(new TextSink(), new AbortController().signal),
    );
    expect(e2.message).to.include('/usr/bin/etcd does not exist in root filesystem');
    expect(e2.message).to.include(join(rootfs, 'usr/bin/etcd'));
    expect(await ctr(fx.socket, 'system', 'containers', 'ls', '-q')).to.not.match(/^no(fs|bin)$/m);
  });

  it('re-attaches after containerd is killed and restarted: a later kill of the task still resolves exited', async () => {
    const log = new TextSink();
    const changes: WatchChange[] = [];
    let reattached = (): void => undefined;
    const attached = new Promise<void>((resolve) => (reattached = resolve));
    const onWatch = (c: WatchChange): void => {
      changes.push(c);
      if (c.state === 'reattached') reattached();
    };
    const h = await start(runner('survivor', 'echo alive; exec sleep 100', { onWatch }), log);
    await log.waitFor('alive');
    await fx.kill('SIGKILL');
    process.kill(h.pid, 0); // the task outlives containerd (its shim keeps it)
    await fx.spawn();
    expect(await ctr(fx.socket, 'system', 'tasks', 'ls')).to.match(new RegExp(`^survivor\\s+${h.pid}\\s+RUNNING`, 'm'));
    await attached; // watching the new containerd's event stream now
    expect(changes.map((c) => c.state)).to.deep.equal(['detached', 'reattached']);
    expect(changes[1]?.message).to.include(`pid ${h.pid}, RUNNING`);
    process.kill(h.pid, 'SIGKILL');
    expect((await h.exited).reason).to.equal('killed by SIGKILL');
    expect(changes).to.have.length(2); // the exit came through that stream, not another re-attach
  });

  it('learns of an exit that happened while containerd was down, from the task state after the restart', async () => {
    const log = new TextSink();
    const h = await start(runner('orphan', 'echo alive; exec sleep 100'), log);
    await log.waitFor('alive');
    await fx.kill('SIGKILL');
    process.kill(h.pid, 'SIGKILL');
    await fx.spawn();
    expect((await h.exited).reason).to.equal('killed by SIGKILL');
    expect(await ctr(fx.socket, 'system', 'tasks', 'ls', '-q')).to.not.match(/^orphan$/m);
  });

  it('writes through a bind-mounted data directory while the root stays read-only', async () => {
    const data = join(fx.dir, 'data');
    await mkdir(data, { recursive: true });
    await writeFile(join(data, 'in'), 'from host\n');
    const log = new TextSink();
    const h = await start(
      runner('binds', 'cat /data/in; echo written > /data/out; touch /rootfile 2>/dev/null || echo root is read-only', {
        mounts: [{ source: data, destination: '/data' }],
      }),
      log,
    );
    expect((await h.exited).reason).to.equal('exited with code 0');
    expect(log.text).to.equal('from host\nroot is read-only\n');
    expect(await readFile(join(data, 'out'), 'utf8')).to.equal('written\n');
  });
  it('rejects saying containerd is unavailable, and cancels cleanly when the start is aborted', async () => {
    const e1 = await rejection(
      runner('nowhere', 'true', { socket: join(fx.dir, 'no.sock') }).start(
        new TextSink(),
        new AbortController().signal,
      ),
    );
    expect(e1.message).to.match(/^cannot start container system\/nowhere: .*containerd is unavailable/);
    const ac = new AbortController();
    const starting = runner('aborted', 'exec sleep 100').start(new TextSink(), ac.signal);
    ac.abort();
    expect((await rejection(starting)).message).to.equal('start of container system/aborted cancelled');
    expect(await ctr(fx.socket, 'system', 'containers', 'ls', '-q')).to.not.match(/^aborted$/m);
  });

  it('stop gives up waiting when containerd stays away, and says so', async () => {
    const log = new TextSink();
    const h = await start(runner('stranded', 'echo alive; exec sleep 100', { stopTimeoutMs: 200 }), log);
    await log.waitFor('alive');
    await fx.kill('SIGKILL');
    try {
      const exit = await h.stop(50);
      expect(exit).to.deep.equal({
        code: null,
        signal: null,
        reason: 'containerd lost the task: containerd did not confirm the exit within 200 ms of SIGKILL',
      });
      process.kill(h.pid, 0); // nobody could kill it: it still runs
    } finally {
      await fx.spawn();
      await fx.client.removeContainer('stranded');
    }
  });
  it('runs a dynamically linked host binary (etcd) from a rootfs prepareRootfs built', async function () {
    if (!existsSync('/usr/bin/etcd')) this.skip(); // Debian package etcd-server
    const etcdRoot = join(fx.dir, 'rootfs', 'etcd');
    await prepareRootfs({ dir: etcdRoot, files: ['/usr/bin/etcd'] });
    const log = new TextSink();
    const h = await start(runner('etcd-version', '', { rootfs: etcdRoot, args: ['/usr/bin/etcd', '--version'] }), log);
    expect((await h.exited).reason).to.equal('exited with code 0');
    expect(log.text).to.match(/etcd Version: 3\./);
  });
});
