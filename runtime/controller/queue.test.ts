// Tests of queue controllers: key mapping and deduplication, keys held while in flight, per-key backoff, requeues.
import { expect } from 'chai';
import { withSpec, type Pointer, type Resource } from '../../resources/index.js';
import type { ControllerContext } from './context.js';
import { requeueAfter, type QueueController } from './queue.js';
import { createHarness, deferred, recordingClock, valueType, type Harness, type HarnessOptions } from './testing.js';

const Item = valueType('QItem');
const Done = valueType('QDone');
const NS = 'test';

const at = (type: string, id: string): Pointer => ({ namespace: NS, type, id });
const valueIs =
  (v: string) =>
  (r: Resource | undefined): boolean =>
    (r?.spec as { value?: string } | undefined)?.value === v;

/** A queue controller on Item that maps item `id` to key Done/`id` (or as `keyOf` says) and runs `body` per key. */
function itemQueue(
  body: QueueController['reconcileKey'],
  opts: { concurrency?: number; keyOf?: (id: string) => string; mapped?: string[] } = {},
): QueueController {
  return {
    name: 'test.ItemQueueController',
    inputs: [{ namespace: NS, type: Item.type, kind: 'weak' }],
    outputs: [{ type: Done.type, kind: 'exclusive' }],
    concurrency: opts.concurrency ?? 1,
    mapInput: (p) => {
      opts.mapped?.push(p.id);
      return [at(Done.type, (opts.keyOf ?? ((id) => id))(p.id))];
    },
    reconcileKey: body,
  };
}

/** Copies Item/<key id> to Done/<key id>. */
async function copy(ctx: ControllerContext, key: Pointer): Promise<void> {
  const item = await ctx.get(Item, NS, key.id);
  if (item !== undefined) await ctx.modify(Done, NS, key.id, () => item.spec);
}

