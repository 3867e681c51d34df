// An in-memory Sysctls for controller tests: values, sysctls the kernel lacks, values it refuses, and changes by hand.
import { canonicalSysctlName } from '../../resources/index.js';
import { SysctlError, type Sysctls } from './sysctl.js';
import { wakeups } from './wakeups.js';

/**
 * A fake /proc/sys. Names are canonicalized; a name never set reads as absent (ENOENT on write, as the kernel), unless
 * it was given at construction. `refuse` makes writes of a name fail with EINVAL (the kernel's range check).
 */
export class MemorySysctls implements Sysctls {
  /** Writes made through `write` (what tests count to prove nothing spins). */
  writes = 0;
  /** What `ownNetworkNamespace` answers. */
  ownNetns = true;
  private readonly values = new Map<string, string>();
  private readonly refused = new Map<string, string>();
  private readonly listeners = new Set<() => void>();

  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const [k, v] of Object.entries(initial)) this.values.set(canonicalSysctlName(k), v);
  }

  /** The current value, or undefined when absent. */
  get(name: string): string | undefined {
    return this.values.get(canonicalSysctlName(name));
  }

  /** Changes a value as someone else would (`sysctl -w` by hand): not counted in `writes`. */
  setByHand(name: string, value: string): void {
    this.values.set(canonicalSysctlName(name), value);
    this.changed();
  }

  /** Makes writes of `name` fail with EINVAL and `message`. */
  refuse(name: string, message = 'invalid argument (EINVAL)'): void {
    this.refused.set(canonicalSysctlName(name), message);
  }

  /** Number of open watches. */
  get watchers(): number {
    return this.listeners.size;
  }

  read(name: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(canonicalSysctlName(name)));
  }

  write(name: string, value: string): Promise<void> {
    const key = canonicalSysctlName(name);
    this.writes++;
    if (!this.values.has(key)) {
      return Promise.reject(
        new SysctlError(key, 'ENOENT', `write ${value} to ${key}: no such file or directory (ENOENT)`),
      );
    }
    const refusal = this.refused.get(key);
    if (refusal !== undefined) {
      return Promise.reject(new SysctlError(key, 'EINVAL', `write ${value} to ${key}: ${refusal}`));
    }
    this.values.set(key, value);
    this.changed();
    return Promise.resolve();
  }

  ownNetworkNamespace(): Promise<boolean> {
    return Promise.resolve(this.ownNetns);
  }

  watch(_names: () => Iterable<string>, signal: AbortSignal): AsyncIterable<void> {
    return wakeups(this.listeners, signal);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
