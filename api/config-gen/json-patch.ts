// RFC 6902 JSON Patch (add, remove, replace, move, copy, test) over RFC 6901 JSON Pointers, applied to a copy.
import { deepEqual } from '../../resources/index.js';
import { cloneJson, isJsonObject, preview, type Json, type JsonObject } from './json.js';

/** The operations of RFC 6902. */
export const JSON_PATCH_OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;

/** One RFC 6902 operation name. */
export type JsonPatchOpName = (typeof JSON_PATCH_OPS)[number];

/** One RFC 6902 operation; `value` for add/replace/test, `from` for move/copy. */
export interface JsonPatchOperation {
  readonly op: JsonPatchOpName;
  readonly path: string;
  readonly value?: Json;
  readonly from?: string;
}

/** An operation that cannot be applied: its index in the patch, its path, and why. */
export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
  constructor(
    readonly index: number,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks that `raw` (a parsed YAML/JSON list) is a JSON patch; throws JsonPatchError naming the bad operation. */
export function parseJsonPatch(raw: readonly Json[]): JsonPatchOperation[] {
  return raw.map((item, i) => {
    if (!isJsonObject(item))
      throw new JsonPatchError(i, '', `an operation is a mapping {op, path, ...}, got ${preview(item)}`);
    const { op, path, from } = item;
    const shownPath = typeof path === 'string' ? path : '';
    if (typeof op !== 'string' || !(JSON_PATCH_OPS as readonly string[]).includes(op)) {
      throw new JsonPatchError(i, shownPath, `"op" must be one of ${JSON_PATCH_OPS.join(', ')}, got ${preview(op)}`);
    }
    if (typeof path !== 'string') throw new JsonPatchError(i, '', `"path" must be a string (a JSON Pointer)`);
    parsePointer(path, i);
    const needsValue = op === 'add' || op === 'replace' || op === 'test';
    if (needsValue && !('value' in item)) throw new JsonPatchError(i, path, `"${op}" needs a "value"`);
    if (op === 'move' || op === 'copy') {
      if (typeof from !== 'string') throw new JsonPatchError(i, path, `"${op}" needs "from" (a JSON Pointer)`);
      parsePointer(from, i);
      return { op, path, from };
    }
    return needsValue
      ? { op: op as JsonPatchOpName, path, value: item['value'] ?? null }
      : { op: op as JsonPatchOpName, path };
  });
}

/** The reference tokens of an RFC 6901 pointer, with `~1` -> `/` and `~0` -> `~` unescaped. */
export function parsePointer(pointer: string, index = 0): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw new JsonPatchError(index, pointer, 'a JSON Pointer starts with "/" (or is "" for the whole document)');
  }
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token)) {
        throw new JsonPatchError(
          index,
          pointer,
          `bad escape in "${token}": "~" must be followed by 0 or 1 (~0 is ~, ~1 is /)`,
        );
      }
      const unescaped = token.replace(/~1/g, '/').replace(/~0/g, '~');
      if (unescaped === '__proto__') throw new JsonPatchError(index, pointer, 'the key __proto__ is not allowed');
      return unescaped;
    });
}

/** Applies every operation in order to a copy of `doc` and returns it; any failure leaves `doc` as it was. */
export function applyJsonPatch(doc: Json, ops: readonly JsonPatchOperation[]): Json {
  let root = cloneJson(doc);
  ops.forEach((op, i) => {
    root = new Applier(i, op.path).apply(root, op);
  });
  return root;
}

/** Applies one operation; methods throw JsonPatchError for this operation. */
class Applier {
  constructor(
    private readonly index: number,
    private readonly path: string,
  ) {}

