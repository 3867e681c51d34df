// HostKmod: /sys/module decides what is loaded; modprobe's own words come back when it fails, and a missing modprobe
// is named (a stand-in program plays modprobe, so nothing is loaded into this machine's kernel).
import { expect } from 'chai';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostKmod, isKmodError } from './kmod.js';

describe('HostKmod', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kmod-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a module is loaded when /sys/module has it (dashes read as underscores)', async () => {
    await mkdir(join(dir, 'sys', 'br_netfilter'), { recursive: true });
    const k = new HostKmod({ sysModule: join(dir, 'sys') });
    const signal = AbortSignal.timeout(5_000);
    expect(await k.isLoaded('br_netfilter', signal)).to.equal(true);
    expect(await k.isLoaded('br-netfilter', signal)).to.equal(true);
    expect(await k.isLoaded('veth', signal)).to.equal(false);
  });

  it('passes the parameters to modprobe and reports its message when it fails, or that it is missing', async () => {
    const fake = join(dir, 'modprobe');
    const log = join(dir, 'args');
    const script = `#!/bin/sh\necho "$@" > ${log}\n[ "$1" = ok ] && exit 0\necho "modprobe: FATAL: Module $1 not found in directory /lib/modules/x" >&2\nexit 1\n`;
    await writeFile(fake, script);
    await chmod(fake, 0o755);
    const k = new HostKmod({ modprobe: fake });
    const signal = AbortSignal.timeout(5_000);
    await k.load('ok', ['a=1', 'b=2'], signal);
    expect((await readFile(log, 'utf8')).trim()).to.equal('ok a=1 b=2');
    const err = await k.load('nosuch', [], signal).catch((e: unknown) => e);
    expect(isKmodError(err) && err.message).to.equal(
      'modprobe: FATAL: Module nosuch not found in directory /lib/modules/x',
    );
    const missing = await new HostKmod({ modprobe: join(dir, 'none') }).load('x', [], signal).catch((e: unknown) => e);
    expect(isKmodError(missing) && missing.message).to.match(
      /not found on this node \(it comes with the kmod package\)$/,
    );
  });
});
