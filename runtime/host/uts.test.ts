// HostUts against the real kernel, in a child process under `unshare --uts` (this machine's own names are never touched);
// MemoryUts against the same contract in process.
import { execFile } from 'node:child_process';
import { expect } from 'chai';
import { MemoryUts } from './uts.js';

const UTS_URL = new URL('./uts.js', import.meta.url).href;

/** Runs `script` (an ES module body that prints one JSON line) with node in a fresh UTS namespace. */
function inUtsNamespace(script: string, prefix: readonly string[] = []): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      'unshare',
      ['--uts', ...prefix, process.execPath, '--input-type=module', '-e', script],
      { timeout: 15_000 },
      (err, stdout, stderr) => {
        if (err !== null) {
          reject(new Error(`child failed: ${err.message}\n${stderr}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout));
        } catch (e) {
          reject(new Error(`child printed ${JSON.stringify(stdout)}; stderr ${stderr}`, { cause: e }));
        }
      },
    );
  });
}

const PRELUDE = `
import { HostUts, isUtsError } from ${JSON.stringify(UTS_URL)};
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const uts = new HostUts();
const out = {};
const within = (p, what) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error('timed out: ' + what)), 5000).unref())]);
`;

describe('HostUts (in a child under unshare --uts)', () => {
  it('sets and reads both names, and names the errno of a refused call', async () => {
    const out = await inUtsNamespace(`${PRELUDE}
      uts.setHostname('uts-test-a');
      uts.setDomainname('example.test');
      out.hostname = uts.hostname();
      out.kernel = execFileSync('hostname', { encoding: 'utf8' }).trim();
      out.domainname = uts.domainname();
      uts.setDomainname('');
      out.cleared = uts.domainname();
      try { uts.setHostname('x'.repeat(65)); } catch (e) { out.tooLong = isUtsError(e, 'EINVAL') ? e.code : String(e); }
      console.log(JSON.stringify(out));`);
    expect(out).to.deep.equal({
      hostname: 'uts-test-a',
      kernel: 'uts-test-a',
      domainname: 'example.test',
      cleared: '',
      tooLong: 'EINVAL',
    });
  });

  it('fails with EPERM without CAP_SYS_ADMIN', async () => {
    const out = await inUtsNamespace(
      `${PRELUDE}
      try { uts.setHostname('nope'); out.set = true; } catch (e) { out.code = isUtsError(e) ? e.code : String(e); }
      console.log(JSON.stringify(out));`,
      ['setpriv', '--bounding-set=-sys_admin', '--inh-caps=-sys_admin', '--'],
    );
    expect(out).to.deep.equal({ code: 'EPERM' });
  });

  it('watch yields at start, then on a change by hand (hostname(1), a proc write, setdomainname), and ends on abort', async () => {
    const out = await inUtsNamespace(`${PRELUDE}
      const ac = new AbortController();
      const it = uts.watch(ac.signal)[Symbol.asyncIterator]();
      out.start = (await within(it.next(), 'start')).done;
      execFileSync('hostname', ['by-hand']);
      out.byHand = (await within(it.next(), 'hostname(1)')).done;
      out.hostname = uts.hostname();
      writeFileSync('/proc/sys/kernel/hostname', 'by-proc');
      out.byProc = (await within(it.next(), 'proc write')).done;
      out.hostname2 = uts.hostname();
      uts.setDomainname('d.test');
      out.domain = (await within(it.next(), 'setdomainname')).done;
      const next = it.next();
      ac.abort();
      out.end = (await within(next, 'abort')).done;
      console.log(JSON.stringify(out));`);
    expect(out).to.deep.equal({
      start: false,
      byHand: false,
      hostname: 'by-hand',
      byProc: false,
      hostname2: 'by-proc',
      domain: false,
      end: true,
    });
  });
});

describe('MemoryUts', () => {
  it('keeps the names, counts sets, and watch yields at start and on every change until abort', async () => {
    const uts = new MemoryUts('a', '');
    const ac = new AbortController();
    const it = uts.watch(ac.signal)[Symbol.asyncIterator]();
    expect((await it.next()).done).to.equal(false);
    uts.setHostname('b');
    uts.setDomainname('d.test');
    expect((await it.next()).done).to.equal(false);
    expect([uts.hostname(), uts.domainname(), uts.sets]).to.deep.equal(['b', 'd.test', 2]);
    const next = it.next();
    ac.abort();
    expect((await next).done).to.equal(true);
    expect(uts.watchers).to.equal(0);
  });
});
