// Tests of service logs: rotation by size, tails across the rotated file, and following across rotations, byte-exact.
import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLogFile, readServiceLog } from './log.js';
import { ServiceLogWriter } from './log-writer.js';
import { collect } from './testing.js';

/** Deterministic bytes: printable lines of varying length. */
function payload(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x % 23 === 0 ? 0x0a : 0x61 + (x % 26);
  }
  return b;
}

/** A follower that keeps what it reads; `received` is how many bytes so far. */
function follower(
  path: string,
  signal: AbortSignal,
  tailLines = -1,
): { done: Promise<Buffer>; received: () => number } {
  const chunks: Buffer[] = [];
  let n = 0;
  const done = (async () => {
    for await (const c of readLogFile(path, { follow: true, tailLines, signal })) {
      chunks.push(c);
      n += c.length;
    }
    return Buffer.concat(chunks);
  })();
  return { done, received: () => n };
}

/** Resolves once `cond()` holds, checking at each turn of the event loop; rejects after `ms`. */
async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe('service logs', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osnode-log-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rotates to .1 before the file would exceed its limit, keeping at most two files', async () => {
    const path = join(dir, 'svc.log');
    const w = new ServiceLogWriter(path, { maxBytes: 1000 });
    const line = (i: number): string => `${String(i).padStart(3, '0')} ${'x'.repeat(95)}\n`;
    for (let i = 0; i < 50; i++) {
      w.write(Buffer.from(line(i)));
      w.flush(); // as separate pipe reads would be
    }
    w.close();
    // 100-byte lines: 10 fill a file; the 11th starts a new one. Lines 40..49 are current, 30..39 rotated.
    expect(await readFile(path, 'utf8')).to.equal(Array.from({ length: 10 }, (_, i) => line(40 + i)).join(''));
    expect(await readFile(`${path}.1`, 'utf8')).to.equal(Array.from({ length: 10 }, (_, i) => line(30 + i)).join(''));
    const again = new ServiceLogWriter(path, { maxBytes: 1000 }); // a restarted machined appends, then rotates
    again.write(Buffer.from(line(50)));
    again.close();
    expect(await readFile(path, 'utf8')).to.equal(line(50));
    expect((await stat(`${path}.1`)).size).to.equal(1000);
  });

  it('splits a write larger than the limit across files and reads it back whole', async () => {
    const path = join(dir, 'big.log');
    const w = new ServiceLogWriter(path, { maxBytes: 10 });
    w.write(Buffer.from('0123456789abcdef\n'));
    w.close();
    expect(await readFile(`${path}.1`, 'utf8')).to.equal('0123456789');
    expect(await readFile(path, 'utf8')).to.equal('abcdef\n');
    const signal = new AbortController().signal;
    expect((await collect(readLogFile(path, { follow: false, tailLines: 1, signal }))).toString()).to.equal(
      '0123456789abcdef\n',
    );
  });

  it('tails the last lines across the rotated file', async () => {
    const path = join(dir, 'tail.log');
    await writeFile(`${path}.1`, 'l1\nl2\nl3\nl4\npart');
    await writeFile(path, 'ial5\nl6\n');
    const signal = new AbortController().signal;
    const tail = async (n: number): Promise<string> =>
      (await collect(readLogFile(path, { follow: false, tailLines: n, signal }))).toString();
    expect(await tail(1)).to.equal('l6\n');
    expect(await tail(2)).to.equal('partial5\nl6\n');
    expect(await tail(3)).to.equal('l4\npartial5\nl6\n'); // the split line counts once
    expect(await tail(100)).to.equal('l1\nl2\nl3\nl4\npartial5\nl6\n');
    expect(await tail(-1)).to.equal('l1\nl2\nl3\nl4\npartial5\nl6\n');
    expect(await tail(0)).to.equal('');
    await writeFile(path, '');
    expect(await tail(2)).to.equal('l4\npart');
    await rm(path);
    expect(await tail(1)).to.equal('part');
    await rm(`${path}.1`);
    expect(await tail(5)).to.equal('');
  });

  it('follows across many rotations without losing or repeating a byte', async () => {
    const path = join(dir, 'follow.log');
    const w = new ServiceLogWriter(path, { maxBytes: 4096 });
    w.write(Buffer.from('before\n'));
    w.flush();
    const ac = new AbortController();
    const f = follower(path, ac.signal);
    const data = payload(7, 300_000);
    let written = 0;
    for (let i = 0; written < data.length; i++) {
      const n = Math.min(data.length - written, 1 + ((i * 7919) % 1000));
      w.write(data.subarray(written, written + n));
      w.flush();
      written += n;
      // Keep the follower within one rotation of the writer; further behind, the oldest data is gone by design.
      await until(() => f.received() + 2048 >= 7 + written, 'the follower to catch up');
    }
    await until(() => f.received() === 7 + written, 'the follower to catch up');
    // Two rotations in one turn: the follower, asleep meanwhile, must read the generation in between too.
    const burst = payload(11, 6000);
    w.write(burst);
    w.flush();
    await until(() => f.received() === 7 + data.length + burst.length, 'the follower to read everything');
    ac.abort();
    const got = await f.done;
    w.close();
    expect(got.equals(Buffer.concat([Buffer.from('before\n'), data, burst]))).to.equal(true);
  });

  it('follows a log that does not exist yet, and one truncated in place', async () => {
    const path = join(dir, 'later.log');
    const ac = new AbortController();
    const f = follower(path, ac.signal, 10);
    const w = new ServiceLogWriter(path, { maxBytes: 100 });
    w.write(Buffer.from('one\n'));
    await until(() => f.received() === 4, 'the first line');
    w.write(Buffer.from('x'.repeat(99) + '\n')); // rotates: a new file appears
    await until(() => f.received() === 104, 'the rotated write');
    w.close();
    await truncate(path, 0);
    await writeFile(path, 'again\n', { flag: 'a' });
    await until(() => f.received() === 110, 'the rewritten file');
    ac.abort();
    expect((await f.done).toString()).to.equal(`one\n${'x'.repeat(99)}\nagain\n`);
  });

  it('refuses ids that are not service ids, and following in a missing directory', () => {
    const signal = new AbortController().signal;
    expect(() => readServiceLog(dir, '../etc/passwd', { follow: false, tailLines: -1, signal })).to.throw(
      /not a service id/,
    );
    const it = readServiceLog(join(dir, 'none'), 'svc', { follow: true, tailLines: -1, signal });
    return it.next().then(
      () => expect.fail('should not follow a missing directory'),
      (e: unknown) => expect(String(e)).to.match(/no directory/),
    );
  });
});
