// Leftovers of a crashed node: only the containerd named in the pid file and running with this node's config is
// killed; the node's empty cgroups are removed in every hierarchy.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ended, killStaleContainerd, removeNodeCgroups, writePidFile } from './leftovers.js';

function exited(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve) => child.once('exit', resolve));
}

describe('machined leftovers', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'leftovers-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('kills the process in the pid file only when its command line names this node’s config', async () => {
    const config = join(dir, 'containerd', 'config.toml');
    const pidFile = join(dir, 'containerd.pid');
    // A stand-in whose command line holds the config path, as containerd's does (`containerd --config PATH`).
    const stale = spawn('sh', ['-c', 'sleep 1000', config], { stdio: 'ignore' });
    const other = spawn('sh', ['-c', 'sleep 1000', join(dir, 'other.toml')], { stdio: 'ignore' });
    const done = [exited(stale), exited(other)];
    try {
      writePidFile(pidFile, other.pid ?? 0);
      expect(killStaleContainerd(pidFile, config)).to.equal(undefined);
      expect(ended(other.pid ?? 0)).to.equal(false);
      writePidFile(pidFile, stale.pid ?? 0);
      expect(killStaleContainerd(pidFile, config)).to.equal(stale.pid);
      await done[0];
      expect(stale.signalCode).to.equal('SIGKILL');
      expect(killStaleContainerd(join(dir, 'missing.pid'), config)).to.equal(undefined);
    } finally {
      other.kill('SIGKILL');
      stale.kill('SIGKILL');
      await Promise.all(done);
    }
  });

  it('removes the node’s empty cgroups in each hierarchy', () => {
    const hierarchies = existsSync('/sys/fs/cgroup/cgroup.controllers')
      ? ['/sys/fs/cgroup']
      : readdirSync('/sys/fs/cgroup').map((c) => join('/sys/fs/cgroup', c));
    const node = `osnode-leftovers-${process.pid}`;
    const made: string[] = [];
    for (const h of hierarchies) {
      try {
        mkdirSync(join(h, node, 'system', 'svc'), { recursive: true });
        made.push(join(h, node));
      } catch {
        // A hierarchy we may not write (named or read-only): not ours to clean either.
      }
    }
    expect(made, 'needs root and a writable cgroup hierarchy, as machined does').to.not.have.length(0);
    removeNodeCgroups(node);
    expect(made.filter((d) => existsSync(d))).to.deep.equal([]);
  });
});
