// HostSysctls against the real /proc/sys of a throwaway network namespace (in a child under nsenter): reads, writes,
// the kernel's refusals, and the watch seeing `sysctl -w` at once (inotify) and a change inotify misses (the resync).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { exec, must } from '../../e2e/harness/run.js';
import { HostSysctls } from './sysctl.js';

const DIST = new URL('../../', import.meta.url).href;

function inNamespace(ns: string, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'nsenter',
      [`--net=/run/netns/${ns}`, process.execPath, '--input-type=module', '-e', script],
      { timeout: 20_000 },
      (err, stdout, stderr) => {
        if (err === null) resolve(stdout);
        else reject(new Error(`${err.message}\n${stderr}`));
      },
    );
  });
}

describe('HostSysctls', () => {
  let ns = '';
  before(async () => {
    ns = `osnode-sysctl-${randomBytes(4).toString('hex')}`;
    await must('ip', ['netns', 'add', ns]);
  });
  after(async () => {
    if (ns !== '') await exec('ip', ['netns', 'del', ns]);
  });

  it("reads only, in this machine's namespace: it is not a namespace of its own", async () => {
    const s = new HostSysctls();
    expect(await s.ownNetworkNamespace()).to.equal(false);
    expect(await s.read('net.ipv4.osnode_nosuch', AbortSignal.timeout(5_000))).to.equal(undefined);
  });

  it('reads and writes in a namespace, with the kernel errors, and watches by inotify and by resync', async () => {
    const script = `
      import { execFileSync } from 'node:child_process';
      import { writeFileSync } from 'node:fs';
      import { HostSysctls } from '${DIST}runtime/host/sysctl.js';
      const s = new HostSysctls({ resyncMs: 1000 });
      const ac = new AbortController();
      const out = { own: await s.ownNetworkNamespace() };
      out.forward = await s.read('net/ipv4/ip_forward', ac.signal);
      out.absent = await s.read('net.ipv4.osnode_nosuch', ac.signal) ?? null;
      await s.write('net.ipv4.tcp_syncookies', '0', ac.signal);
      out.written = await s.read('net.ipv4.tcp_syncookies', ac.signal);
      out.range = await s.read('net.ipv4.ip_local_port_range', ac.signal);
      for (const [name, value] of [['net.ipv4.ip_default_ttl', '0'], ['net.ipv4.osnode_nosuch', '1']]) {
        try { await s.write(name, value, ac.signal); } catch (e) { out[name] = e.code + ': ' + e.message; }
      }
      const it = s.watch(() => ['net.ipv4.ip_forward', 'net.ipv4.tcp_syncookies'], ac.signal)[Symbol.asyncIterator]();
      await it.next();
      let t = Date.now();
      execFileSync('sysctl', ['-qw', 'net.ipv4.tcp_syncookies=1']);
      await it.next();
      out.inotifyMs = Date.now() - t;
      t = Date.now();
      // Sets net.ipv4.ip_forward too, with no inotify event on ip_forward: only the resync sees it.
      writeFileSync('/proc/sys/net/ipv4/conf/all/forwarding', '1');
      await it.next();
      out.resyncMs = Date.now() - t;
      out.forwardAfter = await s.read('net.ipv4.ip_forward', ac.signal);
      ac.abort();
      out.ended = (await it.next()).done;
      console.log(JSON.stringify(out));`;
    const out = JSON.parse(await inNamespace(ns, script)) as Record<string, unknown>;
    expect(out).to.include({
      own: true,
      forward: '0',
      absent: null,
      written: '0',
      range: '32768\t60999',
      'net.ipv4.ip_default_ttl': 'EINVAL: write 0 to net.ipv4.ip_default_ttl: invalid argument (EINVAL)',
      'net.ipv4.osnode_nosuch': 'ENOENT: write 1 to net.ipv4.osnode_nosuch: no such file or directory (ENOENT)',
      forwardAfter: '1',
      ended: true,
    });
    expect(out['inotifyMs']).to.be.below(500);
    expect(out['resyncMs']).to.be.below(3_000);
  });
});
