// Output formats of osctl commands that print resources: table, yaml, json and jsonpath={...}.
import { InvalidArgumentError as CommanderInvalidArgument } from 'commander';
import { stringify } from 'yaml';
import { evaluateJsonPath, parseJsonPath, type Resource } from '../../resources/index.js';

/** An output format as parsed from `-o`. */
export type OutputFormat =
  | { readonly kind: 'table' }
  | { readonly kind: 'yaml' }
  | { readonly kind: 'json' }
  | { readonly kind: 'jsonpath'; readonly path: string };

const FORMS = 'table, yaml, json or jsonpath={.path}';

/** Parses `-o`; a bad value is a usage error naming the value and the forms accepted (commander prints it). */
export function parseOutputFormat(text: string): OutputFormat {
  const t = text.trim();
  if (t === 'table' || t === 'yaml' || t === 'json') return { kind: t };
  const m = /^jsonpath=(.*)$/s.exec(t);
  if (m === null) throw new CommanderInvalidArgument(`expected ${FORMS}`);
  const path = (m[1] ?? '').trim().replace(/^'(.*)'$/, '$1');
  if (path === '') throw new CommanderInvalidArgument('jsonpath= needs a path, e.g. jsonpath={.spec.stage}');
  try {
    parseJsonPath(path);
  } catch (e: unknown) {
    throw new CommanderInvalidArgument((e as Error).message);
  }
  return { kind: 'jsonpath', path };
}

/** A resource as the machine-readable formats show it: node (when known), metadata, spec; `event` when watching. */
export function resourceDocument(r: Resource, node?: string, event?: string): Record<string, unknown> {
  const m = r.metadata;
  return {
    ...(node === undefined ? {} : { node }),
    ...(event === undefined ? {} : { event }),
    metadata: {
      namespace: m.namespace,
      type: m.type,
      id: m.id,
      version: m.version,
      owner: m.owner,
      phase: m.phase,
      created: new Date(m.created).toISOString(),
      updated: new Date(m.updated).toISOString(),
      ...(m.finalizers.length === 0 ? {} : { finalizers: [...m.finalizers] }),
      ...(Object.keys(m.labels).length === 0 ? {} : { labels: { ...m.labels } }),
      ...(Object.keys(m.annotations).length === 0 ? {} : { annotations: { ...m.annotations } }),
    },
    spec: r.spec,
  };
}

/** The lines one document prints as, in a machine format: YAML documents start with `---`, JSON is indented. */
export function documentLines(
  doc: Record<string, unknown>,
  format: Exclude<OutputFormat, { kind: 'table' }>,
): string[] {
  switch (format.kind) {
    case 'yaml':
      return ['---', ...stringify(doc, { lineWidth: 0 }).trimEnd().split('\n')];
    case 'json':
      return JSON.stringify(doc, null, 2).split('\n');
    case 'jsonpath':
      return [evaluateJsonPath(format.path, doc)];
  }
}
