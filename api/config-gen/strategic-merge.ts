// Strategic merge of a patch document into a v1alpha1 config, with Talos's list rules and `$patch` directives.
import { deepEqual } from '../../resources/index.js';
import { isJsonObject, kindOf, type Json, type JsonObject } from './json.js';

/**
 * How a list at a given place merges. The default appends the patch's items (Talos: "if the field value is a list,
 * the patch value is appended"). `replace` and `keyed` are Talos's exceptions: the subnet lists are replaced, and
 * interfaces, their VLANs and admission plugins merge item by item on a key.
 */
type ListRule = { readonly kind: 'replace' } | { readonly kind: 'keyed'; readonly keys: readonly string[] };

/** List rules by schema path (list items written `[]`). */
const LIST_RULES: Readonly<Record<string, ListRule>> = {
  'cluster.network.podSubnets': { kind: 'replace' },
  'cluster.network.serviceSubnets': { kind: 'replace' },
  'machine.network.interfaces': { kind: 'keyed', keys: ['interface', 'deviceSelector'] },
  'machine.network.interfaces[].vlans': { kind: 'keyed', keys: ['vlanId'] },
  'cluster.apiServer.admissionControl': { kind: 'keyed', keys: ['name'] },
};

/** Mappings replaced whole rather than merged (Talos: `merge:"replace"`). */
const REPLACED_MAPPINGS: ReadonlySet<string> = new Set(['cluster.apiServer.auditPolicy']);

/** The key of a patch directive; its values are `delete` and `replace`. */
const DIRECTIVE = '$patch';

const NULL_HINT = 'null is not a value a patch can set; to remove the key write `key: {$patch: delete}`';

/** Where in the document a merge is: the path a person reads, and the schema path the rules are keyed on. */
interface Place {
  readonly shown: string;
  readonly schema: string;
}

