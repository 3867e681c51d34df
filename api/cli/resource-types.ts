// Which resource type `osctl get NAME` means: type names and aliases, case-insensitive, plural or singular.
import {
  META_NAMESPACE,
  ResourceDefinitionType,
  type ResourceDefinitionSpec,
  type State,
} from '../../resources/index.js';
import { CommandFailure } from './report.js';

/** The forms a name may take: as given, and with a plural ending removed or added. */
function variants(name: string): string[] {
  const n = name.toLowerCase();
  const out = [n];
  if (n.endsWith('ies')) out.push(`${n.slice(0, -3)}y`);
  if (n.endsWith('es')) out.push(n.slice(0, -2));
  if (n.endsWith('s')) out.push(n.slice(0, -1));
  if (n.endsWith('y')) out.push(`${n.slice(0, -1)}ies`);
  out.push(`${n}s`, `${n}es`);
  return out;
}

/** Every name a definition answers to, lower case. */
function namesOf(d: ResourceDefinitionSpec): Set<string> {
  return new Set([d.type.toLowerCase(), ...d.aliases.map((a) => a.toLowerCase())]);
}

/** Edit distance, for did-you-mean. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

/**
 * The definition `name` refers to: an exact type name or alias first, then plural/singular forms. Unknown and
 * ambiguous names are a CommandFailure that says how to list the types, with a suggestion when one is close.
 */
export function resolveType(defs: readonly ResourceDefinitionSpec[], name: string): ResourceDefinitionSpec {
  for (const forms of [[name.toLowerCase()], variants(name)]) {
    const hits = defs.filter((d) => forms.some((f) => namesOf(d).has(f)));
    const [only, ...more] = hits;
    if (only !== undefined && more.length === 0) return only;
    if (only !== undefined) {
      throw new CommandFailure([
        `osctl: resource type "${name}" is ambiguous: it may mean ${hits.map((d) => d.type).join(', ')}; use the full type name`,
      ]);
    }
  }
  const n = name.toLowerCase();
  const close = defs
    .flatMap((d) => [...namesOf(d)].map((a) => ({ type: d.type, d: distance(n, a) })))
    .filter((c) => c.d <= Math.max(2, Math.floor(n.length / 4)))
    .sort((a, b) => a.d - b.d)[0];
  const hint = close === undefined ? '' : ` (did you mean ${close.type}?)`;
  throw new CommandFailure([`osctl: unknown resource type "${name}"${hint}; \`osctl get rd\` lists the types`]);
}

/** The resource definitions a node serves. */
export async function definitionsOf(state: State, signal?: AbortSignal): Promise<ResourceDefinitionSpec[]> {
  const rds = await state.list(
    { namespace: META_NAMESPACE, type: ResourceDefinitionType.type },
    signal === undefined ? {} : { signal },
  );
  return rds.map((r) => r.spec as ResourceDefinitionSpec);
}
