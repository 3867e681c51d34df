// Unit tests of the service container spec: mounts, namespaces, cgroup path, capabilities and refused inputs.
import { expect } from 'chai';
import { InvalidArgumentError } from '../../resources/errors.js';
import { DEFAULT_CAPABILITIES, cgroupPath, serviceSpec } from './oci-spec.js';

const base = {
  id: 'etcd',
  nodeName: 'node-a',
  rootfs: '/var/lib/osnode/rootfs/etcd',
  args: ['/usr/bin/etcd', '--name', 'a'],
};

describe('containerd/oci-spec', () => {
  it('runs the command from a read-only root as root with the default capabilities and no new privileges', () => {
    const s = serviceSpec(base);
    expect(s.root).to.deep.equal({ path: base.rootfs, readonly: true });
    expect(s.process.args).to.deep.equal(base.args);
    expect(s.process.user).to.deep.equal({ uid: 0, gid: 0 });
    expect(s.process.cwd).to.equal('/');
    expect(s.process.env).to.deep.equal(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(s.process.noNewPrivileges).to.be.true;
    expect(s.process.capabilities.bounding).to.deep.equal(DEFAULT_CAPABILITIES);
    expect(s.process.capabilities.effective).to.deep.equal(DEFAULT_CAPABILITIES);
    expect(s.process.capabilities.bounding).to.not.include('CAP_SYS_ADMIN');
  });

  it('shares the node network and UTS namespaces: only pid, ipc and mount are new', () => {
    const types = serviceSpec(base).linux.namespaces.map((n) => n.type);
    expect(types).to.have.members(['pid', 'ipc', 'mount']);
    expect(types).to.not.include('network');
  });

  it('puts the cgroup under /<node>/system/<id>, or under a given parent', () => {
    expect(serviceSpec(base).linux.cgroupsPath).to.equal('/node-a/system/etcd');
    expect(cgroupPath('n', 'x', '/custom/parent/')).to.equal('/custom/parent/x');
    expect(serviceSpec({ ...base, cgroupParent: 'rel/system' }).linux.cgroupsPath).to.equal('rel/system/etcd');
  });

  it('mounts proc, dev, sys read-only, tmp and run, then the bind mounts', () => {
    const s = serviceSpec({
      ...base,
      mounts: [
        { source: '/var/lib/etcd-a', destination: '/var/lib/etcd' },
        { source: '/etc/ssl', destination: '/etc/ssl', readonly: true },
      ],
    });
    const byDest = new Map(s.mounts.map((m) => [m.destination, m]));
    expect([...byDest.keys()]).to.deep.equal([
      '/proc',
      '/dev',
      '/dev/pts',
      '/dev/shm',
      '/dev/mqueue',
      '/sys',
      '/tmp',
      '/run',
      '/var/lib/etcd',
      '/etc/ssl',
    ]);
    expect(byDest.get('/sys')?.options).to.include('ro');
    expect(byDest.get('/tmp')?.type).to.equal('tmpfs');
    expect(byDest.get('/var/lib/etcd')).to.deep.equal({
      destination: '/var/lib/etcd',
      type: 'bind',
      source: '/var/lib/etcd-a',
      options: ['rbind', 'rprivate', 'rw'],
    });
    expect(byDest.get('/etc/ssl')?.options).to.include('ro');
  });

  it('masks and write-protects the kernel paths runc protects by default, and denies devices but the basic ones', () => {
    const s = serviceSpec(base);
    expect(s.linux.maskedPaths).to.include.members(['/proc/kcore', '/proc/keys', '/sys/firmware']);
    expect(s.linux.readonlyPaths).to.include.members(['/proc/sys', '/proc/sysrq-trigger']);
    expect(s.linux.resources.devices[0]).to.deep.equal({ allow: false, access: 'rwm' });
    expect(s.linux.resources.devices).to.deep.include({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
  });

  it('is plain JSON (what containerd stores as the spec Any)', () => {
    const s = serviceSpec({ ...base, env: ['A=1'], cwd: '/data' });
    expect(JSON.parse(JSON.stringify(s))).to.deep.equal(s);
    expect(s.process.env).to.deep.equal(['A=1']);
    expect(s.process.cwd).to.equal('/data');
  });

  it('refuses ids, node names, commands and mounts that cannot work, naming the field', () => {
    const bad: [Partial<typeof base> & { mounts?: { source: string; destination: string }[] }, RegExp][] = [
      [{ id: 'a/b' }, /id="a\/b"/],
      [{ id: 'x'.repeat(77) }, /id=/],
      [{ nodeName: '../up' }, /nodeName="\.\.\/up"/],
      [{ rootfs: 'relative' }, /rootfs="relative"/],
      [{ args: ['etcd'] }, /args\[0\]="etcd".*absolute/],
      [{ args: [] }, /args\[0\]/],
      [{ mounts: [{ source: '/a', destination: 'data' }] }, /mounts\[0\]\.destination="data"/],
    ];
    for (const [patch, message] of bad) {
      let err: unknown;
      try {
        serviceSpec({ ...base, ...patch });
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(patch)).to.be.instanceOf(InvalidArgumentError);
      expect((err as Error).message).to.match(message);
    }
  });
});
