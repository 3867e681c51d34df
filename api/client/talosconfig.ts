// The client config (talosconfig): contexts of endpoints, nodes and mTLS credentials; reading, choosing, merging.
import { readFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { z } from 'zod';

const ContextSchema = z.object({
  endpoints: z.array(z.string()).default([]).describe('Addresses of the node API, host or host:port.'),
  nodes: z.array(z.string()).default([]).describe('Nodes commands act on when -n is not given.'),
  ca: z.string().optional().describe('The OS CA certificate, base64 PEM.'),
  crt: z.string().optional().describe('The client certificate, base64 PEM.'),
  key: z.string().optional().describe('The client key, base64 PEM.'),
});

const TalosconfigSchema = z.object({
  context: z.string().default(''),
  contexts: z.record(z.string(), ContextSchema).default({}),
});

/** One context of a talosconfig. */
export type TalosconfigContext = z.infer<typeof ContextSchema>;

/** A whole talosconfig: the current context's name and every context by name. */
export type Talosconfig = z.infer<typeof TalosconfigSchema>;

/** A talosconfig that is missing, unreadable or malformed, or a context that it lacks; the message says what to do. */
export class TalosconfigError extends Error {
  override readonly name = 'TalosconfigError';
  readonly code = 'Talosconfig' as const;
}

/** Parses talosconfig text; `source` names the file in errors (every bad field at once). */
export function parseTalosconfig(text: string, source: string): Talosconfig {
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (e: unknown) {
    throw new TalosconfigError(`${source} is not valid YAML: ${(e as Error).message.split('\n')[0] ?? ''}`);
  }
  const r = TalosconfigSchema.safeParse(doc);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new TalosconfigError(`${source} is not a valid client config: ${issues.join('; ')}`);
  }
  return r.data;
}

/** Reads and parses the talosconfig at `path`; a missing file says how to get one. */
export async function loadTalosconfig(path: string, signal?: AbortSignal): Promise<Talosconfig> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) });
  } catch (e: unknown) {
    if ((e as { code?: unknown }).code === 'ENOENT') {
      throw new TalosconfigError(
        `no client config at ${path}: write one with \`osctl gen config\` and pass it with --talosconfig (or set TALOSCONFIG)`,
      );
    }
    if ((e as Error).name === 'AbortError') throw e;
    throw new TalosconfigError(`cannot read the client config ${path}: ${(e as Error).message}`);
  }
  return parseTalosconfig(text, path);
}

/** Reads the talosconfig at `path`, or an empty one when there is no file yet (for commands that create it). */
export async function loadTalosconfigOrEmpty(path: string, signal?: AbortSignal): Promise<Talosconfig> {
  try {
    return await loadTalosconfig(path, signal);
  } catch (e: unknown) {
    if (e instanceof TalosconfigError && e.message.startsWith('no client config')) return { context: '', contexts: {} };
    throw e;
  }
}

/** The talosconfig as YAML text, in the layout gen config writes. */
export function talosconfigToYaml(cfg: Talosconfig): string {
  return stringify(cfg, { lineWidth: 0 });
}

/** The context named `name`, else the current one; errors name the file's contexts. */
export function selectContext(
  cfg: Talosconfig,
  source: string,
  name?: string,
): { name: string; context: TalosconfigContext } {
  const want = name ?? cfg.context;
  const known = Object.keys(cfg.contexts).sort();
  const context = cfg.contexts[want];
  if (context !== undefined) return { name: want, context };
  const has = known.length === 0 ? 'it has none' : `it has ${known.join(', ')}`;
  if (name === undefined && want === '') {
    throw new TalosconfigError(
      `${source} names no current context (${has}): choose one with \`osctl config context NAME\``,
    );
  }
  throw new TalosconfigError(`context "${want}" is not in ${source} (${has})`);
}

/** `from` merged into `into`: contexts whose name is taken get `-1`, `-2`...; the current context becomes `from`'s. */
export function mergeTalosconfig(
  into: Talosconfig,
  from: Talosconfig,
): { config: Talosconfig; renamed: [from: string, to: string][] } {
  const contexts = { ...into.contexts };
  const renamed: [string, string][] = [];
  let current = into.context;
  for (const [name, ctx] of Object.entries(from.contexts)) {
    let target = name;
    for (let i = 1; contexts[target] !== undefined; i++) target = `${name}-${i}`;
    if (target !== name) renamed.push([name, target]);
    contexts[target] = ctx;
    if (name === from.context) current = target;
  }
  return { config: { context: current, contexts }, renamed };
}
