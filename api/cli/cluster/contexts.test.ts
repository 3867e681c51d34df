// The cluster's talosconfig context: merged in as the current one (renamed when taken), removed again only while it
// is still the one create wrote, with the earlier current context restored and a file create made removed.
import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { mergeContext, removeContext } from './contexts.js';

const signal = new AbortController().signal;
const ctx = (crt: string) => ({ endpoints: ['10.5.0.2'], nodes: ['10.5.0.2', '10.5.0.3'], ca: 'ca', crt, key: 'key' });

describe('local cluster talosconfig context', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctx-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the file when missing and removes it again when no other context is left', async () => {
    const path = join(dir, 'config');
    const m = await mergeContext(path, 'demo', ctx('c1'), signal);
    expect(m).to.deep.include({ context: 'demo', previousContext: '', created: true });
    expect((parse(await readFile(path, 'utf8')) as { context: string }).context).to.equal('demo');
    expect(await removeContext(m, signal)).to.match(/^removed .*config \(create made it/);
    expect(await stat(path).catch(() => undefined)).to.equal(undefined);
  });

  it('renames a taken name, restores the earlier current context, and leaves a context replaced since', async () => {
    const path = join(dir, 'config');
    await writeFile(path, 'context: prod\ncontexts:\n  prod: {endpoints: [a]}\n  demo: {endpoints: [b]}\n');
    const m = await mergeContext(path, 'demo', ctx('c1'), signal);
    expect(m).to.deep.include({ context: 'demo-1', previousContext: 'prod', created: false });
    expect(await removeContext(m, signal)).to.equal(`removed context "demo-1" from ${path}; current context: prod`);
    const after = parse(await readFile(path, 'utf8')) as { context: string; contexts: Record<string, unknown> };
    expect(after.context).to.equal('prod');
    expect(Object.keys(after.contexts).sort()).to.deep.equal(['demo', 'prod']);
    const again = await mergeContext(path, 'x', ctx('c2'), signal);
    await mergeContext(path, 'x', ctx('c3'), signal);
    expect(await removeContext({ ...again, context: 'x-1' }, signal)).to.match(/left context "x-1" .*replaced since/);
  });
});
