// Tests of root filesystem preparation: binaries with their libraries, mount points, /etc, the stamp, and rebuilds.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { copyFile, lstat, mkdtemp, readFile, readlink, readdir, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOTFS_STAMP, prepareRootfs, sharedLibraries } from './rootfs.js';

const run = promisify(execFile);

describe('containerd/rootfs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osnode-rootfs-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the libraries and the loader of a dynamic binary, and none of a static one', async () => {
    const libs = await sharedLibraries('/usr/bin/true');
    expect(
      libs.some((l) => /\/libc\.so\.6$/.test(l)),
      libs.join(' '),
    ).to.be.true;
    expect(
      libs.some((l) => /ld-linux.*\.so\.2$/.test(l)),
      libs.join(' '),
    ).to.be.true;
    expect(await sharedLibraries('/bin/busybox')).to.deep.equal([]);
  });

  it('copies binaries and their libraries to their host paths, with mount points, /etc and symlinks', async () => {
    const root = join(dir, 'svc');
    const r = await prepareRootfs({
      dir: root,
      files: ['/bin/busybox', '/usr/bin/true'],
      symlinks: { '/bin/sh': 'busybox' },
    });
    expect(r.built).to.be.true;
    for (const f of r.files) {
      const [host, copy] = await Promise.all([stat(f), stat(join(root, f))]);
      expect(copy.size, f).to.equal(host.size);
      expect(copy.mode & 0o777, f).to.equal(host.mode & 0o777);
    }
    expect(r.files).to.include('/usr/bin/true');
    expect(r.files.some((f) => f.includes('libc.so.6'))).to.be.true;
    for (const d of ['proc', 'dev', 'sys', 'tmp', 'run', 'etc', 'var'])
      expect((await stat(join(root, d))).isDirectory(), d).to.be.true;
    expect((await stat(join(root, 'tmp'))).mode & 0o7777).to.equal(0o1777);
    expect(await readFile(join(root, 'etc/passwd'), 'utf8')).to.match(/^root:x:0:0:/);
    expect(await readFile(join(root, 'etc/group'), 'utf8')).to.match(/^root:x:0:/);
    expect(await readFile(join(root, 'etc/hosts'), 'utf8')).to.include('localhost');
    expect(await readlink(join(root, 'bin/sh'))).to.equal('busybox');
    expect((await readdir(dir)).sort()).to.deep.equal(['svc']); // no temporary directories left
  });

  it('skips an unchanged rootfs and rebuilds when an input changes', async () => {
    const bin = join(dir, 'tool');
    await copyFile('/usr/bin/true', bin);
    const root = join(dir, 'svc');
    expect((await prepareRootfs({ dir: root, files: [bin] })).built).to.be.true;
    const stamp = await lstat(join(root, ROOTFS_STAMP));
    expect((await prepareRootfs({ dir: root, files: [bin] })).built).to.be.false;
    expect((await lstat(join(root, ROOTFS_STAMP))).ino).to.equal(stamp.ino);
    await utimes(bin, new Date(), new Date(Date.now() + 5000));
    expect((await prepareRootfs({ dir: root, files: [bin] })).built).to.be.true;
    expect((await prepareRootfs({ dir: root, files: [bin], symlinks: { '/bin/t': '/tool' } })).built).to.be.true;
    expect((await readdir(dir)).sort()).to.deep.equal(['svc', 'tool']);
  });

  it('refuses a missing or relative file, naming it', async () => {
    const root = join(dir, 'svc');
    let err: unknown;
    try {
      await prepareRootfs({ dir: root, files: ['/usr/bin/no-such-binary'] });
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.include('/usr/bin/no-such-binary is not a file on this host');
    err = undefined;
    try {
      await prepareRootfs({ dir: root, files: ['bin/true'] });
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.include('"bin/true" needs an absolute host path');
  });

  it('makes a rootfs a dynamic binary runs in (chroot, as root)', async function () {
    if (process.getuid?.() !== 0) this.skip(); // chroot needs root
    const root = join(dir, 'svc');
    await prepareRootfs({ dir: root, files: ['/usr/bin/echo'] });
    const { stdout } = await run('chroot', [root, '/usr/bin/echo', 'inside']);
    expect(stdout).to.equal('inside\n');
  });
});
