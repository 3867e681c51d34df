// A local cluster's context in the user's talosconfig: merged in (current) by create, removed again by destroy.
import { lstat, rm } from 'node:fs/promises';
import { writePrivateFiles } from '../../config-gen/index.js';
import {
  loadTalosconfigOrEmpty,
  mergeTalosconfig,
  talosconfigToYaml,
  type Talosconfig,
  type TalosconfigContext,
} from '../../client/index.js';
import type { ClusterRecord } from './record.js';

/** Where a context was merged: recorded so that destroy removes exactly it. */
export type MergedContext = NonNullable<ClusterRecord['talosconfig']>;

async function save(path: string, cfg: Talosconfig, signal: AbortSignal): Promise<void> {
  await writePrivateFiles([{ path, content: talosconfigToYaml(cfg) }], { force: true, signal });
}

/**
 * Merges context `name` into the talosconfig at `path` (created when missing) and makes it current; a taken name
 * becomes `name-1`, `name-2`... as `config merge` does.
 */
export async function mergeContext(
  path: string,
  name: string,
  context: TalosconfigContext,
  signal: AbortSignal,
): Promise<MergedContext> {
  const created = (await lstat(path).catch(() => undefined)) === undefined;
  const into = await loadTalosconfigOrEmpty(path, signal);
  const { config, renamed } = mergeTalosconfig(into, { context: name, contexts: { [name]: context } });
  await save(path, config, signal);
  return { path, context: renamed[0]?.[1] ?? name, previousContext: into.context, crt: context.crt ?? '', created };
}

/**
 * Removes the merged context while it is still the one create wrote (same client certificate), restoring the
 * previous current context when it was current. Returns what was done, as a sentence, or undefined when nothing was.
 */
export async function removeContext(m: MergedContext, signal: AbortSignal): Promise<string | undefined> {
  const cfg = await loadTalosconfigOrEmpty(m.path, signal);
  const ctx = cfg.contexts[m.context];
  if (ctx === undefined) return undefined;
  if ((ctx.crt ?? '') !== m.crt) return `left context "${m.context}" in ${m.path}: it was replaced since create`;
  const contexts = Object.fromEntries(Object.entries(cfg.contexts).filter(([name]) => name !== m.context));
  let current = cfg.context;
  if (current === m.context) current = contexts[m.previousContext] === undefined ? '' : m.previousContext;
  if (m.created && Object.keys(contexts).length === 0) {
    await rm(m.path, { force: true });
    return `removed ${m.path} (create made it; it holds no other context)`;
  }
  await save(m.path, { context: current, contexts }, signal);
  const now = current === '' ? '' : `; current context: ${current}`;
  return `removed context "${m.context}" from ${m.path}${now}`;
}
