// The config reference: every field is described and listed, and docs/reference/config.md is what renderConfigReference writes.
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { z } from 'zod';
import { MachineConfigSpecSchema } from './document.js';
import { fieldsOf, metaOf, unwrap, type Schema } from './introspect.js';
import { renderConfigReference } from './reference.js';

/** [path as the reference writes it, field schema] for every field. */
function fields(s: Schema, prefix: string, out: [string, Schema][] = []): [string, Schema][] {
  const u = unwrap(s);
  if (u instanceof z.ZodObject) {
    for (const [k, f] of Object.entries(fieldsOf(u) ?? {})) {
      const p = prefix === '' ? k : `${prefix}.${k}`;
      out.push([p, f]);
      fields(f, p, out);
    }
  } else if (u instanceof z.ZodArray) fields(u.element as Schema, `${prefix}[]`, out);
  else if (u instanceof z.ZodRecord) fields(u.valueType as Schema, `${prefix}.*`, out);
  return out;
}

describe('config reference', () => {
  const all = fields(MachineConfigSpecSchema, '');

  it('every field has a one-sentence description', () => {
    const bad = all.filter(([, f]) => !/^[A-Za-z0-9"`].*[.)]$/.test(metaOf(f).description ?? '')).map(([p]) => p);
    expect(bad).to.deep.equal([]);
  });

  it('lists every field by path', () => {
    const md = renderConfigReference();
    expect(all.map(([p]) => p).filter((p) => !md.includes(`| \`${p}\` |`))).to.deep.equal([]);
  });

  it('docs/reference/config.md is up to date', async () => {
    const file = new URL('../../../../docs/reference/config.md', import.meta.url);
    const onDisk = await readFile(file, 'utf8').catch(() => '');
    expect(onDisk === renderConfigReference(), 'docs/reference/config.md is out of date: run `npm run docs`').to.be
      .true;
  });
});
