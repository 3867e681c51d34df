// JSON values as parsed from YAML/JSON config documents and patches, with the helpers the patchers share.

/** A JSON value: what a YAML or JSON config document or patch parses to. */
export type Json = null | boolean | number | string | Json[] | JsonObject;

/** A JSON object (a YAML mapping). */
export interface JsonObject {
  [key: string]: Json;
}

/** True when `v` is a JSON object (not an array, not null). */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A deep copy of `v`; patches never share structure with the document they change. */
export function cloneJson<T extends Json>(v: T): T {
  return structuredClone(v);
}

/** The kind of a value in words a person reads in an error: "a mapping", "a list", "a string", "null". */
export function kindOf(v: Json | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

/** `v` as compact JSON for an error message, cut to `max` characters. */
export function preview(v: Json | undefined, max = 60): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Narrows a value parsed from YAML to Json; YAML's non-JSON values (dates, binary, Infinity) are refused by name. */
export function toJson(v: unknown, path = ''): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`${path || 'value'}: ${String(v)} is not a JSON number`);
    return v;
  }
  if (Array.isArray(v)) return v.map((x: unknown, i) => toJson(x, `${path}[${i}]`));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === '__proto__') throw new TypeError(`${path || 'value'}: the key __proto__ is not allowed`);
      out[k] = toJson(x, path ? `${path}.${k}` : k);
    }
    return out;
  }
  throw new TypeError(`${path || 'value'}: ${Object.prototype.toString.call(v)} is not a JSON value`);
}
