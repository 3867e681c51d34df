// The KSPP recommended kernel config as a fragment: each option with its wanted value, a one-line reason and its source.
import { SOURCES } from './sysctls.js';

/** One option of the fragment. */
export interface ConfigRecommendation {
  /** The option without CONFIG_, e.g. STRICT_KERNEL_RWX. */
  readonly option: string;
  /** 'y', 'm', 'n' (is not set: an option the config lacks counts as not set) or a value such as 65536. */
  readonly value: string;
  readonly reason: string;
  readonly source: string;
  /** Other names of the same option (renamed in some version); any of them satisfies it. */
  readonly aka?: readonly string[];
  /** Only for this architecture (as the config says: x86_64 or arm64). */
  readonly arch?: 'x86_64' | 'arm64';
  /** First kernel version with the option, e.g. '6.6'. */
  readonly since?: string;
  /** First kernel version without it. */
  readonly until?: string;
  /** Applies only when this other option is set (y or m), e.g. module signing needs MODULES. */
  readonly when?: string;
}

type Extra = Partial<Pick<ConfigRecommendation, 'aka' | 'arch' | 'since' | 'until' | 'when' | 'source'>>;

const opt = (option: string, value: string, reason: string, extra: Extra): ConfigRecommendation => ({
  option,
  value,
  reason,
  source: SOURCES.ksppConfig,
  ...extra,
});
const y = (option: string, reason: string, extra: Extra = {}): ConfigRecommendation => opt(option, 'y', reason, extra);
const n = (option: string, reason: string, extra: Extra = {}): ConfigRecommendation => opt(option, 'n', reason, extra);
const x86 = { arch: 'x86_64' } as const;
const modules = { when: 'MODULES' } as const;

