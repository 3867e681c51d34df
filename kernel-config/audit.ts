// The audit: a kernel config, a command line and running sysctls compared with the recommendations, one finding each.
import { RECOMMENDED_CMDLINE, type CmdlineRecommendation } from './cmdline.js';
import { compareVersions, type KernelConfig } from './kconfig.js';
import { KSPP_FRAGMENT, type ConfigRecommendation } from './kspp-fragment.js';
import { HARDENING_SYSCTLS, type SysctlRecommendation } from './sysctls.js';

/** ok: as recommended. differs: set otherwise. missing: the kernel lacks it. n/a: does not apply to this kernel. */
export type Verdict = 'ok' | 'differs' | 'missing' | 'n/a';

/** The verdicts in the order summaries count them. */
export const VERDICTS: readonly Verdict[] = ['ok', 'differs', 'missing', 'n/a'];

/** What a finding is about. */
export type FindingKind = 'config' | 'cmdline' | 'sysctl';

/** One audited option: what is wanted, what was found, and the verdict. */
export interface AuditFinding {
  readonly kind: FindingKind;
  /** CONFIG_X, a kernel argument name, or a sysctl name. */
  readonly option: string;
  readonly wanted: string;
  readonly found: string;
  readonly verdict: Verdict;
  readonly reason: string;
  readonly source: string;
}

/** How a config value reads in a table. */
export function showConfigValue(v: string | undefined): string {
  if (v === undefined) return 'absent';
  return v === 'n' ? 'is not set' : v;
}

function notApplicable(r: ConfigRecommendation, config: KernelConfig): string | undefined {
  if (r.arch !== undefined && config.arch !== undefined && r.arch !== config.arch) return `${r.arch} only`;
  const v = config.version;
  if (v !== undefined && r.since !== undefined && compareVersions(v, r.since) < 0) return `since ${r.since}`;
  if (v !== undefined && r.until !== undefined && compareVersions(v, r.until) >= 0) return `gone in ${r.until}`;
  if (r.when !== undefined) {
    const dep = config.options.get(r.when);
    if (dep !== 'y' && dep !== 'm') return `needs CONFIG_${r.when}`;
  }
  return undefined;
}

/** Audits a kernel config against a fragment (default: the KSPP recommendations). */
export function auditConfig(
  config: KernelConfig,
  fragment: readonly ConfigRecommendation[] = KSPP_FRAGMENT,
): AuditFinding[] {
  return fragment.map((r) => {
    const names = [r.option, ...(r.aka ?? [])];
    const values = names.map((n) => config.options.get(n));
    const present = values.find((v) => v !== undefined);
    const base = { kind: 'config' as const, option: `CONFIG_${r.option}`, reason: r.reason, source: r.source };
    const wanted = showConfigValue(r.value);
    const na = notApplicable(r, config);
    if (na !== undefined) return { ...base, wanted, found: `${showConfigValue(present)} (${na})`, verdict: 'n/a' };
    let verdict: Verdict;
    if (r.value === 'n') verdict = values.every((v) => v === undefined || v === 'n') ? 'ok' : 'differs';
    else if (present === undefined) verdict = 'missing';
    else verdict = values.includes(r.value) ? 'ok' : 'differs';
    return { ...base, wanted, found: showConfigValue(present), verdict };
  });
}

/** Kernel arguments by name (dashes read as underscores, as the kernel does); a bare flag maps to ''. */
export function parseCmdline(cmdline: string): Map<string, string> {
  const args = new Map<string, string>();
  for (const m of cmdline.matchAll(/(?:[^\s"]+|"[^"]*")+/g)) {
    const word = m[0];
    if (word === '--') break; // the rest is for init
    const eq = word.indexOf('=');
    const name = (eq < 0 ? word : word.slice(0, eq)).replaceAll('-', '_');
    args.set(name, eq < 0 ? '' : word.slice(eq + 1).replaceAll('"', ''));
  }
  return args;
}

/** kstrtobool's reading of a value: '1', '0', or the value as it is. */
function asBool(v: string): string {
  if (/^(1|y|yes|t|true|on)$/i.test(v)) return '1';
  if (/^(0|n|no|f|false|off)$/i.test(v)) return '0';
  return v;
}

/** Audits a kernel command line; `config` lets config defaults satisfy absent arguments. */
export function auditCmdline(
  cmdline: string,
  config?: KernelConfig,
  recs: readonly CmdlineRecommendation[] = RECOMMENDED_CMDLINE,
): AuditFinding[] {
  const args = parseCmdline(cmdline);
  return recs.map((r) => {
    const base = { kind: 'cmdline' as const, option: r.name, reason: r.reason, source: r.source };
    const wanted = r.value ?? 'present';
    const got = args.get(r.name.replaceAll('-', '_'));
    if (got === undefined) {
      const d = r.orConfig;
      const byConfig = d === undefined ? undefined : config?.options.get(d.option);
      const satisfied = d !== undefined && (byConfig === d.value || (d.value === 'n' && byConfig === undefined));
      if (d !== undefined && config !== undefined && satisfied) {
        return { ...base, wanted, found: `absent (CONFIG_${d.option}=${d.value} by default)`, verdict: 'ok' };
      }
      return { ...base, wanted, found: 'absent', verdict: 'missing' };
    }
    const found = r.value === undefined ? (got === '' ? 'present' : got) : got;
    const same = r.value === undefined || (r.bool === true ? asBool(got) === asBool(r.value) : got === r.value);
    return { ...base, wanted, found, verdict: same ? 'ok' : 'differs' };
  });
}

/** Whitespace collapsed, as values of multi-field sysctls (ip_local_port_range) are compared. */
export function normalizeSysctlValue(v: string): string {
  return v.trim().split(/\s+/).join(' ');
}

/** Audits running sysctl values (undefined: the kernel has no such sysctl). */
export function auditSysctls(
  values: ReadonlyMap<string, string | undefined>,
  recs: readonly SysctlRecommendation[] = HARDENING_SYSCTLS,
): AuditFinding[] {
  return recs.map((r) => {
    const base = { kind: 'sysctl' as const, option: r.name, wanted: r.value, reason: r.reason, source: r.source };
    const got = values.get(r.name);
    if (got === undefined) return { ...base, found: 'absent', verdict: 'missing' };
    const found = normalizeSysctlValue(got);
    return { ...base, found, verdict: found === normalizeSysctlValue(r.value) ? 'ok' : 'differs' };
  });
}

/** The number of findings per verdict. */
export function countVerdicts(findings: readonly AuditFinding[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { ok: 0, differs: 0, missing: 0, 'n/a': 0 };
  for (const f of findings) counts[f.verdict]++;
  return counts;
}

/** `98 checked: 60 ok, 30 differ, 5 missing, 3 not applicable`. */
export function summaryText(findings: readonly AuditFinding[]): string {
  const c = countVerdicts(findings);
  return `${findings.length} checked: ${c.ok} ok, ${c.differs} differ, ${c.missing} missing, ${c['n/a']} not applicable`;
}
