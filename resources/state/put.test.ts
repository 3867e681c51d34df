// putResource: creates, then updates from the version it reads; a write that changes nothing is skipped.
import { expect } from 'chai';
import { at, ItemType } from './conformance/index.js';
import { InMemoryState } from './memory.js';
import { putResource } from './put.js';

describe('putResource', () => {
  it('creates, updates, skips no-ops, and keeps the owner rule', async () => {
    const s = new InMemoryState();
    await s.registerType(ItemType);
    expect((await putResource(s, at('a'), { value: 1 }, { owner: 'me' })).metadata.version).to.equal(1);
    expect((await putResource(s, at('a'), { value: 2 }, { owner: 'me' })).metadata.version).to.equal(2);
    expect((await putResource(s, at('a'), { value: 2 }, { owner: 'me' })).metadata.version).to.equal(2);
    const err = await putResource(s, at('a'), { value: 3 }, { owner: 'other' }).catch((e: unknown) => e);
    expect(err).to.have.property('kind', 'owner');
    const unknown = await putResource(s, { ...at('a'), type: 'Nope' }, {}).catch((e: unknown) => e);
    expect(unknown).to.have.property('code', 'NotFound');
  });
});
