// The store's quick spec check agrees with zod: whatever it accepts, zod accepts with the same output; the rest is zod's.
import { expect } from 'chai';
import fc from 'fast-check';
import { z } from 'zod';
import { ALL_TYPES, AddressStatusType, NetworkConditionType, RouteSpecType } from '../index.js';
import { InvalidSpecError } from '../errors.js';
import { checkSpec, quickParse } from './spec-check.js';

/** Values of every kind a spec field could be given, including the awkward ones. */
const anyValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', 'a', '\ud83d\ude00', '\ud800', 'inet4', 'inet6', 'Applied', 'configuration', 'main'),
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1, -1, 2 ** 53, -(2 ** 53), 1.5, NaN, Infinity, -Infinity),
  fc.boolean(),
  fc.constantFrom(undefined, null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);

/** Values of the field's own kind mostly (so that whole objects are often valid), sometimes of any kind. */
function fieldValue(field: unknown): fc.Arbitrary<unknown> {
  const zod = (field as { _zod?: { def?: { type?: string }; values?: Set<unknown> } } | undefined)?._zod;
  const own = (() => {
    switch (zod?.def?.type) {
      case 'string':
        return fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('', '\ud83d\ude00', '\ud800x', 'a@b.c', ' x '));
      case 'number':
        return fc.oneof(fc.integer({ min: -3, max: 8 }), fc.double(), fc.constantFrom(0, -0, 5, 2 ** 53, NaN, 0.5));
      case 'boolean':
        return fc.boolean();
      case 'enum':
        return fc.constantFrom(...(zod.values ?? []), 'other');
      default:
        return anyValue;
    }
  })();
  return fc.oneof({ arbitrary: own, weight: 9 }, { arbitrary: anyValue, weight: 1 });
}

/** An object with the schema's fields (some missing or extra now and then), or something that is not an object. */
function inputs(schema: z.ZodType): fc.Arbitrary<unknown> {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape ?? { a: undefined };
  const keys = Object.keys(shape);
  const full = fc
    .tuple(...keys.map((k) => fieldValue(shape[k])))
    .map((vs) => Object.fromEntries(keys.map((k, i) => [k, vs[i]])));
  const record = fc.dictionary(fc.constantFrom(...keys, 'extra', '__proto__'), anyValue, { maxKeys: keys.length + 2 });
  return fc.oneof({ arbitrary: full, weight: 8 }, { arbitrary: record, weight: 1 }, { arbitrary: anyValue, weight: 1 });
}

/** Checks that quickParse never accepts what zod refuses, and that what it accepts comes out as zod makes it. */
function agrees(schema: z.ZodType, input: unknown): void {
  const quick = quickParse(schema, input);
  if (quick === undefined) return;
  const r = schema.safeParse(input);
  expect(r.success, `zod refuses what the quick path accepted: ${JSON.stringify(input)}`).to.equal(true);
  expect(quick).to.deep.equal(r.data);
  expect(Object.keys(quick)).to.deep.equal(Object.keys(r.data as object));
}

describe('resources/state: the quick spec check', () => {
  it('accepts nothing zod refuses, and gives zod output, for every registered type', () => {
    for (const t of ALL_TYPES) {
      fc.assert(
        fc.property(inputs(t.schema), (input) => {
          agrees(t.schema, input);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('agrees with zod on bounds, formats and modifiers, and leaves to zod what it does not know', () => {
    const schemas = [
      z.object({ a: z.string().min(1), b: z.string().min(2).max(5), c: z.string().max(0) }),
      z.object({ a: z.number().int().nonnegative(), b: z.number().gt(0).gte(0), c: z.number().lt(5).lte(5) }),
      z.object({ a: z.int(), b: z.number().positive().negative(), c: z.boolean() }),
      z.object({ a: z.enum(['x', 'y']), b: z.email() }),
      z.object({ a: z.string().trim() }),
      z.object({ a: z.string().optional() }),
      z.object({ a: z.string().default('d') }),
      z.object({ a: z.string().regex(/^x/) }),
      z.strictObject({ a: z.string() }),
      z.object({ a: z.string() }).refine((o) => o.a !== 'no'),
      z.object({ a: z.coerce.string() }),
    ];
    for (const schema of schemas) {
      fc.assert(
        fc.property(inputs(schema), (input) => {
          agrees(schema, input);
        }),
        { numRuns: 500 },
      );
    }
    // The subset: these take the quick path; formats, modifiers, refinements and coercion do not.
    expect(quickParse(schemas[0] as z.ZodType, { a: 'x', b: 'yyyyyy', c: '' })).to.equal(undefined); // b: too long
    // 3 units may be fewer than 2 code points (a surrogate pair): unsure, so zod decides.
    expect(quickParse(schemas[0] as z.ZodType, { a: 'x', b: 'yyy', c: '' })).to.equal(undefined);
    expect(quickParse(schemas[0] as z.ZodType, { a: 'x', b: 'yyyy', c: '' })).to.deep.equal({
      a: 'x',
      b: 'yyyy',
      c: '',
    });
    expect(quickParse(schemas[3] as z.ZodType, { a: 'x', b: 'a@b.c' })).to.equal(undefined);
    expect(quickParse(schemas[4] as z.ZodType, { a: 'x' })).to.equal(undefined);
    expect(quickParse(schemas[9] as z.ZodType, { a: 'yes' })).to.equal(undefined);
    expect(quickParse(schemas[10] as z.ZodType, { a: 'yes' })).to.equal(undefined);
  });

  it('takes the quick path for the network specs a controller pass writes by the thousand', () => {
    const spec = { specType: 'AddressSpec', specId: 'eth0/10.0.0.1/24', state: 'Applied', reason: '' };
    expect(quickParse(NetworkConditionType.schema, { ...spec, extra: 1 })).to.deep.equal(spec);
    const status = {
      address: '10.0.0.1/24',
      linkName: 'eth0',
      linkIndex: 2,
      family: 'inet4',
      scope: 'global',
      flags: '',
    };
    expect(quickParse(AddressStatusType.schema, status)).to.deep.equal(status);
    expect(quickParse(AddressStatusType.schema, { ...status, linkIndex: -1 })).to.equal(undefined);
  });

  it('checkSpec returns a checked spec as is, and throws zod’s InvalidSpecError for a bad one', () => {
    const route = {
      family: 'inet4',
      destination: '10.1.0.0/24',
      source: '',
      gateway: '10.0.0.1',
      outLinkName: 'eth0',
      table: 'main',
      metric: 1024,
      scope: 'global',
      type: 'unicast',
      protocol: 'static',
      mtu: 0,
      layer: 'configuration',
    };
    const once = checkSpec(RouteSpecType, route, 'here');
    expect(once).to.not.equal(route);
    expect(checkSpec(RouteSpecType, once, 'here')).to.equal(once);
    expect(() => checkSpec(RouteSpecType, { ...route, metric: -1 }, 'network/RouteSpec/x'))
      .to.throw(InvalidSpecError)
      .with.property('message')
      .that.contains('network/RouteSpec/x');
  });
});
