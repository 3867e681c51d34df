// Unknown fields: walks a document beside the schema and names each key the schema does not define, with the likeliest intended one.
import { z } from 'zod';
import { closest, formatPath, type ConfigIssue } from './issues.js';
import { unwrap, type Schema } from './introspect.js';

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** `unknown field; did you mean "network"?`, or the list of fields the section has. */
export function unknownFieldMessage(name: string, known: readonly string[]): string {
  const near = closest(name, known);
  if (near !== undefined) return `unknown field; did you mean "${near}"?`;
  return `unknown field; this section has: ${known.join(', ')}`;
}

function walk(s: Schema, v: unknown, path: PropertyKey[], out: ConfigIssue[]): void {
  const u = unwrap(s);
  if (u instanceof z.ZodObject) {
    if (!isMapping(v)) return;
    const shape = u.shape as Record<string, Schema>;
    const known = Object.keys(shape);
    for (const k of Object.keys(v)) {
      const child = Object.hasOwn(shape, k) ? shape[k] : undefined;
      if (child === undefined) out.push({ path: formatPath([...path, k]), message: unknownFieldMessage(k, known) });
      else walk(child, v[k], [...path, k], out);
    }
  } else if (u instanceof z.ZodArray) {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        walk(u.element as Schema, x, [...path, i], out);
      });
    }
  } else if (u instanceof z.ZodRecord) {
    if (isMapping(v)) for (const k of Object.keys(v)) walk(u.valueType as Schema, v[k], [...path, k], out);
  }
  // Scalars and unions of scalars have no fields.
}

/** Every key in `doc` that `schema` does not define, in document order. */
export function unknownFields(schema: Schema, doc: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  walk(schema, doc, [], out);
  return out;
}
