// The default hardening sysctls: what the node enforces (and `osctl kernel audit` checks), each with its reason and source.

/** Where a recommendation comes from. */
export const SOURCES = {
  kspp: 'KSPP wiki, Recommended Settings',
  ksppConfig: 'KSPP wiki, Recommended Settings; kernel/configs/hardening.config',
  cis: 'CIS Debian Linux Benchmark, network parameters',
  talos: 'Talos defaults (KSPP with a documented deviation)',
} as const;

/** One recommended sysctl value. */
export interface SysctlRecommendation {
  /** The canonical dotted name, e.g. kernel.kptr_restrict. */
  readonly name: string;
  /** The wanted value as sysctl(8) prints it. */
  readonly value: string;
  /** Why, in one line. */
  readonly reason: string;
  /** Where the recommendation comes from (see {@link SOURCES}). */
  readonly source: string;
  /**
   * True: the node writes it (the `default` layer of KernelParamSpec). False: audited only, because enforcing it would
   * take away something the node may still need (one-way switches such as kexec_load_disabled).
   */
  readonly enforced: boolean;
}

const k = (name: string, value: string, reason: string, source: string = SOURCES.kspp): SysctlRecommendation => ({
  name,
  value,
  reason,
  source,
  enforced: true,
});

const cis = (name: string, value: string, reason: string): SysctlRecommendation => k(name, value, reason, SOURCES.cis);

/** Both `all` and `default` of a per-interface IPv4 or IPv6 setting (`default` is what new interfaces start with). */
const cisConf = (family: 'ipv4' | 'ipv6', key: string, value: string, reason: string): SysctlRecommendation[] => [
  cis(`net.${family}.conf.all.${key}`, value, reason),
  cis(`net.${family}.conf.default.${key}`, value, `${reason} (interfaces created later)`),
];

/** The recommended sysctls, kernel self-protection first, then network hardening. */
export const HARDENING_SYSCTLS: readonly SysctlRecommendation[] = [
  k('kernel.kptr_restrict', '2', 'hide kernel addresses in /proc from every user, root included'),
  k('kernel.dmesg_restrict', '1', 'only CAP_SYSLOG reads the kernel log, which leaks addresses and state'),
  k('kernel.perf_event_paranoid', '3', 'no perf events for unprivileged users (mainline treats 3 as 2)'),
  k('kernel.randomize_va_space', '2', 'full userspace ASLR: stack, mmap, VDSO and brk heap'),
  k(
    'kernel.yama.ptrace_scope',
    '2',
    'only CAP_SYS_PTRACE may ptrace; KSPP says 3, which breaks pods with user namespaces',
    SOURCES.talos,
  ),
  k('kernel.unprivileged_bpf_disabled', '1', 'no BPF programs from unprivileged users, a common exploit path'),
  k('net.core.bpf_jit_harden', '2', 'blind constants in JIT-compiled BPF for every user, against JIT spraying'),
  k('vm.unprivileged_userfaultfd', '0', 'no userfaultfd for unprivileged users: exploits use it to stall the kernel'),
  k('fs.protected_symlinks', '1', "no following of others' symlinks in sticky world-writable directories (/tmp races)"),
  k('fs.protected_hardlinks', '1', 'hard links only to files the user owns or may read and write'),
  k('fs.protected_fifos', '2', "no opening of others' FIFOs in sticky world- or group-writable directories"),
  k('fs.protected_regular', '2', "no O_CREAT opening of others' files in sticky world- or group-writable directories"),
  k('fs.suid_dumpable', '0', 'no core dumps of setuid programs, which may hold secrets'),
  k('dev.tty.ldisc_autoload', '0', 'only CAP_SYS_MODULE makes the kernel load TTY line disciplines (old, buggy code)'),
  k('dev.tty.legacy_tiocsti', '0', 'TIOCSTI cannot push input into another terminal (kernel 6.2 and later)'),
  k('user.max_user_namespaces', '0', 'no new user namespaces: they expose much kernel code to unprivileged users'),
  {
    name: 'kernel.kexec_load_disabled',
    value: '1',
    reason: 'no kexec of another kernel; audited, not enforced: it is one-way until reboot',
    source: SOURCES.kspp,
    enforced: false,
  },
  cis('net.ipv4.tcp_syncookies', '1', 'SYN cookies keep a node reachable during a SYN flood'),
  cis('net.ipv4.icmp_echo_ignore_broadcasts', '1', 'no replies to broadcast pings (smurf amplification)'),
  cis('net.ipv4.icmp_ignore_bogus_error_responses', '1', 'no log flooding by bogus ICMP error responses'),
  ...cisConf('ipv4', 'accept_redirects', '0', 'ignore ICMP redirects: a neighbour could reroute traffic'),
  ...cisConf('ipv6', 'accept_redirects', '0', 'ignore ICMPv6 redirects: a neighbour could reroute traffic'),
  ...cisConf('ipv4', 'secure_redirects', '0', 'ignore redirects even from the listed gateways'),
  ...cisConf('ipv4', 'send_redirects', '0', 'a node is no router for its neighbours: send no redirects'),
  ...cisConf('ipv4', 'accept_source_route', '0', 'drop source-routed packets, whose sender picks the path'),
  ...cisConf('ipv6', 'accept_source_route', '0', 'drop source-routed IPv6 packets, whose sender picks the path'),
  ...cisConf('ipv4', 'log_martians', '1', 'log packets with impossible source addresses (spoofing)'),
  ...cisConf(
    'ipv4',
    'rp_filter',
    '1',
    'strict reverse-path filtering drops spoofed sources; set 2 (loose) in machine.sysctls for asymmetric CNIs',
  ),
];

/** The sysctls the node writes by default (the `default` layer). */
export const DEFAULT_SYSCTLS: readonly SysctlRecommendation[] = HARDENING_SYSCTLS.filter((s) => s.enforced);
