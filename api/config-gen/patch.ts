// Config patches from `--config-patch*` values (`@file` or inline YAML/JSON): strategic merge or RFC 6902, applied in order.
import { parseAllDocuments } from 'yaml';
import { PatchError } from './errors.js';
import { readTextFile } from './files.js';
import { JsonPatchError, applyJsonPatch, parseJsonPatch, type JsonPatchOperation } from './json-patch.js';
import { isJsonObject, kindOf, toJson, type Json, type JsonObject } from './json.js';
import { StrategicMergeError, strategicMerge } from './strategic-merge.js';

/** A parsed patch: a mapping (or several YAML documents of them) to merge, or a list of RFC 6902 operations. */
export type ConfigPatch =
  | { readonly kind: 'strategic-merge'; readonly name: string; readonly documents: readonly JsonObject[] }
  | { readonly kind: 'json6902'; readonly name: string; readonly operations: readonly JsonPatchOperation[] };

/**
 * Parses patch text. A mapping is a strategic merge patch (several `---` documents are merged one after another);
 * a list is an RFC 6902 JSON patch. JSON is YAML, so both formats go through the YAML parser.
 */
export function parsePatch(text: string, name: string): ConfigPatch {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(docs)) return fail(name, 'the patch is empty');
  const values: Json[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error !== undefined) return fail(name, `not valid YAML or JSON: ${error.message.split('\n')[0] ?? ''}`);
    let value: Json;
    try {
      value = toJson(doc.toJS());
    } catch (e: unknown) {
      return fail(name, e instanceof Error ? e.message : String(e));
    }
    if (value !== null) values.push(value); // an empty document between `---` lines adds nothing
  }
  if (values.length === 0) return fail(name, 'the patch is empty');
  const [first] = values;
  if (Array.isArray(first)) {
    if (values.length > 1) return fail(name, 'a JSON patch (a list of operations) must be a single document');
    try {
      return { kind: 'json6902', name, operations: parseJsonPatch(first) };
    } catch (e: unknown) {
      throw asPatchError(e, name);
    }
  }
  const documents: JsonObject[] = [];
  for (const v of values) {
    if (!isJsonObject(v)) {
      return fail(
        name,
        `a patch is a mapping (strategic merge) or a list of {op, path, value} (RFC 6902), not ${kindOf(v)}`,
      );
    }
    documents.push(v);
  }
  return { kind: 'strategic-merge', name, documents };
}

/** Options of {@link loadPatches}. */
export interface LoadPatchesOptions {
  /** The flag the values came from, to name inline patches in errors (`--config-patch-worker #2`). */
  readonly flag: string;
  readonly signal?: AbortSignal;
}

/** Loads each value: `@path` reads the file, anything else is the patch itself. Keeps the given order. */
export async function loadPatches(values: readonly string[], options: LoadPatchesOptions): Promise<ConfigPatch[]> {
  const out: ConfigPatch[] = [];
  for (const [i, value] of values.entries()) {
    if (value.startsWith('@')) {
      const path = value.slice(1);
      if (path === '') fail(value, 'give a file name after "@", like @patch.yaml');
      out.push(parsePatch(await readTextFile(path, 'patch file', options.signal), value));
    } else {
      out.push(parsePatch(value, `${options.flag} #${i + 1} (inline)`));
    }
  }
  return out;
}

/** Applies `patches` in order to `doc`; returns the result and leaves `doc` unchanged. Throws PatchError. */
export function applyPatches(doc: JsonObject, patches: readonly ConfigPatch[]): JsonObject {
  let cur = doc;
  for (const patch of patches) {
    try {
      if (patch.kind === 'strategic-merge') {
        for (const d of patch.documents) cur = strategicMerge(cur, d);
      } else {
        const next = applyJsonPatch(cur, patch.operations);
        if (!isJsonObject(next)) fail(patch.name, `the patch made the config ${kindOf(next)}; it must stay a mapping`);
        cur = next;
      }
    } catch (e: unknown) {
      throw asPatchError(e, patch.name);
    }
  }
  return cur;
}

function asPatchError(e: unknown, name: string): unknown {
  if (e instanceof JsonPatchError)
    return new PatchError({ patch: name, op: e.index, path: e.path }, e.message, { cause: e });
  if (e instanceof StrategicMergeError) return new PatchError({ patch: name, path: e.path }, e.message, { cause: e });
  return e;
}

function fail(name: string, reason: string): never {
  throw new PatchError({ patch: name }, reason);
}
