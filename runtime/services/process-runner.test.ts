// Tests of the process runner with real processes: start failures, exit reasons, output, and stopping a process group.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRunner } from './process-runner.js';
import type { LogSink } from './runner.js';

/** A LogSink that keeps what it is given, and resolves `seen(text)` once its output contains `text`. */
function memorySink(): LogSink & { text: () => string; seen: (s: string) => Promise<void> } {
  const chunks: Buffer[] = [];
  const waiters: { s: string; resolve: () => void }[] = [];
  const text = (): string => Buffer.concat(chunks).toString();
  return {
    write: (c) => {
      chunks.push(Buffer.from(c));
      for (const w of waiters.filter((x) => text().includes(x.s))) w.resolve();
    },
    text,
    seen: (s) =>
      text().includes(s)
        ? Promise.resolve()
        : new Promise((resolve) => {
            waiters.push({ s, resolve });
          }),
  };
}

/** True while `pid` runs (a zombie, dead but not reaped by whoever inherited it, counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** Resolves once `cond()` holds, checking at each turn of the event loop; rejects after `ms`. */
async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

const sh = (script: string): ProcessRunner => new ProcessRunner({ path: '/bin/sh', args: ['-c', script] });
const signal = new AbortController().signal;

describe('ProcessRunner', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osnode-proc-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a binary that does not exist or is not executable, naming the path', async () => {
    const missing = join(dir, 'nope');
    const e1 = await new ProcessRunner({ path: missing }).start(memorySink(), signal).catch((e: unknown) => e);
    expect(String(e1)).to.include(missing).and.to.include('does not exist');
    const plain = join(dir, 'plain');
    await writeFile(plain, '#!/bin/sh\n');
    await chmod(plain, 0o644);
    const e2 = await new ProcessRunner({ path: plain }).start(memorySink(), signal).catch((e: unknown) => e);
    expect(String(e2)).to.include(plain).and.to.include('not executable');
    const e3 = await new ProcessRunner({ path: dir }).start(memorySink(), signal).catch((e: unknown) => e);
    expect(String(e3)).to.include('not a regular file');
    const e4 = await new ProcessRunner({ path: '/bin/sh', cwd: join(dir, 'x') })
      .start(memorySink(), signal)
      .catch((e: unknown) => e);
    expect(String(e4)).to.include('does not exist');
    // A file that passes the checks but cannot be executed: spawn's own error.
    const bad = join(dir, 'bad');
    await writeFile(bad, '#!/nonexistent/interpreter\n');
    await chmod(bad, 0o755);
    const e5 = await new ProcessRunner({ path: bad }).start(memorySink(), signal).catch((e: unknown) => e);
    expect(String(e5)).to.include(`cannot run ${bad}`);
    expect(() => new ProcessRunner({ path: 'sleep' })).to.throw(/absolute/);
  });

  it('pipes stdout and stderr into the log and reports the exit code', async () => {
    const log = memorySink();
    const h = await sh('echo out; echo err >&2; exit 3').start(log, signal);
    expect(h.pid).to.be.greaterThan(0);
    const exit = await h.exited;
    expect(exit).to.deep.equal({ code: 3, signal: null, reason: 'exited with code 3' });
    expect(log.text()).to.include('out\n').and.to.include('err\n');
    expect(await h.stop(1000)).to.equal(exit); // after the end: that ending
  });

  it('passes only the given environment', async () => {
    const log = memorySink();
    const r = new ProcessRunner({
      path: '/bin/sh',
      args: ['-c', 'echo "[$FOO][$HOME]"'],
      env: { FOO: 'bar' },
      cwd: dir,
    });
    await (
      await r.start(log, signal)
    ).exited;
    expect(log.text()).to.equal('[bar][]\n');
  });

  it('reports a kill by signal', async () => {
    const h = await new ProcessRunner({ path: '/bin/sleep', args: ['100'] }).start(memorySink(), signal);
    process.kill(h.pid, 'SIGKILL');
    expect((await h.exited).reason).to.equal('killed by SIGKILL');
  });

  it('stops the whole group with SIGTERM, then SIGKILL when the grace runs out', async () => {
    const log = memorySink();
    const h = await sh('sleep 100 & echo "child $!"; wait').start(log, signal);
    await log.seen('\n');
    const child = Number(/child (\d+)/.exec(log.text())?.[1]);
    expect(alive(child)).to.equal(true);
    expect((await h.stop(5000)).reason).to.equal('killed by SIGTERM');
    await until(() => !alive(child), `the group's child ${child} to be gone`);

    const stubborn = memorySink();
    const s = await sh('trap "" TERM; echo ready; while :; do sleep 0.05; done').start(stubborn, signal);
    await stubborn.seen('ready');
    const t0 = Date.now();
    expect((await s.stop(200)).reason).to.equal('killed by SIGKILL');
    expect(Date.now() - t0).to.be.within(150, 3000);
  });

  it('kills what is left of the group when the main process exits', async () => {
    const log = memorySink();
    const h = await sh('sleep 100 & echo "child $!"').start(log, signal);
    await h.exited;
    const child = Number(/child (\d+)/.exec(log.text())?.[1]);
    expect(child).to.be.greaterThan(0);
    await until(() => !alive(child), `the leftover child ${child} to be gone`);
  });
});
