// parseMachineConfigYaml: config text to a validated document; size, emptiness, syntax (with line:column) and document count first.
import { LineCounter, parseAllDocuments, type ScalarTag, type Tags } from 'yaml';
import { CONFIG_VERSION } from './document.js';
import { ConfigValidationError, DOCUMENT_PATH, type ConfigIssue } from './issues.js';
import { validateMachineConfig, type ValidationOptions, type ValidationResult } from './validate.js';

/** The largest config accepted, in bytes (1 MiB); larger text is refused before it is parsed. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Options of {@link parseMachineConfigYaml}: validation options plus a name for the text (a file name) used in messages. */
export interface ParseOptions extends ValidationOptions {
  readonly source?: string | undefined;
}

// Integers with a leading 0 are octal, as in Go's YAML that Talos configs are written for (permissions: 0644).
const leadingZeroOctal: ScalarTag = {
  identify: () => false,
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^0[0-7]+$/,
  resolve: (s: string) => parseInt(s, 8),
};

function refuse(issues: ConfigIssue[]): never {
  throw new ConfigValidationError(issues);
}

/** The parser's message without the source text it may quote (which can be a key), on one line. */
function yamlMessage(m: string): string {
  const s = m
    .replace(/:\s*".*$/s, '')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function hasCycle(v: unknown, stack: Set<object> = new Set()): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (stack.has(v)) return true;
  stack.add(v);
  const children: unknown[] = Array.isArray(v) ? v : Object.values(v);
  const found = children.some((c) => hasCycle(c, stack));
  stack.delete(v);
  return found;
}

/**
 * Parses one YAML document and validates it (see validateMachineConfig). Refuses, as ConfigValidationError: text over
 * 1 MiB (without parsing it), an empty document, YAML errors (each with `source:line:column`), more than one document,
 * aliases that expand too far or into themselves, and a document of another version.
 */
export function parseMachineConfigYaml(text: string, opts: ParseOptions): ValidationResult {
  const src = opts.source ?? DOCUMENT_PATH;
  // text.length counts UTF-16 units, never more than the UTF-8 bytes: a cheap first cut before counting bytes.
  const bytes = text.length > MAX_CONFIG_BYTES ? text.length : Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) {
    refuse([
      {
        path: src,
        message: `is ${bytes} bytes or more; a machine config is at most 1 MiB (${MAX_CONFIG_BYTES} bytes)`,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    customTags: (tags: Tags) => [leadingZeroOctal, ...tags],
  });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${src}:${line}:${col}`;
  };
  const syntax = docs.flatMap((d) =>
    [...d.errors, ...d.warnings].map((e) => ({
      path: at(e.pos[0]),
      message: `not valid YAML: ${yamlMessage(e.message)}`,
    })),
  );
  if (syntax.length > 0) refuse(syntax);
  const empty: () => never = () =>
    refuse([{ path: src, message: `is empty; expected a YAML mapping that starts with version: ${CONFIG_VERSION}` }]);
  const first = docs[0];
  if (first === undefined) return empty();
  const second = docs[1];
  if (second !== undefined) {
    refuse([
      {
        path: at(second.range[0]),
        message: `a second YAML document starts here (${docs.length} in all); a machine config is one document: remove the "---" and what follows`,
      },
    ]);
  }
  let value: unknown;
  try {
    value = first.toJS({ maxAliasCount: 100 });
  } catch (e) {
    refuse([{ path: src, message: `cannot expand YAML aliases: ${(e as Error).message}` }]);
  }
  if (value === null || value === undefined) return empty();
  if (hasCycle(value))
    refuse([{ path: src, message: 'a YAML alias refers to a node that contains it; configs must be trees' }]);
  return validateMachineConfig(value, opts);
}
