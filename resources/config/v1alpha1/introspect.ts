// Reading the config schema as data: children by key, metadata (description, format, example), type names for messages and docs.
import { z } from 'zod';

/** Metadata a config field carries besides its zod type (set with `.meta()`, read with {@link metaOf}). */
export interface FieldMeta {
  readonly description?: string;
  /** A short noun for the value's form, e.g. "CIDR" or "IP address". */
  readonly format?: string;
  /** An example value, shown in the reference and in messages about a missing value. */
  readonly example?: unknown;
  /** The value the node uses when the field is absent (documentation only: the document is kept as written). */
  readonly default?: unknown;
  /** True for secrets: messages never show the value. */
  readonly sensitive?: boolean;
}

/** Any schema of the config tree. */
export type Schema = z.ZodType;

/** The schema under `optional()` wrappers. */
export function unwrap(s: Schema): Schema {
  let cur = s;
  while (cur instanceof z.ZodOptional) cur = cur.unwrap() as Schema;
  return cur;
}

/** True when the field may be left out. */
export function isOptional(s: Schema): boolean {
  return s instanceof z.ZodOptional;
}

/** Metadata of a field: the wrapper's over the wrapped schema's. */
export function metaOf(s: Schema): FieldMeta {
  const layers: Schema[] = [];
  let cur: Schema = s;
  for (;;) {
    layers.unshift(cur);
    if (!(cur instanceof z.ZodOptional)) break;
    cur = cur.unwrap() as Schema;
  }
  return Object.assign({}, ...layers.map((l) => z.globalRegistry.get(l) ?? {})) as FieldMeta;
}

/** The fields of an object schema, or undefined for other kinds. */
export function fieldsOf(s: Schema): Readonly<Record<string, Schema>> | undefined {
  const u = unwrap(s);
  return u instanceof z.ZodObject ? u.shape : undefined;
}

/** The schema one step down: a field of an object, the element of a list, the value of a map. */
export function childOf(s: Schema, key: PropertyKey): Schema | undefined {
  const u = unwrap(s);
  if (u instanceof z.ZodObject && typeof key === 'string') {
    const shape = u.shape as Record<string, Schema>;
    return Object.hasOwn(shape, key) ? shape[key] : undefined;
  }
  if (u instanceof z.ZodArray && typeof key === 'number') return u.element as Schema;
  if (u instanceof z.ZodRecord && typeof key === 'string') return u.valueType as Schema;
  return undefined;
}

/** The schema at `path` below `root`, or undefined when the path leaves the schema. */
export function schemaAt(root: Schema, path: readonly PropertyKey[]): Schema | undefined {
  let cur: Schema | undefined = root;
  for (const k of path) {
    if (cur === undefined) return undefined;
    cur = childOf(cur, k);
  }
  return cur;
}

/** True when any schema on `path` below `root` is marked sensitive. */
export function isSensitivePath(root: Schema, path: readonly PropertyKey[]): boolean {
  let cur: Schema | undefined = root;
  for (const k of path) {
    if (cur === undefined) return false;
    cur = childOf(cur, k);
    if (cur !== undefined && metaOf(cur).sensitive === true) return true;
  }
  return false;
}

/** True for integer schemas (z.number().int() and friends). */
function isInt(n: z.ZodNumber): boolean {
  return (n.format ?? '').includes('int');
}

function numberRange(n: z.ZodNumber): string {
  const lo = n.minValue;
  const hi = n.maxValue;
  const big = (x: number | null): boolean =>
    x === null || !Number.isFinite(x) || Math.abs(x) >= Number.MAX_SAFE_INTEGER;
  if (!big(lo) && !big(hi)) return ` ${String(lo)}–${String(hi)}`;
  if (!big(lo)) return ` ≥ ${String(lo)}`;
  return '';
}

/** A compact type name for the reference, e.g. `CIDR`, `[]IP address`, `map[string]string`, `integer 1–4094`. */
export function typeName(s: Schema): string {
  const u = unwrap(s);
  const m = metaOf(u);
  if (u instanceof z.ZodString) return m.format ?? 'string';
  if (u instanceof z.ZodNumber) return m.format ?? `${isInt(u) ? 'integer' : 'number'}${numberRange(u)}`;
  if (u instanceof z.ZodBoolean) return 'boolean';
  if (u instanceof z.ZodEnum) return u.options.map((o) => JSON.stringify(o)).join(' | ');
  if (u instanceof z.ZodLiteral) return [...u.values].map((v) => JSON.stringify(v)).join(' | ');
  if (u instanceof z.ZodArray) return `[]${nestedName(u.element as Schema)}`;
  if (u instanceof z.ZodRecord) return `map[string]${nestedName(u.valueType as Schema)}`;
  if (u instanceof z.ZodUnion) return (u.options as Schema[]).map(typeName).join(' | ');
  if (u instanceof z.ZodObject) return 'object';
  return m.format ?? 'value';
}

/** typeName in parentheses when it is a choice, so that `[]` and `map[string]` bind to all of it. */
function nestedName(s: Schema): string {
  const n = typeName(s);
  return n.includes(' | ') ? `(${n})` : n;
}

const article = (noun: string): string => (/^([aeiou]|IP|http|MTU|NTP)/i.test(noun) ? `an ${noun}` : `a ${noun}`);
const plural = (noun: string): string => (noun.endsWith('s') ? `${noun}es` : `${noun}s`);

function noun(u: Schema): string {
  if (u instanceof z.ZodString) return metaOf(u).format ?? 'string';
  if (u instanceof z.ZodNumber) return isInt(u) ? 'integer' : 'number';
  if (u instanceof z.ZodBoolean) return 'boolean';
  if (u instanceof z.ZodObject || u instanceof z.ZodRecord) return 'mapping';
  if (u instanceof z.ZodArray) return 'list';
  return 'value';
}

/** What a value at this schema should be, as a phrase: "an integer 68–65535", "a list of CIDRs", "true or false". */
export function expectedText(s: Schema): string {
  const u = unwrap(s);
  const format = metaOf(u).format;
  if (u instanceof z.ZodNumber)
    return format === undefined ? `${article(isInt(u) ? 'integer' : 'number')}${numberRange(u)}` : article(format);
  if (u instanceof z.ZodBoolean) return 'true or false';
  if (u instanceof z.ZodEnum) return `one of ${u.options.map((o) => JSON.stringify(o)).join(', ')}`;
  if (u instanceof z.ZodLiteral) return [...u.values].map((v) => JSON.stringify(v)).join(' or ');
  if (u instanceof z.ZodArray) return `a list of ${plural(noun(unwrap(u.element as Schema)))}`;
  if (u instanceof z.ZodRecord) return `a mapping of names to ${plural(noun(unwrap(u.valueType as Schema)))}`;
  if (u instanceof z.ZodUnion) return (u.options as Schema[]).map(expectedText).join(' or ');
  if (u instanceof z.ZodObject) {
    const keys = Object.keys(u.shape);
    const some = keys.slice(0, 3).join(', ');
    return `a mapping (with fields such as ${some}${keys.length > 3 ? ', ...' : ''})`;
  }
  return article(noun(u));
}

/** Enum or literal choices of a schema, for "did you mean" on a misspelt value. */
export function choicesOf(s: Schema): readonly string[] {
  const u = unwrap(s);
  if (u instanceof z.ZodEnum) return u.options.map(String);
  if (u instanceof z.ZodLiteral) return [...u.values].map(String);
  return [];
}
