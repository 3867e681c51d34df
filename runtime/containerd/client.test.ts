// Tests of the containerd client against a real private containerd, checked with ctr (a tool we did not write).
import { expect } from 'chai';
import { join } from 'node:path';
import { isConflict, isNotFound } from '../../resources/errors.js';
import { ContainerdClient } from './client.js';
import { isContainerdUnavailable } from './errors.js';
import type { ContainerdEvent } from './events.js';
import { ContainerdFixture, containerdSkipReason, ctr } from './fixture.js';
import { serviceSpec } from './oci-spec.js';
import { prepareRootfs } from './rootfs.js';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('containerd/client (real containerd)', function () {
  let fx: ContainerdFixture;
  let rootfs: string;
  const skip = containerdSkipReason();

  before(async function () {
    if (skip !== undefined) this.skip();
    fx = await ContainerdFixture.start();
    rootfs = join(fx.dir, 'rootfs', 'busybox');
    await prepareRootfs({ dir: rootfs, files: ['/bin/busybox'] });
  });
  after(async () => {
    await (fx as ContainerdFixture | undefined)?.stop(); // unset when skipped or when the start failed
  });

  function spec(id: string, script: string): object {
    return serviceSpec({ id, nodeName: fx.nodeName, rootfs, args: ['/bin/busybox', 'sh', '-c', script] });
  }

  it(`answers Version and creates namespaces idempotently${skip === undefined ? '' : ` (skipped: ${skip})`}`, async () => {
    const v = await fx.client.version();
    expect(v.version).to.match(/^1\.6\./);
    await fx.client.ensureNamespace();
    await fx.client.ensureNamespace();
    expect(await fx.client.listNamespaces()).to.include('system');
    expect(await ctr(fx.socket, 'system', 'namespaces', 'ls')).to.match(/^system\b/m);
  });

  it('creates, gets, lists and deletes containers; NotFound and Conflict are typed', async () => {
    const c = await fx.client.createContainer({
      id: 'meta',
      spec: spec('meta', 'true'),
      labels: { a: 'b' },
      image: 'local/meta',
    });
    expect(c.id).to.equal('meta');
    expect(c.runtime).to.equal('io.containerd.runc.v2');
    expect(c.createdAt).to.be.instanceOf(Date);
    const got = await fx.client.getContainer('meta');
    expect(got.labels).to.deep.equal({ a: 'b' });
    expect(got.image).to.equal('local/meta');
    expect((got.spec as { root: { path: string } }).root.path).to.equal(rootfs);
    expect((await fx.client.listContainers()).map((x) => x.id)).to.include('meta');
    expect(await ctr(fx.socket, 'system', 'containers', 'ls')).to.match(
      /^meta\s+local\/meta\s+io\.containerd\.runc\.v2/m,
    );
    expect(isConflict(await rejection(fx.client.createContainer({ id: 'meta', spec: {} })), 'exists')).to.be.true;
    await fx.client.deleteContainer('meta');
    const e = await rejection(fx.client.getContainer('meta'));
    expect(isNotFound(e), String(e)).to.be.true;
    expect(String(e)).to.include('get container system/meta');
    expect(isNotFound(await rejection(fx.client.getTask('meta')))).to.be.true;
  });

  it('runs a task: create, start, get, list, metrics, kill, wait, delete; events carry TaskStart and TaskExit', async () => {
    const ac = new AbortController();
    const events = fx.client.events({ signal: ac.signal, filters: ['namespace=="system",topic~="^/tasks/"'] });
    await events.ready;
    const seen: ContainerdEvent[] = [];
    const collected = (async () => {
      for await (const ev of events) {
        seen.push(ev);
        if (ev.event.type === 'TaskExit') return;
      }
    })();
    const runc = { root: fx.launch.runcRoot };
    await fx.client.createContainer({ id: 'task1', spec: spec('task1', 'exec sleep 100'), runc });
    const created = await fx.client.createTask('task1', { runc });
    expect(created).to.be.greaterThan(0);
    expect((await fx.client.getTask('task1')).status).to.equal('CREATED');
    const pid = await fx.client.startTask('task1');
    expect(pid).to.equal(created);
    const t = await fx.client.getTask('task1');
    expect(t).to.include({ id: 'task1', pid, status: 'RUNNING' });
    expect((await fx.client.listTasks()).map((x) => x.id)).to.include('task1');
    expect(await ctr(fx.socket, 'system', 'tasks', 'ls')).to.match(new RegExp(`^task1\\s+${pid}\\s+RUNNING`, 'm'));
    const rows = await fx.client.containers();
    expect(rows).to.deep.include({ namespace: 'system', id: 'task1', image: '', pid, status: 'RUNNING' });
    const [m] = await fx.client.metrics(['task1']);
    expect(m?.id).to.equal('task1');
    expect(m?.cpuUsageNs).to.be.greaterThan(0);
    expect(m?.memoryUsageBytes).to.be.greaterThan(0);
    const waited = fx.client.waitTask('task1');
    await fx.client.killTask('task1', 'SIGKILL');
    expect((await waited).exitStatus).to.equal(137);
    await collected;
    ac.abort();
    const start = seen.find((e) => e.event.type === 'TaskStart');
    expect(start?.event).to.deep.equal({ type: 'TaskStart', containerId: 'task1', pid });
    const exit = seen.find((e) => e.event.type === 'TaskExit');
    expect(exit?.namespace).to.equal('system');
    expect(exit?.topic).to.equal('/tasks/exit');
    expect(exit?.event).to.include({ containerId: 'task1', pid, exitStatus: 137 });
    expect((await fx.client.deleteTask('task1')).exitStatus).to.equal(137);
    expect((await fx.client.containers()).find((r) => r.id === 'task1')?.status).to.equal('STOPPED');
    await fx.client.deleteContainer('task1');
    expect(await ctr(fx.socket, 'system', 'containers', 'ls')).to.not.include('task1');
    expect(await fx.leftoverCgroups()).to.deep.equal([]);
  });

  it('lists containers of every namespace with allNamespaces, and of one through withNamespace', async () => {
    const other = fx.client.withNamespace('other');
    await other.ensureNamespace();
    await other.createContainer({ id: 'elsewhere', spec: spec('elsewhere', 'true') });
    try {
      expect((await fx.client.containers()).map((r) => r.id)).to.not.include('elsewhere');
      expect(await other.containers()).to.deep.equal([
        { namespace: 'other', id: 'elsewhere', image: '', pid: 0, status: 'STOPPED' },
      ]);
      const all = await fx.client.containers({ allNamespaces: true });
      expect(all.find((r) => r.id === 'elsewhere')?.namespace).to.equal('other');
      expect(await ctr(fx.socket, 'other', 'containers', 'ls', '-q')).to.equal('elsewhere\n');
    } finally {
      await other.deleteContainer('elsewhere');
      other.close(); // borrowed connection: stays open for fx.client
    }
    expect((await fx.client.version()).version).to.match(/^1\.6\./);
  });

  it('fails calls and event streams with ContainerdUnavailableError when nothing listens on the socket', async () => {
    const c = new ContainerdClient({ address: join(fx.dir, 'nothing.sock'), namespace: 'system' });
    try {
      const e = await rejection(c.listContainers());
      expect(isContainerdUnavailable(e), String(e)).to.be.true;
      const events = c.events({ signal: new AbortController().signal, filters: ['topic=="/tasks/exit"'] });
      expect(isContainerdUnavailable(await rejection(events.ready))).to.be.true;
      const iterated = await rejection(
        (async () => {
          for await (const ev of events) throw new Error(`unexpected ${ev.topic}`);
        })(),
      );
      expect(isContainerdUnavailable(iterated), String(iterated)).to.be.true;
    } finally {
      c.close();
    }
  });
});
