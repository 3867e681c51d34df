// Config problems as people read them: ConfigIssue, ConfigValidationError, and the conversion of zod issues into `path: message`.
import type { z } from 'zod';
import { choicesOf, expectedText, isSensitivePath, metaOf, schemaAt, type Schema } from './introspect.js';

/** One problem in a config: where (`machine.network.interfaces[0].mtu`) and what, naming the value and the fix. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** The path of issues about the document as a whole (not a field), e.g. "not a mapping". */
export const DOCUMENT_PATH = '(document)';

/** A config refused: every problem found, at once; the message has one `path: message` line per issue. */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
  readonly code = 'InvalidConfig' as const;
  constructor(
    readonly issues: readonly ConfigIssue[],
    options?: ErrorOptions,
  ) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('\n'), options);
  }
}

/** True when `e` is a refused config. */
export function isInvalidConfig(e: unknown): e is ConfigValidationError {
  return e instanceof ConfigValidationError;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `machine.network.interfaces[0].addresses[1]`; keys that are not plain names are quoted: `machine.sysctls["net.ipv4.ip_forward"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && IDENT.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out === '' ? DOCUMENT_PATH : out;
}

/** The value as it reads in a message: JSON, shortened; for secrets only its kind. */
export function describeValue(v: unknown, sensitive = false): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return sensitive ? 'a list' : shorten(v);
  if (typeof v === 'object') return v instanceof Uint8Array ? 'binary data' : sensitive ? 'a mapping' : shorten(v);
  if (sensitive) return typeof v === 'string' ? `a string of ${v.length} characters` : `a ${typeof v}`;
  return shorten(v);
}

function shorten(v: unknown): string {
  let s: string;
  try {
    const json = JSON.stringify(v) as string | undefined; // undefined for functions and symbols
    s = json ?? String(v);
  } catch {
    s = Object.prototype.toString.call(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Edit distance with transpositions (optimal string alignment), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const w = y.length + 1;
  const d = new Int32Array((x.length + 1) * w);
  const at = (i: number, j: number): number => d[i * w + j] ?? 0;
  for (let i = 0; i <= x.length; i++) d[i * w] = i;
  for (let j = 0; j <= y.length; j++) d[j] = j;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * w + j] = v;
    }
  }
  return at(x.length, y.length);
}

/** The known name closest to `name`, if it is close enough to be a likely typo. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = distance(name, k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  return bestD <= limit ? best : undefined;
}

function exampleSuffix(s: Schema | undefined): string {
  const ex = s === undefined ? undefined : metaOf(s).example;
  return typeof ex === 'string' || typeof ex === 'number' ? ` such as ${String(ex)}` : '';
}

/** One zod issue in our words: the value, what would be right, and how to fix a common slip. */
function messageOf(root: Schema, i: z.core.$ZodIssue, input: unknown): string {
  const at = schemaAt(root, i.path);
  const expected = at === undefined ? undefined : expectedText(at);
  const sensitive = isSensitivePath(root, i.path);
  if (at?._zod.def.error !== undefined) return i.message; // the schema words its own errors (e.g. version)
  switch (i.code) {
    case 'invalid_type': {
      const want = expected ?? i.expected;
      if (input === undefined) return `missing; expected ${want}${exampleSuffix(at)}`;
      if (input === null) return `is empty; expected ${want} (give a value or remove the key)`;
      const hint =
        i.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')
          ? ` (quote it: "${String(input)}")`
          : '';
      return `${describeValue(input, sensitive)} is not ${want}${hint}`;
    }
    case 'invalid_value': {
      if (input === undefined) return `missing; expected ${expected ?? 'a value'}`;
      const choices = at === undefined ? i.values.map(String) : choicesOf(at);
      const near = typeof input === 'string' ? closest(input, choices) : undefined;
      const list = choices.map((c) => JSON.stringify(c)).join(', ');
      return `${describeValue(input, sensitive)} is not one of ${list}${near === undefined ? '' : `; did you mean "${near}"?`}`;
    }
    case 'too_small':
      if (i.origin === 'array')
        return i.minimum === 1 ? 'is empty; list at least one item' : `must list at least ${String(i.minimum)} items`;
      if (i.origin === 'string') return `must not be empty`;
      return `${describeValue(input, sensitive)} is below the minimum ${String(i.minimum)}`;
    case 'too_big':
      if (i.origin === 'array') return `lists more than ${String(i.maximum)} items`;
      if (i.origin === 'string') return `is longer than ${String(i.maximum)} characters`;
      return `${describeValue(input, sensitive)} is above the maximum ${String(i.maximum)}`;
    case 'invalid_union':
      return `${describeValue(input, sensitive)} is not ${expected ?? 'an accepted value'}`;
    case 'custom':
      return i.message;
    default:
      return `${i.message} (got ${describeValue(input, sensitive)})`;
  }
}

/** Converts zod issues (parsed with `reportInput: true`) against `root` into config issues. */
export function fromZodIssues(root: Schema, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.map((i) => ({ path: formatPath(i.path), message: messageOf(root, i, i.input) }));
}

/** Drops repeated issues (same path and message), keeping the first. */
export function uniqueIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
