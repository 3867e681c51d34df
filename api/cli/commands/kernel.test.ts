// osctl kernel audit: a node's audit through a real mTLS server (the table, the summary, -o wide and json, a reader may
// call it), and --config auditing a local file without any node.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ALL_TYPES, InMemoryState } from '../../../resources/index.js';
import { clientTls, serve, testPki } from '../../client/testing.fixture.js';
import type { ApiServer } from '../../server/index.js';
import { fakeOps } from '../../server/testing.js';
import type { CommandContext } from '../global.js';
import { runOsctl } from '../program.js';
import type { AuditFinding, Verdict } from '../../../kernel-config/index.js';
import { auditRows, summaryLines } from './kernel.js';

const finding = (option: string, wanted: string, found: string, verdict: Verdict): AuditFinding => ({
  kind: option.startsWith('CONFIG_') ? 'config' : 'sysctl',
  option,
  wanted,
  found,
  verdict,
  reason: `reason of ${option}`,
  source: 'KSPP',
});

const FINDINGS = [
  finding('CONFIG_STRICT_KERNEL_RWX', 'y', 'y', 'ok'),
  finding('CONFIG_DEVMEM', 'is not set', 'y', 'differs'),
  finding('kernel.yama.ptrace_scope', '2', 'absent', 'missing'),
];

async function osctl(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CommandContext = {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    signal: new AbortController().signal,
    env: {},
  };
  const code = await runOsctl(args, ctx);
  return { code, out, err };
}

describe('osctl kernel audit', function () {
  this.timeout(30_000);
  let dir = '';
  let tc = '';
  let server: ApiServer | undefined;

  before(async () => {
    const state = new InMemoryState();
    for (const t of ALL_TYPES) await state.registerType(t);
    const ops = fakeOps({
      kernelAudit: () =>
        Promise.resolve({ configSource: '/proc/config.gz', kernelRelease: '6.1.0-test', findings: FINDINGS }),
    });
    server = await serve(state, 0, ops);
    await testPki();
    const reader = await clientTls(['os:reader']);
    if (reader.mode !== 'mtls') throw new Error('expected mTLS credentials');
    dir = await mkdtemp(join(tmpdir(), 'osctl-kernel-'));
    tc = join(dir, 'talosconfig');
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const ctx = {
      endpoints: [`127.0.0.1:${server.port}`],
      nodes: [],
      ca: b64(reader.ca),
      crt: b64(reader.crt),
      key: b64(reader.key),
    };
    await writeFile(tc, stringify({ context: 'r', contexts: { r: ctx } }));
  });

  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the node's findings as a table and a summary (a reader may ask)", async () => {
    const r = await osctl(['--talosconfig', tc, 'kernel', 'audit']);
    expect(r).to.deep.include({ code: 0, err: [] });
    expect(r.out).to.deep.equal([
      'KIND     OPTION                     WANTED       FOUND    VERDICT',
      'config   CONFIG_STRICT_KERNEL_RWX   y            y        ok',
      'config   CONFIG_DEVMEM              is not set   y        differs',
      'sysctl   kernel.yama.ptrace_scope   2            absent   missing',
      '',
      'kernel 6.1.0-test, config /proc/config.gz: 3 checked: 1 ok, 1 differ, 1 missing, 0 not applicable',
    ]);
  });

  it('adds reasons with -o wide or --reasons, and prints JSON with counts', async () => {
    const wide = await osctl(['--talosconfig', tc, 'kernel', 'audit', '--reasons']);
    expect(wide.out[0]).to.match(/^KIND +OPTION +WANTED +FOUND +VERDICT +REASON +SOURCE$/);
    expect(wide.out[1]).to.match(/ok +reason of CONFIG_STRICT_KERNEL_RWX +KSPP$/);
    expect((await osctl(['--talosconfig', tc, 'kernel', 'audit', '-o', 'wide'])).out).to.deep.equal(wide.out);
    const json = JSON.parse((await osctl(['--talosconfig', tc, 'kernel', 'audit', '-o', 'json'])).out.join('\n')) as {
      summary: Record<string, number>;
      findings: unknown[];
    }[];
    expect(json[0]?.summary).to.deep.equal({ ok: 1, differs: 1, missing: 1, 'n/a': 0 });
    expect(json[0]?.findings).to.have.length(3);
    expect((await osctl(['kernel', 'audit', '-o', 'csv'])).code).to.equal(2);
  });

  it('--config audits a local file without a node; a missing file is one clear line', async () => {
    const path = join(dir, 'config');
    await writeFile(path, '# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_X86_64=y\nCONFIG_STRICT_KERNEL_RWX=y\n');
    const r = await osctl(['--talosconfig', join(dir, 'none'), 'kernel', 'audit', '--config', path]);
    expect(r.code).to.equal(0);
    expect(r.out.at(-1)).to.match(new RegExp(`^kernel 6\\.1\\.0, config ${path}: \\d+ checked: \\d+ ok, `));
    expect(r.out.find((l) => l.includes('CONFIG_STRICT_KERNEL_RWX'))).to.match(/ y +y +ok$/);
    expect(r.out.find((l) => l.includes('CONFIG_DEVMEM'))).to.match(/is not set +absent +ok$/);
    const missing = await osctl(['kernel', 'audit', '--config', join(dir, 'nope')]);
    expect(missing).to.deep.include({
      code: 1,
      err: [`osctl: cannot read kernel config ${join(dir, 'nope')}: no such file`],
    });
  });

  it('adds a NODE column and one summary per node for several nodes', () => {
    const audits = [
      { node: 'a', source: '', release: '6.1', findings: FINDINGS.slice(0, 1) },
      { node: 'b', source: '/boot/config-6.1', release: '6.1', findings: FINDINGS.slice(1, 2) },
    ];
    expect(auditRows(audits, { several: true, reasons: false })[0]).to.match(/^NODE +KIND +OPTION/);
    expect(summaryLines(audits, true)).to.deep.equal([
      'a: kernel 6.1, no kernel config found: 1 checked: 1 ok, 0 differ, 0 missing, 0 not applicable',
      'b: kernel 6.1, config /boot/config-6.1: 1 checked: 0 ok, 1 differ, 0 missing, 0 not applicable',
    ]);
  });
});
