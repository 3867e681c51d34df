// malloc_trim against this machine's glibc, in a child process whose memory the kernel reports (/proc/self/status).
import { execFile } from 'node:child_process';
import { expect } from 'chai';

const TRIM_URL = new URL('./malloc-trim.js', import.meta.url).href;

/** RssAnon in MB of a child that frees 40 MB of small C-heap blocks below one it keeps, then trims (or not). */
function child(doTrim: boolean): Promise<{ held: number; freed: number; after: number; trimmed: boolean }> {
  const script = `
    import { readFileSync } from 'node:fs';
    import { trimMalloc } from ${JSON.stringify(TRIM_URL)};
    const anon = () => Number(/RssAnon:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1000;
    // 10,000 blocks of 4 KiB: ArrayBuffer memory comes from glibc's malloc, below its mmap threshold.
    let blocks = Array.from({ length: 10000 }, () => new Uint8Array(4096).fill(1));
    const top = new Uint8Array(4096).fill(1); // allocated last: it keeps the arena from shrinking by itself
    const held = anon();
    blocks = undefined;
    for (let i = 0; i < 4; i++) gc();
    const freed = anon();
    const trimmed = ${doTrim} ? trimMalloc() : false;
    console.log(JSON.stringify({ held, freed, after: anon(), trimmed, top: top.length }));
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--input-type=module', '-e', script],
      { timeout: 15_000 },
      (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`child failed: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as { held: number; freed: number; after: number; trimmed: boolean });
      },
    );
  });
}

describe('malloc trim (glibc, real process memory)', () => {
  it('returns freed C-heap pages to the kernel: RssAnon falls by most of the 40 MB freed', async () => {
    const r = await child(true);
    expect(r.trimmed).to.equal(true);
    expect(r.held - r.freed, `freeing alone keeps the pages: ${JSON.stringify(r)}`).to.be.below(10);
    expect(r.freed - r.after, JSON.stringify(r)).to.be.above(25);
  });

  it('without it, the freed pages stay resident (what the daemon would keep)', async () => {
    const r = await child(false);
    expect(r.trimmed).to.equal(false);
    expect(r.held - r.after, JSON.stringify(r)).to.be.below(10);
  });
});
