// The audit's rules: config values (y, m, is not set, absent, values, other names, arch, versions, dependencies), the
// command line (flags, quoting, booleans, config defaults), sysctls, and reading plain and gzipped configs.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  auditCmdline,
  auditConfig,
  auditConfigFile,
  auditSysctls,
  countVerdicts,
  parseCmdline,
  parseKernelConfig,
  readRunningKernelConfig,
  summaryText,
  type ConfigRecommendation,
} from './index.js';

const CONFIG = [
  '#',
  '# Automatically generated file; DO NOT EDIT.',
  '# Linux/x86 6.1.0 Kernel Configuration',
  '#',
  'CONFIG_X86_64=y',
  'CONFIG_A=y',
  'CONFIG_B=m',
  '# CONFIG_C is not set',
  'CONFIG_D=65536',
  'CONFIG_E="sha512"',
  'CONFIG_MITIGATION_PAGE_TABLE_ISOLATION=y',
].join('\n');

const rec = (option: string, value: string, extra: Partial<ConfigRecommendation> = {}): ConfigRecommendation => ({
  option,
  value,
  reason: 'why',
  source: 'test',
  ...extra,
});

describe('kernel-config audit', () => {
  it('parses options, values without quotes, the version and the architecture', () => {
    const c = parseKernelConfig(CONFIG);
    expect(c.version).to.equal('6.1.0');
    expect(c.arch).to.equal('x86_64');
    expect(Object.fromEntries(c.options)).to.include({ A: 'y', B: 'm', C: 'n', D: '65536', E: 'sha512' });
  });

  it('judges config options: ok, differs, missing, and not applicable by arch, version and dependency', () => {
    const c = parseKernelConfig(CONFIG);
    const found = auditConfig(c, [
      rec('A', 'y'),
      rec('B', 'y'),
      rec('C', 'n'),
      rec('ABSENT', 'n'),
      rec('A', 'n'),
      rec('ABSENT', 'y'),
      rec('D', '65536'),
      rec('D', '4096'),
      rec('PAGE_TABLE_ISOLATION', 'y', { aka: ['MITIGATION_PAGE_TABLE_ISOLATION'] }),
      rec('ARMONLY', 'y', { arch: 'arm64' }),
      rec('NEW', 'y', { since: '6.6' }),
      rec('OLD', 'y', { until: '5.16' }),
      rec('SIG', 'y', { when: 'MODULES' }),
    ]);
    expect(found.map((f) => `${f.option} ${f.wanted} ${f.found} ${f.verdict}`)).to.deep.equal([
      'CONFIG_A y y ok',
      'CONFIG_B y m differs',
      'CONFIG_C is not set is not set ok',
      'CONFIG_ABSENT is not set absent ok',
      'CONFIG_A is not set y differs',
      'CONFIG_ABSENT y absent missing',
      'CONFIG_D 65536 65536 ok',
      'CONFIG_D 4096 65536 differs',
      'CONFIG_PAGE_TABLE_ISOLATION y y ok',
      'CONFIG_ARMONLY y absent (arm64 only) n/a',
      'CONFIG_NEW y absent (since 6.6) n/a',
      'CONFIG_OLD y absent (gone in 5.16) n/a',
      'CONFIG_SIG y absent (needs CONFIG_MODULES) n/a',
    ]);
    expect(countVerdicts(found)).to.deep.equal({ ok: 5, differs: 3, missing: 1, 'n/a': 4 });
    expect(summaryText(found)).to.equal('13 checked: 5 ok, 3 differ, 1 missing, 4 not applicable');
  });

  it('parses a command line: quotes, flags, dashes as underscores, and nothing after --', () => {
    const args = parseCmdline('console=ttyS0 quiet foo-bar=1 msg="a b" slab_nomerge -- init_arg=1\n');
    expect(Object.fromEntries(args)).to.deep.equal({
      console: 'ttyS0',
      quiet: '',
      foo_bar: '1',
      msg: 'a b',
      slab_nomerge: '',
    });
  });

  it('judges kernel arguments: booleans as the kernel reads them, config defaults for absent ones', () => {
    const c = parseKernelConfig('CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y\n');
    const recs = [
      { name: 'init_on_alloc', value: '1', bool: true, orConfig: { option: 'INIT_ON_ALLOC_DEFAULT_ON', value: 'y' } },
      { name: 'init_on_free', value: '1', bool: true, orConfig: { option: 'INIT_ON_FREE_DEFAULT_ON', value: 'y' } },
      { name: 'page_alloc.shuffle', value: '1', bool: true },
      { name: 'slab_nomerge' },
      { name: 'pti', value: 'on' },
      { name: 'mitigations', value: 'auto,nosmt' },
    ].map((r) => ({ ...r, reason: 'why', source: 'test' }));
    const found = auditCmdline('page_alloc.shuffle=Y pti=auto mitigations=auto,nosmt', c, recs);
    expect(found.map((f) => `${f.option} ${f.wanted} | ${f.found} | ${f.verdict}`)).to.deep.equal([
      'init_on_alloc 1 | absent (CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y by default) | ok',
      'init_on_free 1 | absent | missing',
      'page_alloc.shuffle 1 | Y | ok',
      'slab_nomerge present | absent | missing',
      'pti on | auto | differs',
      'mitigations auto,nosmt | auto,nosmt | ok',
    ]);
  });

  it('judges sysctls with whitespace collapsed; an absent one is missing', () => {
    const recs = [
      { name: 'net.ipv4.ip_local_port_range', value: '32768 60999', reason: 'r', source: 's', enforced: true },
      { name: 'kernel.kptr_restrict', value: '2', reason: 'r', source: 's', enforced: true },
      { name: 'kernel.yama.ptrace_scope', value: '2', reason: 'r', source: 's', enforced: true },
    ];
    const values = new Map([
      ['net.ipv4.ip_local_port_range', '32768\t60999\n'],
      ['kernel.kptr_restrict', '0'],
    ]);
    expect(auditSysctls(values, recs).map((f) => `${f.option} ${f.found} ${f.verdict}`)).to.deep.equal([
      'net.ipv4.ip_local_port_range 32768 60999 ok',
      'kernel.kptr_restrict 0 differs',
      'kernel.yama.ptrace_scope absent missing',
    ]);
  });

  describe('files', () => {
    let dir = '';
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'kconfig-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reads plain and gzipped configs alike, and finds the running one in /proc first, then /boot', async () => {
      await writeFile(join(dir, 'config'), CONFIG);
      await writeFile(join(dir, 'config.gz'), gzipSync(CONFIG));
      const plain = await auditConfigFile(join(dir, 'config'));
      const gz = await auditConfigFile(join(dir, 'config.gz'));
      expect(gz.findings).to.deep.equal(plain.findings);
      expect(plain.release).to.equal('6.1.0');

      await writeFile(join(dir, 'config-6.1.0-test'), CONFIG);
      const o = { procConfig: join(dir, 'nonexistent.gz'), bootDir: dir, release: '6.1.0-test' };
      expect((await readRunningKernelConfig(o))?.source).to.equal(join(dir, 'config-6.1.0-test'));
      expect((await readRunningKernelConfig({ ...o, procConfig: join(dir, 'config.gz') }))?.source).to.equal(
        join(dir, 'config.gz'),
      );
      expect(await readRunningKernelConfig({ ...o, release: 'other' })).to.equal(undefined);
    });
  });
});
