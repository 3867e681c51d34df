// The store's spec check: a quick path for schemas that are plain zod objects of strings, numbers, booleans and enums,
// derived from the schema itself; it accepts only what zod accepts, gives the same output, and leaves the rest to zod.
import { parseSpec, type ResourceType } from '../resource-type.js';

/**
 * Why: a controller pass writes thousands of specs, and zod's parse of a small object costs several microseconds
 * before the process is warm (an object of n fields makes 2n objects on the way). The quick path checks the fields
 * in place and builds the output in one go. It is strictly more cautious than zod: whenever it is not sure (a check it
 * does not know, a value near a bound), it hands the spec to zod, which also makes every error message.
 */
type FieldCheck = (v: unknown) => boolean;

interface Field {
  readonly key: string;
  readonly check: FieldCheck;
}

/** The zod internals read here; everything is checked at run time, nothing assumed. */
interface Internals {
  readonly def?: Record<string, unknown>;
  readonly values?: unknown;
}

function internals(schema: unknown): Internals | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const z = (schema as { _zod?: unknown })._zod;
  return typeof z === 'object' && z !== null ? z : undefined;
}

/** The definitions of a schema's checks, or undefined when one is not a plain check object. */
function checkDefs(def: Record<string, unknown>): Record<string, unknown>[] | undefined {
  const checks = def['checks'];
  if (checks === undefined) return [];
  if (!Array.isArray(checks)) return undefined;
  const out: Record<string, unknown>[] = [];
  for (const ch of checks) {
    const d = internals(ch)?.def;
    if (d === undefined) return undefined;
    out.push(d);
  }
  return out;
}

function stringCheck(checks: readonly Record<string, unknown>[]): FieldCheck | undefined {
  let min = 0;
  let max = Infinity;
  for (const c of checks) {
    // zod counts code points, and a code point is one or two UTF-16 units: units >= 2 * min code points is surely
    // enough, units <= max surely not too many. In between the quick path is unsure and says no.
    if (c['check'] === 'min_length' && typeof c['minimum'] === 'number') min = Math.max(min, c['minimum']);
    else if (c['check'] === 'max_length' && typeof c['maximum'] === 'number') max = Math.min(max, c['maximum']);
    else return undefined;
  }
  if (min === 0 && max === Infinity) return (v) => typeof v === 'string';
  const surelyLong = min <= 1 ? min : 2 * min;
  return (v) => typeof v === 'string' && v.length >= surelyLong && v.length <= max;
}

function numberCheck(checks: readonly Record<string, unknown>[], integerFormat: boolean): FieldCheck | undefined {
  let integer = integerFormat;
  let low = -Infinity;
  let lowInclusive = true;
  let high = Infinity;
  let highInclusive = true;
  for (const c of checks) {
    const value = c['value'];
    const inclusive = c['inclusive'] === true;
    if (c['check'] === 'number_format' && c['format'] === 'safeint') integer = true;
    else if (c['check'] === 'greater_than' && typeof value === 'number') {
      // Of two bounds the tighter holds; at the same value an exclusive one wins.
      if (value > low) [low, lowInclusive] = [value, inclusive];
      else if (value === low) lowInclusive &&= inclusive;
    } else if (c['check'] === 'less_than' && typeof value === 'number') {
      if (value < high) [high, highInclusive] = [value, inclusive];
      else if (value === high) highInclusive &&= inclusive;
    } else return undefined;
  }
  return (v) =>
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!integer || Number.isSafeInteger(v)) &&
    (lowInclusive ? v >= low : v > low) &&
    (highInclusive ? v <= high : v < high);
}

/** The quick check of one field's schema, or undefined when the field is outside the subset. */
function fieldCheck(schema: unknown): FieldCheck | undefined {
  const z = internals(schema);
  const def = z?.def;
  if (z === undefined || def === undefined || def['coerce'] === true) return undefined;
  const checks = checkDefs(def);
  if (checks === undefined) return undefined;
  // A format (z.email(), z.int()) makes the schema a check of its own, outside def.checks: only z.int()'s is known.
  const format = def['format'];
  const integerFormat = def['type'] === 'number' && format === 'safeint';
  if (format !== undefined && !integerFormat) return undefined;
  switch (def['type']) {
    case 'string':
      return stringCheck(checks);
    case 'number':
      return numberCheck(checks, integerFormat);
    case 'boolean':
      return checks.length === 0 ? (v) => typeof v === 'boolean' : undefined;
    case 'enum': {
      const values = z.values;
      if (checks.length > 0 || !(values instanceof Set)) return undefined;
      for (const v of values) if (typeof v !== 'string') return undefined;
      const set = values as ReadonlySet<unknown>;
      return (v) => typeof v === 'string' && set.has(v);
    }
    default:
      return undefined;
  }
}

/** The fields of an object schema (no catchall, string keys, every field in the subset); null otherwise. */
function compile(schema: unknown): readonly Field[] | null {
  const def = internals(schema)?.def;
  if (def?.['type'] !== 'object' || def['catchall'] !== undefined) return null;
  const checks = checkDefs(def);
  if (checks === undefined || checks.length > 0) return null;
  const shape = def['shape'];
  if (typeof shape !== 'object' || shape === null || Object.getOwnPropertySymbols(shape).length > 0) return null;
  const fields: Field[] = [];
  for (const key of Object.keys(shape)) {
    const desc = Object.getOwnPropertyDescriptor(shape, key);
    if (key === '__proto__' || desc === undefined || desc.get !== undefined) return null;
    const check = fieldCheck(desc.value);
    if (check === undefined) return null;
    fields.push({ key, check });
  }
  return fields;
}

const compiled = new WeakMap<object, readonly Field[] | null>();

function fieldsOf(schema: object): readonly Field[] | null {
  let fields = compiled.get(schema);
  if (fields === undefined) {
    fields = compile(schema);
    compiled.set(schema, fields);
  }
  return fields;
}

/** What zod would output for `input` (a new object with the schema's keys in its order), or undefined when unsure. */
export function quickParse(schema: object, input: unknown): Record<string, unknown> | undefined {
  const fields = fieldsOf(schema);
  if (fields === null || typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const out: Record<string, unknown> = {};
  const from = input as Record<string, unknown>;
  // An index loop: for-of makes an iterator result per field until the code is optimized.
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as Field;
    const v = from[f.key];
    if (!f.check(v)) return undefined;
    out[f.key] = v;
  }
  return out;
}

/** Specs this module produced, by value: the same object stored again (a merged spec) is not checked twice. */
const checkedBy = new WeakMap<object, object>();

/** The spec the store keeps for `spec`: the quick path when it is sure, zod's parse (and its errors) otherwise. */
export function checkSpec<S>(t: ResourceType<S>, spec: unknown, where: string): S {
  if (typeof spec === 'object' && spec !== null && checkedBy.get(spec) === t.schema) return spec as S;
  const out = quickParse(t.schema, spec);
  if (out === undefined) return parseSpec(t, spec, where);
  // Its fields are all primitives: frozen here, the store's deep freeze finds it frozen and walks nothing.
  Object.freeze(out);
  checkedBy.set(out, t.schema);
  return out as S;
}
