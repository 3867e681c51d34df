// Merging a cluster's kubeconfig into an existing one, as talosctl does: taken names get -1, -2... unless forced.
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { deepEqual } from '../../resources/index.js';
import { CommandFailure } from './report.js';

type Entry = Record<string, unknown> & { name: string };

/** A kubeconfig as far as merging needs it; other top-level fields are kept as they are. */
export interface Kubeconfig extends Record<string, unknown> {
  clusters: Entry[];
  users: Entry[];
  contexts: (Entry & { context?: { cluster?: string; user?: string } })[];
  'current-context'?: string;
}

/** The kubeconfig in what a node sent: YAML, or a gzipped tar holding it (as Talos sends it). */
export function kubeconfigFromBytes(data: Buffer, source: string): Kubeconfig {
  let text = data;
  if (data[0] === 0x1f && data[1] === 0x8b) {
    const tar = gunzipSync(data);
    const size = parseInt(tar.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8);
    text = tar.subarray(512, 512 + size);
  }
  return asKubeconfig(parse(text.toString('utf8')) as unknown, source);
}

/** Checks the shape of a parsed kubeconfig; names the source when it is not one. */
export function asKubeconfig(doc: unknown, source: string): Kubeconfig {
  const d = (doc ?? {}) as Record<string, unknown>;
  if (typeof d !== 'object' || Array.isArray(d)) throw new CommandFailure([`osctl: ${source} is not a kubeconfig`]);
  const list = (k: string): Entry[] => {
    const v = d[k] ?? [];
    if (!Array.isArray(v) || v.some((e) => typeof (e as { name?: unknown }).name !== 'string')) {
      throw new CommandFailure([`osctl: ${source} is not a kubeconfig: ${k} must be a list of named entries`]);
    }
    return v as Entry[];
  };
  return {
    apiVersion: 'v1',
    kind: 'Config',
    ...d,
    clusters: list('clusters'),
    users: list('users'),
    contexts: list('contexts'),
  };
}

/** A free name for `name` among `taken`: itself, else name-1, name-2, ... */
function freeName(name: string, taken: (n: string) => boolean): string {
  let out = name;
  for (let i = 1; taken(out); i++) out = `${name}-${i}`;
  return out;
}

/**
 * `incoming` merged into `existing`: identical entries are kept once; an entry whose name is taken by a different
 * one replaces it with `force`, else joins under a free name (contexts follow renamed clusters and users). The
 * current context becomes the incoming one. Notes say what was renamed or replaced.
 */
export function mergeKubeconfig(
  existing: Kubeconfig,
  incoming: Kubeconfig,
  force: boolean,
): { config: Kubeconfig; notes: string[] } {
  const notes: string[] = [];
  const out: Kubeconfig = {
    ...existing,
    clusters: [...existing.clusters],
    users: [...existing.users],
    contexts: [...existing.contexts],
  };
  const put = (kind: 'clusters' | 'users' | 'contexts', e: Entry): string => {
    const list = out[kind] as Entry[];
    const at = list.findIndex((x) => x.name === e.name);
    if (at < 0 || deepEqual(list[at], e)) {
      if (at < 0) list.push(e);
      return e.name;
    }
    if (force) {
      list[at] = e;
      notes.push(`replaced ${kind.slice(0, -1)} "${e.name}"`);
      return e.name;
    }
    const name = freeName(e.name, (n) => list.some((x) => x.name === n));
    list.push({ ...e, name });
    notes.push(`${kind.slice(0, -1)} "${e.name}" exists already; added as "${name}"`);
    return name;
  };
  const clusters = new Map(incoming.clusters.map((c) => [c.name, put('clusters', c)]));
  const users = new Map(incoming.users.map((u) => [u.name, put('users', u)]));
  const contexts = new Map<string, string>();
  for (const c of incoming.contexts) {
    const ref = c.context ?? {};
    const context = {
      ...ref,
      ...(ref.cluster === undefined ? {} : { cluster: clusters.get(ref.cluster) ?? ref.cluster }),
      ...(ref.user === undefined ? {} : { user: users.get(ref.user) ?? ref.user }),
    };
    contexts.set(c.name, put('contexts', { ...c, context }));
  }
  const current = incoming['current-context'];
  if (current !== undefined) out['current-context'] = contexts.get(current) ?? current;
  return { config: out, notes };
}
