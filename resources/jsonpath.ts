// A small JSONPath subset for print columns: `{.field.sub}`, `{.list[0]}`, `{.list[*].name}`.
import { InvalidArgumentError } from './errors.js';

type Step = { field: string } | { index: number } | { all: true };

const STEP = /^(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+|\*)\])/;

/** Parses a print-column path; throws InvalidArgumentError naming the path and the position that is wrong. */
export function parseJsonPath(path: string): Step[] {
  const m = /^\{(.*)\}$/.exec(path.trim());
  let rest = m?.[1] ?? path.trim();
  const steps: Step[] = [];
  while (rest !== '') {
    const s = STEP.exec(rest);
    if (s === null) {
      throw new InvalidArgumentError(
        `JSONPath ${JSON.stringify(path)}: cannot read ${JSON.stringify(rest)}; expected .field, [n] or [*], e.g. {.addresses[0]}`,
      );
    }
    if (s[1] !== undefined) steps.push({ field: s[1] });
    else if (s[2] === '*') steps.push({ all: true });
    else steps.push({ index: Number(s[2]) });
    rest = rest.slice(s[0].length);
  }
  return steps;
}

function walk(values: unknown[], step: Step): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if ('field' in step) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && step.field in v) {
        out.push((v as Record<string, unknown>)[step.field]);
      }
    } else if (Array.isArray(v)) {
      if ('all' in step) out.push(...(v as unknown[]));
      else if (step.index < v.length) out.push(v[step.index]);
    }
  }
  return out;
}

function render(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map(render).join(',');
  return JSON.stringify(v);
}

/** Evaluates a print-column path against a spec and renders the result as table text (lists comma-joined). */
export function evaluateJsonPath(path: string, spec: unknown): string {
  let values: unknown[] = [spec];
  for (const step of parseJsonPath(path)) values = walk(values, step);
  return values.map(render).join(',');
}
