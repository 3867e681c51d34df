// Audit reports: of the running kernel (its config, /proc/cmdline and /proc/sys), or of a kernel config file alone.
import { readFile } from 'node:fs/promises';
import { release as osRelease } from 'node:os';
import { PROC_SYS, sysctlPath } from '../resources/index.js';
import { auditCmdline, auditConfig, auditSysctls, type AuditFinding } from './audit.js';
import { readKernelConfigFile, readRunningKernelConfig, type RunningConfigOptions } from './kconfig.js';
import { HARDENING_SYSCTLS } from './sysctls.js';

/** An audit: where the config came from, which kernel, and the findings (config, then cmdline, then sysctls). */
export interface AuditReport {
  /** The config file audited; empty when the running kernel's config was found nowhere. */
  readonly source: string;
  /** The kernel release (uname -r) for the running kernel, the config header's version for a file. */
  readonly release: string;
  readonly findings: readonly AuditFinding[];
}

/** Where the running kernel is read from (tests point these elsewhere). */
export interface RunningAuditOptions extends RunningConfigOptions {
  /** Default /proc/cmdline. */
  readonly cmdlinePath?: string;
  /** Default /proc/sys: the sysctls of the calling process's namespaces. */
  readonly procSys?: string;
}

async function readOrUndefined(path: string, signal: AbortSignal | undefined): Promise<string | undefined> {
  try {
    return await readFile(path, { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) });
  } catch (e) {
    if (signal?.aborted === true) throw e;
    return undefined; // absent (ENOENT), or not readable (write-only entries): the audit says absent
  }
}

/**
 * Audits the running kernel: its config (/proc/config.gz, else /boot/config-$(uname -r)), its command line (config
 * defaults count for absent arguments) and the recommended sysctls as this process sees them.
 */
export async function auditRunningKernel(o: RunningAuditOptions = {}): Promise<AuditReport> {
  const found = await readRunningKernelConfig(o);
  const cmdline = (await readOrUndefined(o.cmdlinePath ?? '/proc/cmdline', o.signal)) ?? '';
  const values = new Map<string, string | undefined>();
  for (const s of HARDENING_SYSCTLS) {
    values.set(s.name, await readOrUndefined(sysctlPath(s.name, o.procSys ?? PROC_SYS), o.signal));
  }
  const findings = [
    ...(found === undefined ? [] : auditConfig(found.config)),
    ...auditCmdline(cmdline, found?.config),
    ...auditSysctls(values),
  ];
  return { source: found?.source ?? '', release: o.release ?? osRelease(), findings };
}

/** Audits a kernel config file (plain or gzipped) against the KSPP fragment alone: no running kernel is involved. */
export async function auditConfigFile(path: string, o: { signal?: AbortSignal } = {}): Promise<AuditReport> {
  const config = await readKernelConfigFile(path, o);
  return { source: path, release: config.version ?? '', findings: auditConfig(config) };
}
