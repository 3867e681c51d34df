// Config acquisition at start: the persisted config, then --config FILE, then the kernel command line's talos.config=.
import { readFile } from 'node:fs/promises';
import { parseMachineConfigYaml, type ConfigIssue, type ValidationMode } from '../../resources/index.js';

/** Where a node's config came from (`none`: maintenance mode). */
export type ConfigSource = 'persisted' | 'file' | 'cmdline' | 'none';

/** A config found at start, already validated. */
export interface Acquired {
  readonly source: ConfigSource;
  /** File path or URL the config came from. */
  readonly location?: string;
  readonly config?: unknown;
  readonly warnings: readonly ConfigIssue[];
}

/** A config location that cannot be read; the message names it. */
export class ConfigSourceError extends Error {
  override readonly name = 'ConfigSourceError';
}

/** Largest config machined reads from a file or URL. */
const MAX_BYTES = 1024 * 1024;

/** The value of `talos.config=` on a kernel command line, if any (the last one wins, as in the kernel). */
export function cmdlineConfigLocation(cmdline: string): string | undefined {
  let found: string | undefined;
  for (const word of cmdline.trim().split(/\s+/)) {
    if (word.startsWith('talos.config=')) found = word.slice('talos.config='.length);
  }
  return found === '' ? undefined : found;
}

/** Reads a config from a file path or an http(s) URL, bounded in size and time. */
export async function readConfigText(location: string, signal?: AbortSignal): Promise<string> {
  if (/^https?:\/\//.test(location)) {
    const timeout = AbortSignal.timeout(30_000);
    const res = await fetch(location, {
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    }).catch((e: unknown) => {
      throw new ConfigSourceError(`cannot fetch machine config from ${location}: ${(e as Error).message}`, {
        cause: e,
      });
    });
    if (!res.ok) throw new ConfigSourceError(`cannot fetch machine config from ${location}: HTTP ${res.status}`);
    const body = await res.text();
    if (body.length > MAX_BYTES) throw new ConfigSourceError(`machine config from ${location} is larger than 1 MiB`);
    return body;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new ConfigSourceError(`talos.config=${location}: only file paths and http(s) URLs are supported`);
  }
  try {
    return await readFile(location, { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) });
  } catch (e) {
    throw new ConfigSourceError(`cannot read machine config ${location}: ${(e as Error).message}`, { cause: e });
  }
}

/** Options of {@link acquireConfig}. */
export interface AcquireOptions {
  readonly persisted: unknown;
  readonly configPath?: string;
  /** The kernel command line text (from /proc/cmdline or a file). */
  readonly cmdline?: string;
  readonly mode: ValidationMode;
  readonly signal?: AbortSignal;
}

/** The first config found, in order: persisted, --config, talos.config=; `none` means maintenance mode. */
export async function acquireConfig(o: AcquireOptions): Promise<Acquired> {
  if (o.persisted !== undefined) return { source: 'persisted', config: o.persisted, warnings: [] };
  const fromCmdline = o.cmdline === undefined ? undefined : cmdlineConfigLocation(o.cmdline);
  const location = o.configPath ?? fromCmdline;
  if (location === undefined) return { source: 'none', warnings: [] };
  const text = await readConfigText(location, o.signal);
  const { config, warnings } = parseMachineConfigYaml(text, { mode: o.mode, strict: false, source: location });
  return { source: o.configPath === undefined ? 'cmdline' : 'file', location, config, warnings };
}
