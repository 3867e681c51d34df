// The recommended kernel command-line arguments (KSPP), each with its reason and the config default that makes it moot.
import { SOURCES } from './sysctls.js';

/** A kernel config option and value that gives the same effect as the argument when the argument is absent. */
export interface ConfigDefault {
  /** The option without CONFIG_, e.g. INIT_ON_ALLOC_DEFAULT_ON. */
  readonly option: string;
  /** 'y', 'n' (is not set) or a value. */
  readonly value: string;
}

/** One recommended kernel argument. */
export interface CmdlineRecommendation {
  /** The argument name, e.g. init_on_alloc. */
  readonly name: string;
  /** The wanted value; undefined for a bare flag such as slab_nomerge. */
  readonly value?: string;
  /** The kernel parses the value as a boolean (kstrtobool: 1/y/on and 0/n/off are the same). */
  readonly bool?: boolean;
  /** When the argument is absent, this config default gives the same effect (the audit then says ok). */
  readonly orConfig?: ConfigDefault;
  readonly reason: string;
  readonly source: string;
}

const y = (option: string): ConfigDefault => ({ option, value: 'y' });
const unset = (option: string): ConfigDefault => ({ option, value: 'n' });

/** The recommended kernel command line. */
export const RECOMMENDED_CMDLINE: readonly CmdlineRecommendation[] = [
  {
    name: 'slab_nomerge',
    orConfig: unset('SLAB_MERGE_DEFAULT'),
    reason: 'keep slab caches apart, so a heap overflow cannot reach objects of other caches',
    source: SOURCES.kspp,
  },
  {
    name: 'init_on_alloc',
    value: '1',
    bool: true,
    orConfig: y('INIT_ON_ALLOC_DEFAULT_ON'),
    reason: 'zero heap memory on allocation: no leaks of stale data',
    source: SOURCES.kspp,
  },
  {
    name: 'init_on_free',
    value: '1',
    bool: true,
    orConfig: y('INIT_ON_FREE_DEFAULT_ON'),
    reason: 'zero heap memory when freed: shorter life of stale data',
    source: SOURCES.kspp,
  },
  {
    name: 'page_alloc.shuffle',
    value: '1',
    bool: true,
    reason: 'randomize the page allocator free lists',
    source: SOURCES.kspp,
  },
  {
    name: 'randomize_kstack_offset',
    value: '1',
    bool: true,
    orConfig: y('RANDOMIZE_KSTACK_OFFSET_DEFAULT'),
    reason: 'a random kernel stack offset on each system call',
    source: SOURCES.kspp,
  },
  {
    name: 'hardened_usercopy',
    value: '1',
    bool: true,
    orConfig: y('HARDENED_USERCOPY'),
    reason: 'bounds checks on copies between kernel and user memory',
    source: SOURCES.kspp,
  },
  { name: 'pti', value: 'on', reason: 'page-table isolation always on (Meltdown)', source: SOURCES.kspp },
  {
    name: 'vsyscall',
    value: 'none',
    orConfig: y('LEGACY_VSYSCALL_NONE'),
    reason: 'no fixed-address vsyscall page, an exploit target modern libc does not need',
    source: SOURCES.kspp,
  },
  {
    name: 'debugfs',
    value: 'off',
    orConfig: unset('DEBUG_FS'),
    reason: 'no debugfs, a large and little-hardened attack surface',
    source: SOURCES.kspp,
  },
  {
    name: 'iommu.strict',
    value: '1',
    bool: true,
    orConfig: y('IOMMU_DEFAULT_DMA_STRICT'),
    reason: 'invalidate IOMMU TLBs at once: devices never reach freed memory',
    source: SOURCES.kspp,
  },
  {
    name: 'iommu.passthrough',
    value: '0',
    bool: true,
    orConfig: unset('IOMMU_DEFAULT_PASSTHROUGH'),
    reason: 'DMA goes through the IOMMU, not around it',
    source: SOURCES.kspp,
  },
  {
    name: 'mitigations',
    value: 'auto,nosmt',
    reason: 'CPU side-channel mitigations on, SMT off where it leaks (costly)',
    source: SOURCES.kspp,
  },
  {
    name: 'kfence.sample_interval',
    value: '100',
    orConfig: { option: 'KFENCE_SAMPLE_INTERVAL', value: '100' },
    reason: 'sample heap allocations for out-of-bounds and use-after-free detection',
    source: SOURCES.kspp,
  },
];
