// The State conformance suite: every rule of the State interface, run against each implementation.
import { expect } from 'chai';
import { DEFAULT_HISTORY } from '../collection.js';
import { crudSuite } from './crud.js';
import { ItemType, type StateFactory, type StateUnderTest } from './fixture.js';
import { watchSuite } from './watch.js';

export { ItemType, KIND, at, item, show, type StateFactory, type StateUnderTest } from './fixture.js';

/** Registers the conformance suite for one State implementation. */
export function describeStateConformance(name: string, factory: StateFactory): void {
  describe(`State conformance: ${name}`, function () {
    let sut: StateUnderTest | undefined;
    const get = (): StateUnderTest => {
      if (sut === undefined) throw new Error('no store under test');
      return sut;
    };
    beforeEach(async () => {
      sut = await factory({ types: [ItemType], history: { ...DEFAULT_HISTORY, max: 256 } });
    });
    afterEach(async function () {
      const s = sut;
      sut = undefined;
      if (s === undefined) return;
      const open = s.watchers();
      await s.close();
      if (this.currentTest?.state === 'passed') expect(open, 'watch cursors left open by the test').to.equal(0);
    });
    describe('reads and writes', () => {
      crudSuite(get);
    });
    describe('watches', () => {
      watchSuite(get, factory);
    });
  });
}
