// Test helpers (imported by tests only): edit a document at a path, and collect the issues a validation throws.
import { expect } from 'chai';
import { ConfigValidationError, type ConfigIssue } from './issues.js';

/** Sets (or, with undefined, deletes) the value at `path` in a copy of `doc`. */
export function edit<T>(doc: T, path: readonly PropertyKey[], value: unknown): T {
  const copy = structuredClone(doc);
  let cur: unknown = copy;
  path.slice(0, -1).forEach((k) => {
    cur = (cur as Record<PropertyKey, unknown>)[k];
  });
  const last = path.at(-1);
  if (last === undefined) throw new Error('edit needs a path');
  const parent = cur as Record<PropertyKey, unknown>;
  if (value === undefined) Reflect.deleteProperty(parent, last);
  else parent[last] = value;
  return copy;
}

/** The issues `fn` throws as a ConfigValidationError; fails the test when it returns or throws anything else. */
export function issuesOf(fn: () => unknown): readonly ConfigIssue[] {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigValidationError);
    return (e as ConfigValidationError).issues;
  }
  expect.fail('expected a ConfigValidationError');
}

/** Asserts that exactly one issue is at `path` and its message matches `message` (a string must equal it). */
export function expectIssue(issues: readonly ConfigIssue[], path: string, message: string | RegExp): void {
  const at = issues.filter((i) => i.path === path);
  expect(at, `issues at ${path} among:\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`).to.have.length(1);
  const got = at[0]?.message ?? '';
  if (typeof message === 'string') expect(got).to.equal(message);
  else expect(got).to.match(message);
}
