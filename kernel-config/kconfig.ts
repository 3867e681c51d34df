// Reading kernel configs: a .config as text (plain or gzipped, as /proc/config.gz), and finding the running kernel's.
import { readFile } from 'node:fs/promises';
import { release as osRelease } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** A parsed kernel config. */
export interface KernelConfig {
  /** Option (without CONFIG_) to 'y', 'm', 'n' (is not set) or its value, quotes removed. */
  readonly options: ReadonlyMap<string, string>;
  /** The kernel version from the header comment (`# Linux/x86 6.1.0 Kernel Configuration`), if any. */
  readonly version: string | undefined;
  /** x86_64, arm64, x86, arm, or the header's architecture; undefined when neither says. */
  readonly arch: string | undefined;
}

const SET = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^# CONFIG_([A-Za-z0-9_]+) is not set$/;
const HEADER = /^# Linux\/(\S+) (\d+\.\d+(?:\.\d+)?)\S* Kernel Configuration$/;

/** Parses the text of a .config; lines that are neither options nor the header are ignored. */
export function parseKernelConfig(text: string): KernelConfig {
  const options = new Map<string, string>();
  let version: string | undefined;
  let headerArch: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const set = SET.exec(line);
    if (set !== null) {
      const value = set[2] ?? '';
      options.set(set[1] ?? '', value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value);
      continue;
    }
    const unset = NOT_SET.exec(line);
    if (unset !== null) {
      options.set(unset[1] ?? '', 'n');
      continue;
    }
    const header = HEADER.exec(line);
    if (header !== null) {
      headerArch = header[1];
      version = header[2];
    }
  }
  return { options, version, arch: archOf(options, headerArch) };
}

function archOf(options: ReadonlyMap<string, string>, header: string | undefined): string | undefined {
  if (options.get('X86_64') === 'y') return 'x86_64';
  if (options.get('ARM64') === 'y') return 'arm64';
  if (options.get('X86_32') === 'y') return 'x86';
  if (options.get('ARM') === 'y') return 'arm';
  return header;
}

/** Reads a kernel config file, gunzipping it when it is gzip data (/proc/config.gz, a saved config.gz). */
export async function readKernelConfigFile(path: string, o: { signal?: AbortSignal } = {}): Promise<KernelConfig> {
  const data = await readFile(path, o.signal === undefined ? {} : { signal: o.signal });
  const gzipped = data.length > 2 && data[0] === 0x1f && data[1] === 0x8b;
  const text = gzipped ? (await gunzipAsync(data)).toString('utf8') : data.toString('utf8');
  return parseKernelConfig(text);
}

/** Where the running kernel's config is looked for, first found wins. */
export interface RunningConfigOptions {
  readonly signal?: AbortSignal;
  /** Default /proc/config.gz (needs CONFIG_IKCONFIG_PROC). */
  readonly procConfig?: string;
  /** Default /boot, where distributions install config-$(uname -r). */
  readonly bootDir?: string;
  /** Default the running kernel's release (uname -r). */
  readonly release?: string;
}

/** The running kernel's config and where it came from; undefined when neither place has it. */
export async function readRunningKernelConfig(
  o: RunningConfigOptions = {},
): Promise<{ config: KernelConfig; source: string } | undefined> {
  const candidates = [
    o.procConfig ?? '/proc/config.gz',
    join(o.bootDir ?? '/boot', `config-${o.release ?? osRelease()}`),
  ];
  for (const path of candidates) {
    try {
      return {
        config: await readKernelConfigFile(path, o.signal === undefined ? {} : { signal: o.signal }),
        source: path,
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return undefined;
}

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
