// Kernel hardening data (the KSPP config fragment, kernel arguments, sysctls) and the audit that compares a kernel with it.
export {
  VERDICTS,
  auditCmdline,
  auditConfig,
  auditSysctls,
  countVerdicts,
  normalizeSysctlValue,
  parseCmdline,
  showConfigValue,
  summaryText,
  type AuditFinding,
  type FindingKind,
  type Verdict,
} from './audit.js';
export { RECOMMENDED_CMDLINE, type CmdlineRecommendation, type ConfigDefault } from './cmdline.js';
export {
  compareVersions,
  parseKernelConfig,
  readKernelConfigFile,
  readRunningKernelConfig,
  type KernelConfig,
  type RunningConfigOptions,
} from './kconfig.js';
export { KSPP_FRAGMENT, type ConfigRecommendation } from './kspp-fragment.js';
export { auditConfigFile, auditRunningKernel, type AuditReport, type RunningAuditOptions } from './running.js';
export { DEFAULT_SYSCTLS, HARDENING_SYSCTLS, SOURCES, type SysctlRecommendation } from './sysctls.js';