  apply(root: Json, op: JsonPatchOperation): Json {
    const tokens = parsePointer(op.path, this.index);
    switch (op.op) {
      case 'add':
        return this.add(root, tokens, cloneJson(op.value ?? null));
      case 'remove':
        this.remove(root, tokens);
        return root;
      case 'replace':
        if (tokens.length === 0) return cloneJson(op.value ?? null);
        this.get(root, tokens);
        this.remove(root, tokens);
        return this.add(root, tokens, cloneJson(op.value ?? null));
      case 'move': {
        const from = parsePointer(op.from ?? '', this.index);
        if (op.from === op.path) return root;
        if (op.path.startsWith(`${op.from ?? ''}/`)) this.fail(`cannot move ${op.from ?? ''} into its own child`);
        const value = this.get(root, from, op.from);
        this.remove(root, from);
        return this.add(root, tokens, value);
      }
      case 'copy':
        return this.add(root, tokens, cloneJson(this.get(root, parsePointer(op.from ?? '', this.index), op.from)));
      case 'test': {
        const actual = this.get(root, tokens);
        if (!deepEqual(actual, op.value ?? null)) {
          this.fail(`test failed: the value is ${preview(actual)}, the patch expects ${preview(op.value ?? null)}`);
        }
        return root;
      }
    }
  }

  /** The value at `tokens`; fails naming the first token that does not exist. */
  private get(root: Json, tokens: readonly string[], shown = this.path): Json {
    let cur = root;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] ?? '';
      const next = Array.isArray(cur)
        ? cur[this.arrayIndex(token, cur.length, false, shown)]
        : isJsonObject(cur) && Object.hasOwn(cur, token)
          ? cur[token]
          : undefined;
      if (next === undefined) this.fail(`${shown} does not exist (no "${token}" at ${pointerOf(tokens.slice(0, i))})`);
      cur = next;
    }
    return cur;
  }

  private add(root: Json, tokens: readonly string[], value: Json): Json {
    if (tokens.length === 0) return value;
    const parent = this.container(root, tokens);
    const last = tokens[tokens.length - 1] ?? '';
    if (Array.isArray(parent))
      parent.splice(last === '-' ? parent.length : this.arrayIndex(last, parent.length, true), 0, value);
    else parent[last] = value;
    return root;
  }

  private remove(root: Json, tokens: readonly string[]): void {
    if (tokens.length === 0) this.fail('cannot remove the whole document');
    const parent = this.container(root, tokens);
    const last = tokens[tokens.length - 1] ?? '';
    if (Array.isArray(parent)) {
      parent.splice(this.arrayIndex(last, parent.length, false), 1);
    } else {
      if (!Object.hasOwn(parent, last)) this.fail(`${pointerOf(tokens)} does not exist`);
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- RFC 6902 remove deletes a member by name
      delete parent[last];
    }
  }

  /** The array or object that holds the last token of `tokens`. */
  private container(root: Json, tokens: readonly string[]): Json[] | JsonObject {
    const parentTokens = tokens.slice(0, -1);
    const parent = this.get(root, parentTokens, pointerOf(parentTokens) || '(root)');
    if (!Array.isArray(parent) && !isJsonObject(parent)) {
      this.fail(`${pointerOf(parentTokens) || '(root)'} is ${preview(parent)}, not a mapping or a list`);
    }
    return parent;
  }

  /** An array index token (no leading zeros) below `length`, or equal to it for `add`; `-` is handled by add. */
  private arrayIndex(token: string, length: number, allowEnd: boolean, shown = this.path): number {
    if (!/^(0|[1-9][0-9]*)$/.test(token)) {
      this.fail(`"${token}" is not a list index in ${shown} (use 0, 1, ... or "-" to append with add)`);
    }
    const i = Number(token);
    if (i > (allowEnd ? length : length - 1)) {
      this.fail(`index ${i} is out of range in ${shown}: the list has ${length} item${length === 1 ? '' : 's'}`);
    }
    return i;
  }

  private fail(message: string): never {
    throw new JsonPatchError(this.index, this.path, message);
  }
}

/** The pointer for `tokens`, escaped. */
export function pointerOf(tokens: readonly string[]): string {
  return tokens.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
