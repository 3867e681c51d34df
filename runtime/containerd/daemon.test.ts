// Tests of a node's containerd config: the file it writes, its socket path limit, and health checks of a dead socket.
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerdClient } from './client.js';
import { DISABLED_PLUGINS, MAX_SOCKET_PATH, checkHealth, containerdConfig, waitReady } from './daemon.js';
import { isContainerdUnavailable } from './errors.js';

describe('containerd/daemon', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osnode-ctd-cfg-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a version 2 config with everything under the state directory', async () => {
    const state = join(dir, 'containerd');
    const launch = containerdConfig({ stateDir: state });
    expect(launch.args).to.deep.equal(['/usr/bin/containerd', '--config', join(state, 'config.toml')]);
    expect(launch.socket).to.equal(join(state, 'containerd.sock'));
    expect(launch.runcRoot).to.equal(join(state, 'runc'));
    const text = await readFile(launch.configPath, 'utf8');
    expect(text).to.match(/^version = 2$/m);
    expect(text).to.include(`root = "${join(state, 'root')}"`);
    expect(text).to.include(`state = "${join(state, 'state')}"`);
    expect(text).to.match(/\[grpc\]\n {2}address = ".*containerd\.sock"/);
    expect(text).to.match(/\[ttrpc\]\n {2}address = ".*containerd\.sock\.ttrpc"/);
    for (const p of DISABLED_PLUGINS) expect(text).to.include(`"${p}"`);
    expect(text).to.include('"io.containerd.grpc.v1.cri"');
  });

  it('refuses a state directory whose sockets would not fit a unix socket path, saying how long it may be', () => {
    const long = join(dir, 'x'.repeat(MAX_SOCKET_PATH));
    expect(() => containerdConfig({ stateDir: long })).to.throw(
      /is \d+ bytes long; a unix socket path holds at most 107: use a state directory of at most \d+ bytes/,
    );
    expect(() => containerdConfig({ stateDir: 'relative' })).to.throw(/need an absolute path/);
  });

  it('health checks and readiness fail with ContainerdUnavailableError when nothing listens', async () => {
    const socket = join(dir, 'none.sock');
    let err: unknown;
    try {
      await checkHealth(socket, new AbortController().signal, 300);
    } catch (e) {
      err = e;
    }
    expect(isContainerdUnavailable(err), String(err)).to.be.true;
    const client = new ContainerdClient({ address: socket });
    try {
      let ready: unknown;
      try {
        await waitReady(client, new AbortController().signal, 300);
      } catch (e) {
        ready = e;
      }
      expect(String(ready)).to.match(/is not ready after 300 ms/);
    } finally {
      client.close();
    }
  });
});
