// Property tests: random mutations of a valid config never make validation throw anything but a well-formed ConfigValidationError.
import { expect } from 'chai';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { MachineConfigSpecSchema } from './document.js';
import { b64, fullConfig, testPki, workerConfig, type Json } from './fixture.js';
import { ConfigValidationError, type ConfigIssue } from './issues.js';
import { validateMachineConfig, type ValidationMode } from './validate.js';
import { parseMachineConfigYaml } from './yaml.js';

type Path = readonly (string | number)[];

function pathsOf(v: Json, at: Path = [], out: Path[] = []): Path[] {
  if (at.length > 0) out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

const bases = [fullConfig(), workerConfig()];
const base = bases[0]!;
const allPaths = pathsOf(base);
const get = (doc: unknown, p: Path): unknown =>
  p.reduce<unknown>(
    (v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    doc,
  );
const stringPaths = allPaths.filter((p) => typeof get(base, p) === 'string');
const objectPaths = allPaths.filter((p) => {
  const v = get(base, p);
  return v !== null && typeof v === 'object' && !Array.isArray(v);
});

/** Strings that look like what these fields hold, and some that do not. */
const stringish: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: -3, max: 140 })).map(([ip, n]) => `${ip}/${n}`),
  fc.base64String(),
  fc.string().map((s) => b64(`-----BEGIN CERTIFICATE-----\n${s}\n-----END CERTIFICATE-----\n`)),
  fc.string().map((s) => b64(`-----BEGIN PRIVATE KEY-----\n${b64(s)}\n-----END PRIVATE KEY-----\n`)),
  fc.webUrl(),
  fc.domain(),
);

type Mutation =
  | { readonly kind: 'delete'; readonly at: Path }
  | { readonly kind: 'set'; readonly at: Path; readonly value: unknown }
  | { readonly kind: 'extra'; readonly at: Path; readonly key: string; readonly value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.constantFrom(...allPaths) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.constantFrom(...allPaths), value: fc.anything() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.constantFrom(...stringPaths), value: stringish }),
  fc.record({
    kind: fc.constant('extra' as const),
    at: fc.constantFrom(...objectPaths),
    key: fc.oneof(fc.string(), fc.constantFrom('netwrk', 'adresses', 'gatway', 'hostName', 'intrefaces')),
    value: fc.jsonValue(),
  }),
);

function apply(doc: unknown, m: Mutation): void {
  const parent = get(doc, m.at.slice(0, -1));
  const last = m.at.at(-1)!;
  if (parent === null || typeof parent !== 'object') return; // an earlier mutation removed or replaced it
  const obj = parent as Record<PropertyKey, unknown>;
  if (m.kind === 'delete') Reflect.deleteProperty(obj, last);
  else if (m.kind === 'set') obj[last] = m.value;
  else {
    const target = obj[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target))
      (target as Record<string, unknown>)[m.key] = m.value;
  }
}

const mutated = fc
  .tuple(fc.constantFrom(...bases), fc.array(mutation, { minLength: 1, maxLength: 5 }))
  .map(([b, ms]) => {
    const doc = structuredClone(b);
    for (const m of ms) apply(doc, m);
    return doc;
  });
const options = fc.record({
  mode: fc.constantFrom<ValidationMode>('metal', 'container', 'cloud'),
  strict: fc.boolean(),
});

const p = testPki();
const secrets = [p.machineCa.key, p.clusterCa.key, p.etcdCa.key, p.aggregatorCa.key, p.serviceAccountKey].map((k) =>
  k.slice(60, 100),
);

function wellFormed(issues: readonly ConfigIssue[]): void {
  for (const i of issues) {
    expect(i.path, JSON.stringify(i)).to.be.a('string').and.not.equal('');
    expect(i.message, JSON.stringify(i)).to.be.a('string').and.not.equal('');
    expect(i.message, JSON.stringify(i)).not.to.include('\n');
    for (const s of [...secrets, 'hunter2']) expect(i.message).not.to.include(s);
  }
}

/** Runs `fn`; it may return or throw a ConfigValidationError with well-formed issues, nothing else. */
function onlyConfigErrors(fn: () => { readonly warnings: readonly ConfigIssue[] }): boolean {
  try {
    wellFormed(fn().warnings);
    return true;
  } catch (e) {
    if (!(e instanceof ConfigValidationError)) throw e;
    expect(e.issues).not.to.be.empty;
    wellFormed(e.issues);
    return false;
  }
}

describe('config validation under random mutations', function () {
  this.timeout(120_000);

  it('validateMachineConfig returns or throws a well-formed ConfigValidationError', () => {
    fc.assert(
      fc.property(mutated, options, (doc, o) => {
        onlyConfigErrors(() => validateMachineConfig(doc, o));
      }),
      { numRuns: 300 },
    );
  });

  it('the store schema accepts exactly what non-strict container validation accepts', () => {
    fc.assert(
      fc.property(mutated, (doc) => {
        const accepted = onlyConfigErrors(() => validateMachineConfig(doc, { mode: 'container', strict: false }));
        expect(MachineConfigSpecSchema.safeParse(doc).success).to.equal(accepted);
      }),
      { numRuns: 300 },
    );
  });

  it('parseMachineConfigYaml does the same for the YAML of mutated configs', () => {
    fc.assert(
      fc.property(mutated, options, (doc, o) => {
        const text = stringify(doc);
        onlyConfigErrors(() => parseMachineConfigYaml(text, { ...o, source: 'm.yaml' }));
      }),
      { numRuns: 150 },
    );
  });

  it('parseMachineConfigYaml survives random edits of the text', () => {
    const text = stringify(base);
    const edit = fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: 40 }), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), options, (edits, o) => {
        let t = text;
        for (const [at, del, ins] of edits) t = t.slice(0, at) + ins + t.slice(at + del);
        onlyConfigErrors(() => parseMachineConfigYaml(t, o));
      }),
      { numRuns: 200 },
    );
  });
});
