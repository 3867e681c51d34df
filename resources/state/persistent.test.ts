// The persistent store: the State conformance suite on a journaled namespace, reloads, write failures and SIGKILL safety.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError, InvalidBookmarkError } from '../errors.js';
import { describeStateConformance, ItemType, item, KIND, at } from './conformance/index.js';
import { openPersistentState } from './persistent.js';
import type { Bookmark } from './state.js';

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'osnode-journal-'));
  tempDirs.push(d);
  return d;
}
after(async () => {
  for (const d of tempDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describeStateConformance('persistent (journaled namespace)', async ({ types, history }) => {
  const dir = await tempDir();
  const state = await openPersistentState({ dir, namespaces: [KIND.namespace], types, history });
  return { state, watchers: () => state.stats().watchers, close: () => rm(dir, { recursive: true, force: true }) };
});

describe('persistent store', () => {
  it('reloads journaled namespaces with versions, labels, finalizers and phase; others start empty', async () => {
    const dir = await tempDir();
    const s1 = await openPersistentState({ dir, namespaces: ['test'], types: [ItemType] });
    await s1.create(item('a', 1, { labels: { role: 'cp' } }), { owner: 'ctrl' });
    await s1.update(item('a', 2, { version: 1, labels: { role: 'cp' } }), { owner: 'ctrl' });
    await s1.addFinalizer(at('a'), ['keep']);
    await s1.create(item('gone', 1));
    await s1.destroy(at('gone'));
    await s1.create({ ...item('b', 5), metadata: { ...item('b', 5).metadata, id: 'a/../../etc' } });
    await s1.teardown({ ...at('a/../../etc') });
    await s1.create({ metadata: { namespace: 'scratch', type: ItemType.type, id: 'mem' }, spec: { value: 1 } });

    const s2 = await openPersistentState({ dir, namespaces: ['test'], types: [ItemType] });
    const a = await s2.get(at('a'));
    expect(a.metadata).to.include({ version: 3, owner: 'ctrl', phase: 'running' });
    expect(a.metadata.labels).to.deep.equal({ role: 'cp' });
    expect(a.metadata.finalizers).to.deep.equal(['keep']);
    expect(a.spec).to.deep.equal({ value: 2 });
    expect((await s2.get(at('a/../../etc'))).metadata.phase).to.equal('tearingDown');
    expect((await s2.list(KIND)).map((r) => r.metadata.id)).to.deep.equal(['a', 'a/../../etc']);
    expect(await s2.list({ namespace: 'scratch', type: ItemType.type })).to.deep.equal([]);
    // Versions continue from the journal.
    expect((await s2.update(item('a', 9, { version: 3 }), { owner: 'ctrl' })).metadata.version).to.equal(4);
    // Ids never escape the journal directory.
    expect(await readdir(join(dir, 'test', 'ConformanceItem'))).to.have.members([
      'a.json',
      'a%2F%2E%2E%2F%2E%2E%2Fetc.json',
    ]);
  });

  it('bookmarks from before a restart are refused', async () => {
    const dir = await tempDir();
    const s1 = await openPersistentState({ dir, namespaces: ['test'], types: [ItemType] });
    const c = await s1.cursor(KIND);
    await s1.create(item('a', 1));
    const batch = await c.next();
    c.close();
    const e = batch?.[0];
    const bm: Bookmark | undefined = e !== undefined && e.type === 'created' ? e.bookmark : undefined;
    expect(bm).to.not.equal(undefined);
    const s2 = await openPersistentState({ dir, namespaces: ['test'], types: [ItemType] });
    const err = await s2.cursor(KIND, { startFromBookmark: bm! }).catch((x: unknown) => x);
    expect(err).to.be.instanceOf(InvalidBookmarkError).with.property('message').that.includes('restarted');
  });

  it('a write the disk refuses fails and changes nothing in memory', async () => {
    const dir = await tempDir();
    const s = await openPersistentState({ dir, namespaces: ['test'], types: [ItemType] });
    await writeFile(join(dir, 'test'), 'not a directory');
    const err = await s.create(item('a', 1)).catch((x: unknown) => x);
    expect(err).to.be.instanceOf(Error).with.property('code').that.is.oneOf(['ENOTDIR', 'EEXIST']);
    expect(await s.get(at('a')).catch((x: unknown) => x)).to.be.instanceOf(NotFoundError);
  });

  it('a malformed journal file stops the load with an error naming the file', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'test', 'ConformanceItem'), { recursive: true });
    await writeFile(join(dir, 'test', 'ConformanceItem', 'x.json'), '{"metadata": ');
    const err = await openPersistentState({ dir, namespaces: ['test'], types: [ItemType] }).catch((x: unknown) => x);
    expect(err).to.be.instanceOf(Error).with.property('message').that.includes('x.json');
  });

  it('SIGKILL at any moment loses no acknowledged write', async function () {
    this.timeout(60_000);
    const dir = await tempDir();
    const fixture = fileURLToPath(new URL('./journal-writer.fixture.js', import.meta.url));
    // Expected state per id after each acknowledged write; the one write in flight may or may not have landed.
    const acked = new Map<string, string>();
    for (const killAfter of [37, 150, 311, 64]) {
      let inFlight: { id: string; what: string } | undefined;
      const child = spawn(process.execPath, [fixture, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let buf = '';
      let acks = 0;
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, sig) => {
          resolve(sig);
        }),
      );
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const line of lines) {
          const [kind, id = '', what = ''] = line.split(' ');
          if (kind === 'begin') inFlight = { id, what };
          else if (kind === 'ack') {
            acked.set(id, what);
            inFlight = undefined;
            if (++acks === killAfter) child.kill('SIGKILL');
          }
        }
      });
      expect(await exited).to.equal('SIGKILL');
      const s = await openPersistentState({ dir, namespaces: ['config'], types: [ItemType] });
      for (const [id, what] of acked) {
        const r = await s.get({ namespace: 'config', type: ItemType.type, id }).catch(() => undefined);
        const found = r === undefined ? 'del' : String((r.spec as { value: number }).value);
        if (found !== what) {
          expect(inFlight, `${id}: acknowledged ${what}, found ${found}`).to.deep.equal({ id, what: found });
          acked.set(id, found);
        }
      }
      const leftovers = (await readdir(join(dir, 'config', 'ConformanceItem'))).filter((f) => f.includes('.tmp-'));
      expect(leftovers).to.deep.equal([]);
    }
    expect(acked.size).to.equal(17);
  });
});
