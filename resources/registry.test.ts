// Every listed resource type registers, with a unique name and aliases, into a store's meta namespace.
import { expect } from 'chai';
import { ALL_TYPES } from './registry.js';
import { InMemoryState } from './state/memory.js';

describe('resource registry', () => {
  it('registers every type and describes it in namespace meta', async () => {
    const state = new InMemoryState();
    for (const t of ALL_TYPES) await state.registerType(t);
    const rds = await state.list({ namespace: 'meta', type: 'ResourceDefinition' });
    expect(rds.map((r) => r.metadata.id)).to.have.members(ALL_TYPES.map((t) => t.type));
  });

  it('no alias names two types', () => {
    const owner = new Map<string, string>();
    for (const t of ALL_TYPES) {
      for (const a of t.definition.aliases) {
        expect(owner.get(a), `alias ${a}`).to.be.oneOf([undefined, t.type]);
        owner.set(a, t.type);
      }
    }
  });
});