describe('QueueController', () => {
  let h: Harness | undefined;
  const harness = async (opts: Partial<HarnessOptions> = {}): Promise<Harness> => {
    h = await createHarness({ types: [Item, Done], ...opts });
    return h;
  };
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('reconciles the keys mapInput returns (sync or async), deduplicated', async () => {
    const { state, runtime, start, until } = await harness();
    const runs: string[] = [];
    runtime.registerQueue({
      ...itemQueue(
        async (ctx, key) => {
          runs.push(key.id);
          await ctx.modify(Done, NS, key.id, () => ({ value: 'done' }));
          return undefined;
        },
        { keyOf: (id) => (id.startsWith('g') ? 'group' : id) },
      ),
      mapInput: (p) => Promise.resolve([at(Done.type, p.id.startsWith('g') ? 'group' : p.id)]),
    });
    for (const id of ['g1', 'g2', 'g3', 'solo'])
      await state.create({ metadata: at(Item.type, id), spec: { value: id } });
    start();
    await until(() => runs.length === 2, 'two keys');
    expect([...runs].sort()).to.deep.equal(['group', 'solo']);
    expect(runtime.stats().get('test.ItemQueueController')?.reconciles).to.equal(2);
  });

  it('never reconciles a key twice at once: a key signalled while in flight runs once more after it', async () => {
    const { state, runtime, start, until, waitFor } = await harness();
    const gate = deferred();
    const entered = deferred();
    const mapped: string[] = [];
    const inFlight = new Map<string, number>();
    let maxSlow = 0;
    let slowRuns = 0;
    runtime.registerQueue(
      itemQueue(
        async (ctx, key) => {
          inFlight.set(key.id, (inFlight.get(key.id) ?? 0) + 1);
          if (key.id === 'slow') {
            maxSlow = Math.max(maxSlow, inFlight.get(key.id) ?? 0);
            if (++slowRuns === 1) {
              entered.resolve();
              await gate.promise;
            }
          }
          await copy(ctx, key);
          inFlight.set(key.id, (inFlight.get(key.id) ?? 1) - 1);
          return undefined;
        },
        { concurrency: 4, mapped },
      ),
    );
    let slow = await state.create({ metadata: at(Item.type, 'slow'), spec: { value: 's0' } });
    const fast = await state.create({ metadata: at(Item.type, 'fast'), spec: { value: 'f0' } });
    start();
    await entered.promise;
    for (let i = 1; i <= 3; i++) slow = await state.update(withSpec(slow, { value: `s${i}` }));
    await state.update(withSpec(fast, { value: 'f1' }));
    // Other keys go on while `slow` is held; its three new signals are all delivered meanwhile.
    await waitFor(at(Done.type, 'fast'), valueIs('f1'));
    await until(() => mapped.filter((id) => id === 'slow').length === 4, 'the signals of slow');
    expect(slowRuns).to.equal(1);
    gate.resolve();
    await until(() => slowRuns === 2 && inFlight.get('slow') === 0, 'the rerun of slow');
    await waitFor(at(Done.type, 'slow'), valueIs('s3'));
    expect(maxSlow).to.equal(1);
  });

  it('retries a failing key with its own growing backoff while other keys go on, and resets it after a success', async () => {
    const sleeps: number[] = [];
    const { state, runtime, start, waitFor } = await harness({
      runtime: { clock: recordingClock(sleeps), backoff: { baseMs: 5, maxMs: 1000 }, random: () => 0.5 },
    });
    let failures = 3;
    const order: string[] = [];
    runtime.registerQueue(
      itemQueue(async (ctx, key) => {
        if (key.id === 'bad' && failures > 0) {
          failures--;
          throw new Error('bad key failed');
        }
        order.push(key.id);
        await copy(ctx, key);
        return undefined;
      }),
    );
    const bad = await state.create({ metadata: at(Item.type, 'bad'), spec: { value: 'b0' } });
    await state.create({ metadata: at(Item.type, 'good'), spec: { value: 'g0' } });
    start();
    await waitFor(at(Done.type, 'bad'), valueIs('b0'));
    expect(order).to.deep.equal(['good', 'bad']);
    expect(sleeps).to.deep.equal([5, 10, 20]);
    const stats = runtime.stats().get('test.ItemQueueController');
    expect(stats?.crashes).to.equal(3);
    expect(stats?.lastError).to.equal('test/QDone/bad: bad key failed');

    failures = 1;
    await state.update(withSpec(bad, { value: 'b1' }));
    await waitFor(at(Done.type, 'bad'), valueIs('b1'));
    expect(sleeps).to.deep.equal([5, 10, 20, 5]);
  });

  it('honours requeueAfter without any input change', async () => {
    const sleeps: number[] = [];
    const { state, runtime, start, until } = await harness({ runtime: { clock: recordingClock(sleeps) } });
    let runs = 0;
    runtime.registerQueue(
      itemQueue(() => {
        runs++;
        return Promise.resolve(runs < 3 ? requeueAfter(3) : undefined);
      }),
    );
    await state.create({ metadata: at(Item.type, 'r'), spec: { value: 'r' } });
    start();
    await until(() => runs === 3, 'three runs');
    expect(sleeps).to.deep.equal([3, 3]);
    expect(runtime.stats().get('test.ItemQueueController')?.crashes).to.equal(0);
  });

  it('counts a throwing mapInput as a crash and goes on', async () => {
    const { state, runtime, start, until } = await harness();
    runtime.registerQueue({
      ...itemQueue(copy),
      mapInput: (p) => {
        if (p.id === 'boom') throw new Error('cannot map boom');
        return [at(Done.type, p.id)];
      },
    });
    await state.create({ metadata: at(Item.type, 'boom'), spec: { value: 'x' } });
    await state.create({ metadata: at(Item.type, 'ok'), spec: { value: 'ok' } });
    start();
    await until(() => runtime.stats().get('test.ItemQueueController')?.crashes === 1, 'the crash');
    await h?.waitFor(at(Done.type, 'ok'), valueIs('ok'));
    expect(runtime.stats().get('test.ItemQueueController')?.lastError).to.equal(
      'mapInput(test/QItem/boom): cannot map boom',
    );
  });
});
