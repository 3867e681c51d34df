// syncOutputs and WriteBatch: a pass of thousands of writes reaches every watcher without overrunning its history.
import { expect } from 'chai';
import { AddressStatusType, NETWORK_NAMESPACE, type AddressStatusSpec } from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { WriteBatch, syncOutputs } from './sync.js';

const KIND = { namespace: NETWORK_NAMESPACE, type: AddressStatusType.type };

function spec(i: number): AddressStatusSpec {
  const address = `10.${Math.floor(i / 250)}.${i % 250}.1/32`;
  return { address, linkName: 'eth0', linkIndex: 2, family: 'inet4', scope: 'global', flags: '' };
}

/** A controller whose passes sync AddressStatus to `desired()`. */
function syncer(desired: () => ReadonlyMap<string, AddressStatusSpec>): Controller {
  return {
    name: 'test.Syncer',
    inputs: [],
    outputs: [{ type: AddressStatusType.type, kind: 'exclusive' }],
    reconcile: (ctx: ControllerContext) => syncOutputs(ctx, AddressStatusType, NETWORK_NAMESPACE, desired()),
  };
}

describe('syncOutputs', () => {
  const h = useHarness({ types: [AddressStatusType] });
  // More than a collection's whole history (1,024 events) in one pass.
  const COUNT = 3 * 1024;

  it('writes thousands of resources in one pass; a watcher sees every one without an overrun', async () => {
    const cursor = await h().state.cursor(KIND, {});
    const seen = new Set<string>();
    const reading = (async () => {
      while (seen.size < COUNT) {
        const batch = await cursor.next();
        if (batch === null) return;
        for (const e of batch) {
          if (e.type === 'errored') throw e.error;
          if (e.type === 'created') seen.add(e.resource.metadata.id);
        }
      }
    })();
    const desired = new Map(Array.from({ length: COUNT }, (_, i) => [`eth0/${String(i)}`, spec(i)] as const));
    h().runtime.register(syncer(() => desired));
    h().start();
    try {
      await reading;
    } finally {
      cursor.close();
    }
    expect(seen.size).to.equal(COUNT);
    expect(await h().state.list(KIND)).to.have.length(COUNT);
  });
});

describe('WriteBatch', () => {
  it('asks to be flushed at its limit, and a flush rethrows the first failure after every write settled', async () => {
    const writes = new WriteBatch();
    let settled = 0;
    const later = (ok: boolean, why: string) =>
      new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          settled++;
          if (ok) resolve();
          else reject(new Error(why));
        }),
      );
    for (let i = 0; i < WriteBatch.LIMIT - 3; i++) writes.add(later(true, ''));
    writes.add(later(false, 'first'));
    writes.add(later(false, 'second'));
    expect(writes.full).to.equal(false);
    writes.add(later(true, ''));
    expect(writes.full).to.equal(true);
    let error: unknown;
    await writes.flush().catch((e: unknown) => (error = e));
    expect(settled).to.equal(WriteBatch.LIMIT);
    expect(error).to.be.instanceOf(Error).with.property('message', 'first');
    expect(writes.full).to.equal(false);
  });
});
