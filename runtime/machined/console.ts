// What machined prints on its console: resource tables aligned like `osctl get`.
import {
  evaluateJsonPath,
  META_NAMESPACE,
  ResourceDefinitionType,
  type Resource,
  type ResourceDefinitionSpec,
  type State,
} from '../../resources/index.js';

/** Aligns rows into columns separated by three spaces, like talosctl's tables. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

/** One table per type of every resource outside `meta`, with the type's print columns. */
export async function resourceTables(state: State, signal?: AbortSignal): Promise<string> {
  const defs = (await state.list({
    namespace: META_NAMESPACE,
    type: ResourceDefinitionType.type,
  })) as Resource<ResourceDefinitionSpec>[];
  const namespaces = (await state.list({ namespace: META_NAMESPACE, type: 'Namespace' })).map((r) => r.metadata.id);
  const out: string[] = [];
  for (const def of defs) {
    const columns = def.spec.printColumns;
    const rows: string[][] = [];
    for (const ns of namespaces.filter((n) => n !== META_NAMESPACE)) {
      const opts = signal === undefined ? {} : { signal };
      for (const r of await state.list({ namespace: ns, type: def.spec.type }, opts)) {
        const m = r.metadata;
        rows.push([
          m.namespace,
          m.type,
          m.id,
          String(m.version),
          ...columns.map((c) => evaluateJsonPath(c.jsonPath, r.spec)),
        ]);
      }
    }
    if (rows.length === 0) continue;
    const header = ['NAMESPACE', 'TYPE', 'ID', 'VERSION', ...columns.map((c) => c.name.toUpperCase())];
    out.push(formatTable([header, ...rows]));
  }
  return out.join('\n\n');
}
