// Config acquisition: the order of sources, the kernel command line, files and http(s) URLs served on loopback.
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError } from '../../resources/index.js';
import { acquireConfig, cmdlineConfigLocation, ConfigSourceError, readConfigText } from './acquire.js';

const YAML = 'version: v1alpha1\nmachine:\n  type: worker\n';

describe('config acquisition', () => {
  let dir: string;
  let server: Server;
  let base: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osnode-acquire-'));
    server = createServer((req, res) => {
      if (req.url === '/config.yaml') res.end(YAML);
      else {
        res.statusCode = 404;
        res.end('no');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('finds talos.config= on a kernel command line (the last one wins)', () => {
    expect(cmdlineConfigLocation('console=ttyS0 talos.config=/a.yaml quiet')).to.equal('/a.yaml');
    expect(cmdlineConfigLocation('talos.config=/a talos.config=http://x/b\n')).to.equal('http://x/b');
    expect(cmdlineConfigLocation('console=ttyS0 talos.config=')).to.equal(undefined);
    expect(cmdlineConfigLocation('BOOT_IMAGE=/vmlinuz root=/dev/sda')).to.equal(undefined);
  });

  it('reads files and http URLs, and names the location when it cannot', async () => {
    expect(await readConfigText(`${base}/config.yaml`)).to.equal(YAML);
    const missing = await readConfigText(`${base}/nope`).catch((e: unknown) => e);
    expect(missing).to.be.instanceOf(ConfigSourceError).with.property('message').that.includes('HTTP 404');
    const scheme = await readConfigText('tftp://host/x').catch((e: unknown) => e);
    expect(scheme).to.be.instanceOf(ConfigSourceError).with.property('message').that.includes('http(s)');
    const file = await readConfigText(join(dir, 'absent.yaml')).catch((e: unknown) => e);
    expect(file).to.be.instanceOf(ConfigSourceError).with.property('message').that.includes('absent.yaml');
  });

  it('takes the persisted config first, then --config, then the command line, else maintenance', async () => {
    const path = join(dir, 'c.yaml');
    await writeFile(path, YAML);
    const persisted = { version: 'v1alpha1', machine: { type: 'controlplane' } };
    const cmdline = `talos.config=${base}/config.yaml`;
    const mode = 'container' as const;
    expect(await acquireConfig({ persisted, configPath: path, cmdline, mode })).to.deep.include({
      source: 'persisted',
      config: persisted,
    });
    expect(await acquireConfig({ persisted: undefined, configPath: path, cmdline, mode })).to.deep.include({
      source: 'file',
      location: path,
    });
    const fromCmdline = await acquireConfig({ persisted: undefined, cmdline, mode });
    expect(fromCmdline).to.deep.include({ source: 'cmdline', location: `${base}/config.yaml` });
    expect(fromCmdline.config).to.deep.include({ machine: { type: 'worker' } });
    expect(await acquireConfig({ persisted: undefined, cmdline: 'quiet', mode })).to.deep.equal({
      source: 'none',
      warnings: [],
    });
  });

  it('refuses an invalid config from any source with the validator error', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, 'version: v1alpha2\n');
    const err = await acquireConfig({ persisted: undefined, configPath: path, mode: 'container' }).catch(
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ConfigValidationError).with.property('message').that.includes('v1alpha2');
  });
});
