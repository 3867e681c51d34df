// Resources as osctl prints them: table rows with the type's print columns, or documents in a machine format.
import { evaluateJsonPath, type Resource, type ResourceDefinitionSpec } from '../../resources/index.js';
import { documentLines, resourceDocument, type OutputFormat } from './output.js';
import { cell, formatTable } from './table.js';

/** The header of a resource table: NODE (when several nodes), `*` (when watching), then the fixed and print columns. */
export function resourceHeader(def: ResourceDefinitionSpec, o: { several: boolean; watch: boolean }): string[] {
  return [
    ...(o.several ? ['NODE'] : []),
    ...(o.watch ? ['*'] : []),
    'NAMESPACE',
    'TYPE',
    'ID',
    'VERSION',
    ...def.printColumns.map((c) => c.name.toUpperCase()),
  ];
}

/** One table row for `r`; `marker` is the watch column (`+`, `-` or blank) when watching. */
export function resourceRow(
  def: ResourceDefinitionSpec,
  r: Resource,
  o: { node?: string | undefined; marker?: string | undefined },
): string[] {
  const m = r.metadata;
  return [
    ...(o.node === undefined ? [] : [o.node]),
    ...(o.marker === undefined ? [] : [o.marker]),
    m.namespace,
    m.type,
    m.id,
    String(m.version),
    ...def.printColumns.map((c) => cell(safeEval(c.jsonPath, r.spec))),
  ];
}

function safeEval(path: string, spec: unknown): string {
  try {
    return evaluateJsonPath(path, spec);
  } catch {
    return '';
  }
}

/** What `get` prints for a list of resources per node, in `format`. */
export function resourceOutput(
  def: ResourceDefinitionSpec,
  perNode: readonly { node: string; value: readonly Resource[] }[],
  format: OutputFormat,
  several: boolean,
): string[] {
  if (format.kind === 'table') {
    const rows = perNode.flatMap(({ node, value }) =>
      value.map((r) => resourceRow(def, r, { node: several ? node : undefined })),
    );
    return formatTable(resourceHeader(def, { several, watch: false }), rows);
  }
  return perNode.flatMap(({ node, value }) =>
    value.flatMap((r) =>
      documentLines(resourceDocument(r, several || format.kind !== 'jsonpath' ? node : undefined), format),
    ),
  );
}