/** A strategic merge that cannot be applied; `path` is the dotted place in the config. */
export class StrategicMergeError extends Error {
  override readonly name = 'StrategicMergeError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Merges `patch` into `base` and returns the result; `base` is not changed. */
export function strategicMerge(base: JsonObject, patch: JsonObject): JsonObject {
  const root: Place = { shown: '', schema: '' };
  if (directiveOf(patch, root) === 'delete')
    throw new StrategicMergeError('', 'a patch cannot delete the whole config');
  const merged = mergeValue(base, patch, root);
  if (!isJsonObject(merged)) throw new StrategicMergeError('', `the patch made the config ${kindOf(merged)}`);
  return merged;
}

function mergeValue(current: Json | undefined, patch: Json, at: Place): Json {
  const base = current === null ? undefined : current; // `key:` with no value in YAML is null: nothing there yet
  if (patch === null) throw new StrategicMergeError(at.shown, NULL_HINT);
  if (isJsonObject(patch)) return mergeMapping(base, patch, at);
  if (Array.isArray(patch)) return mergeList(base, patch, at);
  if (isJsonObject(base) || Array.isArray(base)) mismatch(base, patch, at);
  return patch;
}

function mergeMapping(base: Json | undefined, patch: JsonObject, at: Place): Json {
  if (directiveOf(patch, at) === 'replace' || REPLACED_MAPPINGS.has(at.schema) || base === undefined) {
    return materialize(withoutDirective(patch), at);
  }
  if (!isJsonObject(base)) return mismatch(base, patch, at);
  const out: JsonObject = { ...base };
  const deleted = new Set<string>();
  for (const [key, value] of Object.entries(patch)) {
    if (key === DIRECTIVE) continue;
    const child = childPlace(at, key);
    if (isJsonObject(value) && directiveOf(value, child) === 'delete') {
      if (!Object.hasOwn(out, key))
        throw new StrategicMergeError(child.shown, 'nothing to delete: the config has no such key');
      deleted.add(key);
      continue;
    }
    out[key] = mergeValue(out[key], value, child);
  }
  return deleted.size === 0 ? out : Object.fromEntries(Object.entries(out).filter(([k]) => !deleted.has(k)));
}

function mergeList(base: Json | undefined, patch: Json[], at: Place): Json {
  const rule = LIST_RULES[at.schema];
  const replaceAll = patch.some((item) => isJsonObject(item) && directiveOf(item, at) === 'replace');
  const items = patch.filter((item) => !(isJsonObject(item) && directiveOf(item, at) === 'replace'));
  if (base === undefined || replaceAll || rule?.kind === 'replace') return materialize(items, at);
  if (!Array.isArray(base)) return mismatch(base, patch, at);
  const out = [...base];
  const deletes = items.filter((item) => isJsonObject(item) && directiveOf(item, at) === 'delete');
  // Deletes first, as Talos does: a patch may delete an item and add a fresh one under the same key.
  for (const item of deletes as JsonObject[]) deleteListItem(out, item, at);
  for (const item of items) {
    if (deletes.includes(item)) continue;
    const index = rule?.kind === 'keyed' ? findKeyed(out, item, rule.keys) : -1;
    if (index >= 0) out[index] = mergeValue(out[index], item, itemPlace(at, index));
    else out.push(materialize(item, itemPlace(at, out.length)));
  }
  return out;
}

/** Removes the first item whose value for the selector's first key (other than `$patch`) equals the selector's. */
function deleteListItem(list: Json[], selector: JsonObject, at: Place): void {
  const key = Object.keys(selector).find((k) => k !== DIRECTIVE);
  const wanted = key === undefined ? undefined : selector[key];
  if (key === undefined || wanted === undefined) {
    throw new StrategicMergeError(
      at.shown,
      'a list item with `$patch: delete` needs a key to match, like `interface: eth0`',
    );
  }
  const index = list.findIndex((item) => isJsonObject(item) && deepEqual(item[key], wanted));
  if (index < 0) {
    throw new StrategicMergeError(at.shown, `nothing to delete: no item has ${key}: ${JSON.stringify(wanted)}`);
  }
  list.splice(index, 1);
}

/** The index of the item in `list` that `item` merges into: the first rule key `item` has decides. */
function findKeyed(list: readonly Json[], item: Json, keys: readonly string[]): number {
  if (!isJsonObject(item)) return -1;
  const key = keys.find((k) => item[k] !== undefined && item[k] !== null);
  if (key === undefined) return -1;
  return list.findIndex((x) => isJsonObject(x) && deepEqual(x[key], item[key]));
}

/** A deep copy of a patch value that lands where the config has nothing: a delete inside it has nothing to delete. */
function materialize(value: Json, at: Place): Json {
  if (value === null) throw new StrategicMergeError(at.shown, NULL_HINT);
  if (Array.isArray(value)) return value.map((v, i) => materialize(v, itemPlace(at, i)));
  if (!isJsonObject(value)) return value;
  const directive = directiveOf(value, at);
  if (directive === 'delete') throw new StrategicMergeError(at.shown, 'nothing to delete: the config has nothing here');
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(withoutDirective(value))) out[k] = materialize(v, childPlace(at, k));
  return out;
}

function directiveOf(value: JsonObject, at: Place): 'delete' | 'replace' | undefined {
  const d = value[DIRECTIVE];
  if (d === undefined) return undefined;
  if (d === 'delete' || d === 'replace') return d;
  throw new StrategicMergeError(
    at.shown,
    `unknown directive ${DIRECTIVE}: ${JSON.stringify(d)} (known: delete, replace)`,
  );
}

function withoutDirective(value: JsonObject): JsonObject {
  if (!(DIRECTIVE in value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== DIRECTIVE));
}

function mismatch(base: Json, patch: Json, at: Place): never {
  throw new StrategicMergeError(
    at.shown,
    `the patch has ${kindOf(patch)} where the config has ${kindOf(base)}; use $patch: replace or a JSON patch to change its type`,
  );
}

function childPlace(at: Place, key: string): Place {
  const shownKey = /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
  const join = (p: string): string =>
    p === '' ? shownKey : /^[A-Za-z0-9_-]+$/.test(key) ? `${p}.${key}` : `${p}[${shownKey}]`;
  return { shown: join(at.shown), schema: join(at.schema) };
}

function itemPlace(at: Place, index: number): Place {
  return { shown: `${at.shown}[${index}]`, schema: `${at.schema}[]` };
}
