// collectPeriodically with a recording collector and trim, and with the real gc() of a node run with --expose-gc.
import { execFile } from 'node:child_process';
import { expect } from 'chai';
import { collectPeriodically } from './idle-collect.js';

/** Resolves once `done()` holds, checking every few milliseconds; rejects after `ms`. */
async function until(done: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('collectPeriodically', () => {
  it('collects (major, concurrent), then trims, every period until stopped', async () => {
    const calls: string[] = [];
    const { stop } = collectPeriodically({
      periodMs: 10,
      gc: (o) => {
        calls.push(`gc ${o.type} ${o.execution}`);
        return Promise.resolve();
      },
      trim: () => {
        calls.push('trim');
        return true;
      },
    });
    try {
      await until(() => calls.length >= 4);
    } finally {
      stop();
    }
    expect(calls.slice(0, 4)).to.deep.equal(['gc major async', 'trim', 'gc major async', 'trim']);
  });

  it('collects now when asked, between periods', async () => {
    let collections = 0;
    const c = collectPeriodically({ periodMs: 3_600_000, gc: () => (collections++, undefined), trim: () => true });
    try {
      c.collectNow();
      await until(() => collections === 1);
    } finally {
      c.stop();
    }
  });

  it('without a collector (node without --expose-gc) still trims every period', async () => {
    let trims = 0;
    const { stop } = collectPeriodically({ periodMs: 5, gc: undefined, trim: () => (trims++, true) });
    try {
      await until(() => trims >= 3);
    } finally {
      stop();
    }
  });

  it('stops trimming once a trim cannot (no glibc), and keeps collecting', async () => {
    let trims = 0;
    let collections = 0;
    const { stop } = collectPeriodically({
      periodMs: 5,
      gc: () => {
        collections++;
        return undefined;
      },
      trim: () => (trims++, false),
    });
    try {
      await until(() => collections >= 5);
    } finally {
      stop();
    }
    expect(trims).to.equal(1);
  });

  it("runs node's real gc(): garbage is gone after one period (a child with --expose-gc)", async () => {
    const url = new URL('./idle-collect.js', import.meta.url).href;
    const script = `
      import { collectPeriodically } from ${JSON.stringify(url)};
      const heap = () => process.memoryUsage().heapUsed / 1e6;
      let garbage = Array.from({ length: 300000 }, (_, i) => ({ i, s: 'x' + i }));
      const held = heap();
      garbage = undefined;
      const { stop } = collectPeriodically({ periodMs: 50, trim: () => true });
      setTimeout(() => { stop(); console.log(JSON.stringify({ held, after: heap() })); }, 1000);
    `;
    const r = await new Promise<{ held: number; after: number }>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--expose-gc', '--max-semi-space-size=1', '--input-type=module', '-e', script],
        { timeout: 15_000 },
        (err, stdout, stderr) => {
          if (err !== null) reject(new Error(`child failed: ${err.message}\n${stderr}`));
          else resolve(JSON.parse(stdout) as { held: number; after: number });
        },
      );
    });
    expect(r.held - r.after, JSON.stringify(r)).to.be.above(10);
  });
});