/** The fragment, in the order of the KSPP wiki: self-protection, attack-surface reduction, then x86_64 specifics. */
export const KSPP_FRAGMENT: readonly ConfigRecommendation[] = [
  y('BUG', 'report BUG() conditions and kill the offending process'),
  y('STRICT_KERNEL_RWX', 'kernel text read-only, data not executable'),
  y('STRICT_MODULE_RWX', 'the same W^X for module memory', modules),
  y('DEBUG_WX', 'warn at boot about writable and executable kernel mappings'),
  y('VMAP_STACK', 'guard pages around kernel stacks'),
  y('RANDOMIZE_BASE', 'kernel image ASLR (KASLR)'),
  y('STACKPROTECTOR', 'stack canaries'),
  y('STACKPROTECTOR_STRONG', 'stack canaries in every function with local arrays or address-taken locals'),
  n('DEVMEM', 'no /dev/mem: no direct physical memory access'),
  y('STRICT_DEVMEM', 'if /dev/mem must exist, no access to RAM through it', { when: 'DEVMEM' }),
  y('IO_STRICT_DEVMEM', 'if /dev/mem must exist, no access to device memory a driver claimed', { when: 'DEVMEM' }),
  y('SYN_COOKIES', 'keep accepting connections during a SYN flood'),
  y('DEBUG_CREDENTIALS', 'validate credential structures', { until: '6.7' }),
  y('DEBUG_NOTIFIERS', 'validate notifier chains'),
  y('DEBUG_LIST', 'validate linked-list operations'),
  y('DEBUG_SG', 'validate scatter-gather tables'),
  y('DEBUG_VIRTUAL', 'validate virtual-to-physical address translations'),
  y('BUG_ON_DATA_CORRUPTION', 'stop on detected data corruption instead of going on'),
  y('SCHED_STACK_END_CHECK', 'detect kernel stack overruns at schedule time'),
  y('LIST_HARDENED', 'cheap linked-list integrity checks', { since: '6.6' }),
  y('SECCOMP', 'seccomp for userspace syscall filtering'),
  y('SECCOMP_FILTER', 'seccomp with BPF filters (used by container runtimes)'),
  y('SECURITY', 'the LSM framework'),
  y('SECURITY_YAMA', 'Yama ptrace restrictions (kernel.yama.ptrace_scope)'),
  y('SECURITY_LOCKDOWN_LSM', 'kernel lockdown, which can keep even root from changing the running kernel'),
  y('SECURITY_DMESG_RESTRICT', 'kernel.dmesg_restrict=1 from boot'),
  y('HARDENED_USERCOPY', 'bounds checks on copies between kernel and user memory'),
  n('HARDENED_USERCOPY_FALLBACK', 'enforce the usercopy whitelist, do not just warn', { until: '5.16' }),
  y('SLAB_FREELIST_RANDOM', 'randomize slab free lists'),
  y('SLAB_FREELIST_HARDENED', 'harden slab free-list metadata'),
  n('SLAB_MERGE_DEFAULT', 'keep slab caches apart (slab_nomerge)'),
  y('RANDOM_KMALLOC_CACHES', 'several randomly chosen kmalloc caches per size', { since: '6.6' }),
  y('SHUFFLE_PAGE_ALLOCATOR', 'randomize the page allocator free lists (with page_alloc.shuffle=1)'),
  y('INIT_ON_ALLOC_DEFAULT_ON', 'zero heap memory on allocation'),
  y('INIT_ON_FREE_DEFAULT_ON', 'zero heap memory when freed'),
  y('INIT_STACK_ALL_ZERO', 'zero stack variables on function entry', { since: '5.9' }),
  y('ZERO_CALL_USED_REGS', 'clear caller-used registers on return: fewer ROP gadgets', { since: '5.15' }),
  y('RANDOMIZE_KSTACK_OFFSET_DEFAULT', 'a random kernel stack offset on each system call', { since: '5.13' }),
  y('FORTIFY_SOURCE', 'compile- and run-time bounds checks in str*() and mem*()'),
  y('UBSAN', 'the undefined-behaviour sanitizer, for the bounds checks below'),
  y('UBSAN_BOUNDS', 'array index bounds checking', { since: '5.7', when: 'UBSAN' }),
  y('UBSAN_TRAP', 'trap on a bounds violation instead of only reporting it', { since: '5.7', when: 'UBSAN' }),
  y('KFENCE', 'sampling detector of heap out-of-bounds and use-after-free', { since: '5.12' }),
  y('STATIC_USERMODEHELPER', 'the kernel runs one fixed helper program, not any path it is given'),
  y('RANDSTRUCT_FULL', 'randomize the layout of sensitive kernel structures', { since: '5.19' }),
  y('PANIC_ON_OOPS', 'panic (and reboot) on an oops rather than run on in an unknown state'),
  opt('PANIC_TIMEOUT', '-1', 'reboot at once after a panic', {}),
  n('MODULES', 'no loadable modules: root cannot change the running kernel (radical; most distributions need them)'),
  y('MODULE_SIG', 'modules must be signed', modules),
  y('MODULE_SIG_FORCE', 'refuse unsigned modules instead of tainting', modules),
  y('MODULE_SIG_ALL', 'sign every module at build time', modules),
  y('MODULE_SIG_SHA512', 'sign modules with SHA-512', modules),
  y('IOMMU_SUPPORT', 'IOMMU support against DMA attacks'),
  y('IOMMU_DEFAULT_DMA_STRICT', 'strict IOMMU TLB invalidation by default', { since: '5.13' }),
  y('RESET_ATTACK_MITIGATION', 'ask the firmware to wipe RAM on reboot (EFI)', { when: 'EFI' }),
  y('EFI_DISABLE_PCI_DMA', 'no DMA between the EFI hand-off and IOMMU setup', { when: 'EFI' }),
  n('LDISC_AUTOLOAD', 'no autoloading of TTY line disciplines', { since: '5.1' }),
  n('COMPAT_BRK', 'keep brk (heap) ASLR on'),
  n('PROC_KCORE', 'no /proc/kcore: it exposes the kernel image layout'),
  n('COMPAT_VDSO', 'keep VDSO ASLR on'),
  n('KEXEC', 'no kexec: the running kernel cannot be replaced'),
  n('HIBERNATION', 'no hibernation: the kernel image could be replaced on resume'),
  n('ACPI_CUSTOM_METHOD', 'no custom ACPI methods: they allow writing physical memory'),
  n('BINFMT_MISC', 'no binfmt_misc: easily confused by a misconfigured userspace'),
  n('LEGACY_PTYS', 'only the modern PTY interface (devpts)'),
  n('DRM_LEGACY', 'only modesetting video drivers', { until: '6.8' }),
  n('SECURITY_SELINUX_DISABLE', 'SELinux cannot be turned off at run time, so its hooks stay read-only'),
  opt('DEFAULT_MMAP_MIN_ADDR', '65536', 'no mappings in the first 64 KiB: NULL dereferences cannot be exploited', {}),
  y('X86_64', 'full 64-bit: PAE and the NX bit', x86),
  y('RANDOMIZE_MEMORY', 'randomize the kernel memory sections', x86),
  y('LEGACY_VSYSCALL_NONE', 'no fixed-address vsyscall page', x86),
  y('PAGE_TABLE_ISOLATION', 'kernel page-table isolation (Meltdown)', {
    ...x86,
    aka: ['MITIGATION_PAGE_TABLE_ISOLATION'],
  }),
  n('IA32_EMULATION', 'no 32-bit syscall entry: less attack surface', x86),
  n('X86_X32_ABI', 'no x32 ABI: less attack surface', x86),
  n('MODIFY_LDT_SYSCALL', 'no modify_ldt(2): less attack surface', x86),
  y('INTEL_IOMMU', 'Intel IOMMU against DMA attacks', x86),
  y('INTEL_IOMMU_DEFAULT_ON', 'Intel IOMMU on by default', { ...x86, when: 'INTEL_IOMMU' }),
  y('AMD_IOMMU', 'AMD IOMMU against DMA attacks', x86),
  y('X86_USER_SHADOW_STACK', 'CET shadow stacks for userspace', { ...x86, since: '6.6' }),
];
