// Resource types: a zod schema plus the definition (aliases, default namespace, print columns, sensitivity).
import type { z } from 'zod';
import { InvalidSpecError, type SpecIssue } from './errors.js';
import type { Resource } from './resource.js';

/** One column `osctl get` prints for a type: a header and a JSONPath into the spec, e.g. `{.address}`. */
export interface PrintColumn {
  readonly name: string;
  readonly jsonPath: string;
}

/** Whether reading a type needs the admin role. */
export type Sensitivity = 'public' | 'sensitive';

/** How a type presents itself: stored as a `ResourceDefinition` in namespace `meta`. */
export interface TypeDefinition {
  readonly type: string;
  readonly aliases: readonly string[];
  readonly defaultNamespace: string;
  readonly printColumns: readonly PrintColumn[];
  readonly sensitivity: Sensitivity;
}

/** A registered resource type: its name, its spec schema and its definition. */
export interface ResourceType<S = unknown> {
  readonly type: string;
  readonly schema: z.ZodType<S>;
  readonly definition: TypeDefinition;
  /** True when `r` is of this type (its spec was validated by this schema at the store boundary). */
  is(r: Resource): r is Resource<S>;
}

/** Options of {@link defineResource}. */
export interface DefineResourceOptions<S> {
  readonly type: string;
  readonly schema: z.ZodType<S>;
  readonly defaultNamespace: string;
  readonly aliases?: readonly string[];
  readonly printColumns?: readonly PrintColumn[];
  readonly sensitive?: boolean;
}

const TYPE_NAME = /^[A-Z][A-Za-z0-9]*(\.[a-z0-9-]+)*$/;

/** Declares a resource type; the lower-cased type name is always an alias. */
export function defineResource<S>(o: DefineResourceOptions<S>): ResourceType<S> {
  if (!TYPE_NAME.test(o.type)) {
    throw new Error(
      `resource type name ${JSON.stringify(o.type)} must be PascalCase letters and digits, e.g. "AddressStatus"`,
    );
  }
  const aliases = [...new Set([o.type.toLowerCase(), ...(o.aliases ?? []).map((a) => a.toLowerCase())])];
  const definition: TypeDefinition = Object.freeze({
    type: o.type,
    aliases: Object.freeze(aliases),
    defaultNamespace: o.defaultNamespace,
    printColumns: Object.freeze([...(o.printColumns ?? [])]),
    sensitivity: o.sensitive === true ? 'sensitive' : 'public',
  });
  return Object.freeze({
    type: o.type,
    schema: o.schema,
    definition,
    is: (r: Resource): r is Resource<S> => r.metadata.type === o.type,
  });
}

/** `a.b[0].c` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(v);
  } catch {
    s = Object.prototype.toString.call(v); // cyclic or BigInt values: name the kind
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Turns zod issues into `path: message (got value)` issues a person can act on. */
export function specIssues(error: z.ZodError): SpecIssue[] {
  return error.issues.map((i) => ({
    path: formatPath(i.path),
    message: 'input' in i ? `${i.message} (got ${describeValue(i.input)})` : i.message,
  }));
}

/** Values a schema produced, by value: parsing one of them again with the same schema would give it back. */
const parsedBy = new WeakMap<object, z.ZodType>();

/**
 * Records that `value` is the output of `schema` (validation code that parsed it already says so), so that the store
 * does not parse it again; a large machine config costs milliseconds per parse.
 */
export function markParsed(schema: z.ZodType, value: unknown): void {
  if (typeof value === 'object' && value !== null) parsedBy.set(value, schema);
}

/** Parses `spec` with the type's schema; throws InvalidSpecError naming every offending field and value. */
export function parseSpec<S>(t: ResourceType<S>, spec: unknown, where: string): S {
  // A value this schema produced already (a config validated before it is stored, then stored twice) is taken as is.
  if (typeof spec === 'object' && spec !== null && parsedBy.get(spec) === t.schema) return spec as S;
  // Without reportInput zod takes its compiled fast path (about 9x faster); only a refused spec is parsed again, with
  // the inputs, to name the offending values.
  const r = t.schema.safeParse(spec);
  if (r.success) {
    markParsed(t.schema, r.data);
    return r.data;
  }
  const detailed = t.schema.safeParse(spec, { reportInput: true });
  throw new InvalidSpecError(specIssues(detailed.error ?? r.error), `invalid ${t.type} spec for ${where}`);
}
