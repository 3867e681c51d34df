// Comparing two machine configs: the changed field paths, which of them need a reboot, and a readable redacted diff.
import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { deepEqual } from '../../resources/index.js';

/**
 * Config subtrees a running node applies live (their controllers reconcile changes at once). A change anywhere
 * else (machine.type, install, disks, cluster PKI, ...) takes effect only after a reboot.
 */
export const LIVE_PATHS: readonly string[] = [
  'debug',
  'machine.network',
  'machine.sysctls',
  'machine.time',
  'machine.certSANs',
  'machine.kernel.modules',
  'machine.registries',
  'machine.env',
  'machine.files',
  'machine.services',
  'cluster.apiServer.certSANs',
];

const SENSITIVE_KEYS = new Set(['key', 'token', 'secret', 'secretboxEncryptionSecret', 'aescbcEncryptionSecret']);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The dotted paths (`machine.network.interfaces[0]` style) whose values differ; lists compare element by element. */
export function changedPaths(a: unknown, b: unknown, path = ''): string[] {
  if (deepEqual(a, b)) return [];
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], path === '' ? k : `${path}.${k}`));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((x, i) => changedPaths(x, b[i], `${path}[${i}]`));
  }
  return [path];
}

/** The changed paths that no live subtree covers: what needs a reboot. */
export function rebootRequired(changed: readonly string[]): string[] {
  const live = (p: string): boolean =>
    LIVE_PATHS.some((l) => p === l || p.startsWith(`${l}.`) || p.startsWith(`${l}[`));
  return changed.filter((p) => !live(p));
}

/** A copy with secrets replaced by a short fingerprint, so a diff shows that a secret changed without showing it. */
export function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] =
      SENSITIVE_KEYS.has(k) && typeof x === 'string' && x !== ''
        ? `(redacted sha256:${createHash('sha256').update(x).digest('hex').slice(0, 12)})`
        : redact(x);
  }
  return out;
}

/** A unified diff of the two configs as YAML, secrets redacted; empty when they are equal. */
export function configDiff(before: unknown, after: unknown): string {
  if (deepEqual(before, after)) return '';
  const text = (v: unknown): string => (v === undefined ? '' : stringify(redact(v), { lineWidth: 0 }));
  return createTwoFilesPatch('current', 'new', text(before), text(after), undefined, undefined, { context: 3 });
}
