// Label and id queries: which resources a list or a watch selects.
import { InvalidArgumentError } from './errors.js';
import type { Metadata } from './resource.js';

/** Label operators, with the protocol's numbering in comments (EXISTS 0, EQUAL 1, IN 3, LT 4, LTE 5, LT_NUMERIC 6, LTE_NUMERIC 7). */
export type LabelOp = 'exists' | 'equal' | 'in' | 'lt' | 'lte' | 'ltNumeric' | 'lteNumeric';

/** One condition on a label; `invert` negates the whole term (an inverted `equal` also matches a missing label). */
export interface LabelTerm {
  readonly key: string;
  readonly op: LabelOp;
  readonly values?: readonly string[];
  readonly invert?: boolean;
}

/** Terms that must all hold. */
export interface LabelQuery {
  readonly terms: readonly LabelTerm[];
}

/** Selects ids by a regular expression (unanchored, like Go's `regexp.MatchString`). */
export interface IdQuery {
  readonly regexp: string;
}

/** Filters of list and watch: label queries are ORed, the id query is ANDed with them. */
export interface Selector {
  readonly labelQueries?: readonly LabelQuery[];
  readonly idQuery?: IdQuery;
}

function parseNumber(s: string): number | undefined {
  if (!/^[-+]?\d+(\.\d+)?$/.test(s.trim())) return undefined;
  return Number(s);
}

function termHolds(t: LabelTerm, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, t.key);
  const value = has ? labels[t.key] : undefined;
  const first = t.values?.[0];
  if (value === undefined) return false;
  switch (t.op) {
    case 'exists':
      return true;
    case 'equal':
      return first !== undefined && value === first;
    case 'in':
      return (t.values ?? []).includes(value);
    case 'lt':
      return first !== undefined && value < first;
    case 'lte':
      return first !== undefined && value <= first;
    case 'ltNumeric':
    case 'lteNumeric': {
      const a = parseNumber(value);
      const b = first === undefined ? undefined : parseNumber(first);
      if (a === undefined || b === undefined) return false;
      return t.op === 'ltNumeric' ? a < b : a <= b;
    }
  }
}

/** True when every term of `q` holds for `labels`. */
export function matchesLabelQuery(q: LabelQuery, labels: Readonly<Record<string, string>>): boolean {
  return q.terms.every((t) => termHolds(t, labels) !== (t.invert === true));
}

/** A compiled selector: a predicate on metadata. `undefined` selects everything. */
export type MetadataFilter = (m: Metadata) => boolean;

/** Checks a selector's parts (the regexp must compile) and returns its predicate, or undefined when it selects all. */
export function compileSelector(s: Selector | undefined): MetadataFilter | undefined {
  if (s === undefined) return undefined;
  const lqs = s.labelQueries ?? [];
  let re: RegExp | undefined;
  if (s.idQuery !== undefined) {
    try {
      re = new RegExp(s.idQuery.regexp);
    } catch (e) {
      throw new InvalidArgumentError(`id query ${JSON.stringify(s.idQuery.regexp)} is not a valid regular expression`, {
        cause: e,
      });
    }
  }
  for (const q of lqs) {
    for (const t of q.terms) {
      if (t.op !== 'exists' && (t.values ?? []).length === 0) {
        throw new InvalidArgumentError(`label term on ${JSON.stringify(t.key)} with operator ${t.op} needs a value`);
      }
    }
  }
  if (lqs.length === 0 && re === undefined) return undefined;
  const idRe = re;
  return (m) =>
    (idRe === undefined || idRe.test(m.id)) && (lqs.length === 0 || lqs.some((q) => matchesLabelQuery(q, m.labels)));
}
