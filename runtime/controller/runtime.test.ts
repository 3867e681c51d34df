// Tests of ControllerRuntime: registration and ownership, event delivery and coalescing, restarts, abort, shared watches, overruns.
import { expect } from 'chai';
import { InvariantError, withSpec, type Pointer, type Resource } from '../../resources/index.js';
import type { ControllerContext } from './context.js';
import type { Controller, Input } from './controller.js';
import type { QueueController } from './queue.js';
import { ControllerRuntime } from './runtime.js';
import {
  createHarness,
  deferred,
  memoryLogger,
  recordingClock,
  useHarness,
  valueType,
  type Harness,
} from './testing.js';
import { transformController } from './transform.js';

const In = valueType('RtIn');
const Mid = valueType('RtMid');
const Out = valueType('RtOut');
const TYPES = [In, Mid, Out];
const NS = 'test';

const ptr = (type: string, id: string): Pointer => ({ namespace: NS, type, id });
const valueIs =
  (v: string) =>
  (r: Resource | undefined): boolean =>
    (r?.spec as { value?: string } | undefined)?.value === v;

/** A controller with the given declaration and pass. */
function controller(
  name: string,
  inputs: Input[],
  outputs: Controller['outputs'],
  reconcile: (ctx: ControllerContext) => Promise<void>,
): Controller {
  return { name, inputs, outputs, reconcile };
}

/** Copies In/x to Out/x on each pass; counts passes in `passes.n`. */
function copyX(name: string, passes: { n: number }, before: () => void = () => undefined): Controller {
  return controller(
    name,
    [{ namespace: NS, type: In.type, kind: 'weak' }],
    [{ type: Out.type, kind: 'exclusive' }],
    async (ctx) => {
      passes.n++;
      before();
      const x = await ctx.get(In, NS, 'x');
      if (x !== undefined) await ctx.modify(Out, NS, 'x', () => ({ value: x.spec.value }));
    },
  );
}

/** A queue controller that only records which input pointers it was handed. */
function probe(name: string, input: Input, calls: string[]): QueueController {
  return {
    name,
    inputs: [input],
    outputs: [],
    mapInput: (p) => (calls.push(p.id), []),
    reconcileKey: () => Promise.resolve(),
  };
}

const noop = (): Promise<void> => Promise.resolve();

describe('ControllerRuntime', () => {
  describe('registration', () => {
    const h = useHarness({ types: TYPES });
    const out = (kind: 'exclusive' | 'shared') => [{ type: Out.type, kind }] as const;

    it('refuses a duplicate controller name', () => {
      h().runtime.register(controller('test.AController', [], [], noop));
      expect(() => {
        h().runtime.register(controller('test.AController', [], [], noop));
      }).to.throw(InvariantError, 'test.AController is registered twice');
    });

    it('refuses a second exclusive owner of an output type, naming both controllers and the type', () => {
      h().runtime.register(controller('test.FirstController', [], out('exclusive'), noop));
      expect(() => {
        h().runtime.registerQueue({
          ...probe('test.SecondController', { namespace: NS, type: In.type, kind: 'weak' }, []),
          outputs: out('exclusive'),
        });
      }).to.throw(
        InvariantError,
        /test\.FirstController and test\.SecondController both claim output type RtOut as exclusive/,
      );
    });

    it('refuses mixing exclusive and shared claims on one type, in either order', () => {
      const rt = h().runtime;
      rt.register(controller('test.ExclusiveController', [], out('exclusive'), noop));
      expect(() => {
        rt.register(controller('test.SharedController', [], out('shared'), noop));
      }).to.throw(
        InvariantError,
        /test\.SharedController claims output type RtOut as shared, but test\.ExclusiveController claims it as exclusive/,
      );
      const other = new ControllerRuntime(h().state);
      other.register(controller('test.SharedController', [], out('shared'), noop));
      expect(() => {
        other.register(controller('test.ExclusiveController', [], out('exclusive'), noop));
      }).to.throw(
        InvariantError,
        /test\.ExclusiveController claims output type RtOut as exclusive, but test\.SharedController/,
      );
    });

    it('accepts several shared writers of a type', () => {
      h().runtime.register(controller('test.OneController', [], out('shared'), noop));
      h().runtime.register(controller('test.TwoController', [], out('shared'), noop));
      expect([...h().runtime.stats().keys()]).to.deep.equal(['test.OneController', 'test.TwoController']);
    });

    it('refuses a malformed name and registration after start', () => {
      expect(() => {
        h().runtime.register(controller('AddressSpec', [], [], noop));
      }).to.throw(InvariantError, 'network.AddressSpecController');
      h().start();
      expect(() => {
        h().runtime.register(controller('test.LateController', [], [], noop));
      }).to.throw(InvariantError, 'after the runtime started');
    });
  });

  describe('event delivery', () => {
    const h = useHarness({ types: TYPES });

    it('runs every controller once at start, even with no inputs present', async () => {
      const passes = { n: 0 };
      h().runtime.register(copyX('test.CopyController', passes));
      h().runtime.register(controller('test.NoInputController', [], [], noop));
      h().start();
      await h().until(() => [...h().runtime.stats().values()].every((s) => s.reconciles === 1), 'first passes');
      expect(passes.n).to.equal(1);
    });

    it('coalesces signals: 100 rapid updates cause far fewer passes, and the last state is seen', async () => {
      const passes = { n: 0 };
      let cur = await h().state.create({ metadata: ptr(In.type, 'x'), spec: { value: '0' } });
      h().runtime.register(copyX('test.CopyController', passes));
      h().start();
      await h().waitFor(ptr(Out.type, 'x'), valueIs('0'));
      for (let i = 1; i <= 100; i++) cur = await h().state.update(withSpec(cur, { value: String(i) }));
      await h().waitFor(ptr(Out.type, 'x'), valueIs('100'));
      expect(passes.n).to.be.lessThan(10);
      expect(h().runtime.stats().get('test.CopyController')?.reconciles).to.equal(passes.n);
    });

    it('signals an input with an id for that id only, and a destroyReady input only for a teardown with no finalizers', async () => {
      const { state, runtime } = h();
      for (const id of ['x', 'y']) await state.create({ metadata: ptr(In.type, id), spec: { value: id } });
      const byId: string[] = [];
      const all: string[] = [];
      const ready: string[] = [];
      runtime.registerQueue(probe('test.IdProbe', { namespace: NS, type: In.type, id: 'x', kind: 'weak' }, byId));
      runtime.registerQueue(probe('test.AllProbe', { namespace: NS, type: In.type, kind: 'weak' }, all));
      runtime.registerQueue(probe('test.ReadyProbe', { namespace: NS, type: In.type, kind: 'destroyReady' }, ready));
      h().start();
      await h().until(() => all.length === 2, 'the bootstrap');
      const y = await state.get(ptr(In.type, 'y'));
      await state.update(withSpec(y, { value: 'y2' }));
      await state.addFinalizer(ptr(In.type, 'x'), ['holder']);
      await state.teardown(ptr(In.type, 'x'));
      await state.teardown(ptr(In.type, 'y'));
      await state.removeFinalizer(ptr(In.type, 'x'), ['holder']);
      await state.destroy(ptr(In.type, 'y'));
      await state.create({ metadata: ptr(In.type, 'z'), spec: { value: 'sentinel' } });
      await h().until(() => all.includes('z'), 'the sentinel');
      expect(all).to.deep.equal(['x', 'y', 'y', 'x', 'x', 'y', 'x', 'y', 'z']);
      expect(byId).to.deep.equal(['x', 'x', 'x', 'x']);
      expect(ready).to.deep.equal(['y', 'x']);
    });

    it('one shared watch per kind: two controllers on one kind open one cursor', async () => {
      const { state, runtime } = h();
      const onIn: Input = { namespace: NS, type: In.type, kind: 'weak' };
      runtime.register(controller('test.OneController', [onIn], [], noop));
      runtime.register(
        controller('test.TwoController', [onIn, { namespace: NS, type: Mid.type, kind: 'strong' }], [], noop),
      );
      runtime.registerQueue(probe('test.ThreeController', { namespace: NS, type: In.type, kind: 'destroyReady' }, []));
      h().start();
      await h().until(() => [...runtime.stats().values()].every((s) => s.running), 'all running');
      await h().until(() => (runtime.stats().get('test.TwoController')?.reconciles ?? 0) > 0, 'first passes');
      expect(state.stats().watchers).to.equal(2);
    });

    it('lets the store refuse a write to a resource another controller owns', async () => {
      const { runtime } = h();
      const shared = [{ type: Out.type, kind: 'shared' }] as const;
      runtime.register(
        controller('test.MakerController', [], shared, async (ctx) => {
          await ctx.modify(Out, NS, 'x', () => ({ value: 'maker' }));
        }),
      );
      await h().state.create({ metadata: ptr(In.type, 'go'), spec: { value: '' } });
      runtime.register(
        controller('test.TakerController', [{ namespace: NS, type: Out.type, kind: 'weak' }], shared, async (ctx) => {
          if ((await ctx.get(Out, NS, 'x')) !== undefined) await ctx.modify(Out, NS, 'x', () => ({ value: 'taker' }));
        }),
      );
      h().start();
      await h().until(() => (runtime.stats().get('test.TakerController')?.crashes ?? 0) > 0, 'a refused write');
      expect(runtime.stats().get('test.TakerController')?.lastError).to.match(/owned by "test\.MakerController"/);
      expect((await h().state.get(ptr(Out.type, 'x'))).spec).to.deep.equal({ value: 'maker' });
    });
  });

  describe('restarts', () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.stop();
      h = undefined;
    });

    it('counts crashes, backs off longer after each, and resets the backoff after a good pass', async () => {
      const sleeps: number[] = [];
      h = await createHarness({
        types: TYPES,
        runtime: { clock: recordingClock(sleeps), backoff: { baseMs: 2, maxMs: 1000 }, random: () => 0.5 },
      });
      let failures = 4;
      const passes = { n: 0 };
      h.runtime.register(
        copyX('test.FlakyController', passes, () => {
          if (failures > 0) throw new Error(`flaky, ${--failures} failures to go`);
        }),
      );
      const x = await h.state.create({ metadata: ptr(In.type, 'x'), spec: { value: 'a' } });
      h.start();
      await h.waitFor(ptr(Out.type, 'x'), valueIs('a'));
      expect(sleeps).to.deep.equal([2, 4, 8, 16]);
      expect(h.runtime.stats().get('test.FlakyController')).to.deep.equal({
        reconciles: 5,
        crashes: 4,
        lastError: 'flaky, 0 failures to go',
        running: true,
      });
      failures = 1;
      await h.state.update(withSpec(x, { value: 'b' }));
      await h.waitFor(ptr(Out.type, 'x'), valueIs('b'));
      expect(sleeps).to.deep.equal([2, 4, 8, 16, 2]);
      expect(h.runtime.stats().get('test.FlakyController')?.crashes).to.equal(5);
    });

    it('a controller throwing in a loop does not starve a working chain', async () => {
      h = await createHarness({ types: TYPES, runtime: { backoff: { baseMs: 1, maxMs: 2 } } });
      const onIn: Input = { namespace: NS, type: In.type, kind: 'weak' };
      h.runtime.register(
        controller('test.BrokenController', [onIn], [], () => Promise.reject(new Error('always broken'))),
      );
      h.runtime.register(
        transformController({
          name: 'test.InMidController',
          input: { type: In, namespace: NS },
          output: { type: Mid, namespace: NS },
          map: (r) => ({ id: r.metadata.id, spec: { value: `${r.spec.value}>mid` } }),
        }),
      );
      h.runtime.register(
        transformController({
          name: 'test.MidOutController',
          input: { type: Mid, namespace: NS },
          output: { type: Out, namespace: NS },
          map: (r) => ({ id: r.metadata.id, spec: { value: `${r.spec.value}>out` } }),
        }),
      );
      h.start();
      for (let i = 0; i < 50; i++) {
        await h.state.create({ metadata: ptr(In.type, `i${i}`), spec: { value: String(i) } });
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await h.waitFor(ptr(Out.type, 'i49'), valueIs('49>mid>out'));
      expect(await h.state.list({ namespace: NS, type: Out.type })).to.have.length(50);
      const stats = h.runtime.stats();
      expect(stats.get('test.BrokenController')?.crashes).to.be.greaterThan(2);
      expect(stats.get('test.BrokenController')?.lastError).to.equal('always broken');
      expect(stats.get('test.InMidController')?.crashes).to.equal(0);
      expect(stats.get('test.MidOutController')?.crashes).to.equal(0);
    });
  });

  describe('abort', () => {
    it('is a clean exit during a reconcile: no crash, every cursor closed', async () => {
      const h = await createHarness({ types: TYPES });
      const entered = deferred();
      h.runtime.register(
        controller('test.BlockingController', [{ namespace: NS, type: In.type, kind: 'weak' }], [], (ctx) => {
          entered.resolve();
          return new Promise((_, reject) => {
            ctx.signal.addEventListener('abort', () => {
              reject(new Error('stopped while reconciling'));
            });
          });
        }),
      );
      h.start();
      await entered.promise;
      await h.stop();
      expect(h.runtime.stats().get('test.BlockingController')).to.deep.equal({
        reconciles: 1,
        crashes: 0,
        running: false,
      });
    });

    it('ends a crash backoff at once', async () => {
      const h = await createHarness({ types: TYPES, runtime: { backoff: { baseMs: 60_000, maxMs: 60_000 } } });
      h.runtime.register(controller('test.BrokenController', [], [], () => Promise.reject(new Error('broken'))));
      h.start();
      await h.until(() => h.runtime.stats().get('test.BrokenController')?.crashes === 1, 'the first crash');
      const t0 = Date.now();
      await h.stop();
      expect(Date.now() - t0).to.be.lessThan(1000);
    });

    it('resolves at once when the signal is already aborted', async () => {
      const h = await createHarness({ types: TYPES });
      const rt = h.runtime;
      rt.register(copyX('test.CopyController', { n: 0 }));
      await rt.run(AbortSignal.abort());
      expect(h.state.stats().watchers).to.equal(0);
      await h.stop();
    });
  });

  describe('watch overrun', () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.stop();
      h = undefined;
    });

    it('re-bootstraps a watch that fell behind the history; controllers converge and queues hear of what vanished', async () => {
      const logs: string[] = [];
      h = await createHarness({
        types: TYPES,
        history: { initial: 4, max: 16 },
        runtime: { logger: memoryLogger(logs) },
      });
      const { state, runtime } = h;
      const seen: string[] = [];
      runtime.registerQueue(probe('test.SeenProbe', { namespace: NS, type: In.type, kind: 'weak' }, seen));
      runtime.register(
        transformController({
          name: 'test.CopyController',
          input: { type: In, namespace: NS },
          output: { type: Out, namespace: NS },
          map: (r) => ({ id: r.metadata.id, spec: r.spec }),
        }),
      );
      await state.create({ metadata: ptr(In.type, 'old'), spec: { value: 'old' } });
      h.start();
      await h.waitFor(ptr(Out.type, 'old'), (r) => r !== undefined);
      // Written in one turn, so the runtime's cursor cannot read in between: 101 events against a history of 16.
      await Promise.all([
        state.destroy(ptr(In.type, 'old')),
        ...Array.from({ length: 100 }, (_, i) =>
          state.create({ metadata: ptr(In.type, `burst-${String(i).padStart(3, '0')}`), spec: { value: String(i) } }),
        ),
      ]);
      await h.waitFor(ptr(Out.type, 'burst-099'), valueIs('99'));
      await h.waitFor(ptr(Out.type, 'old'), (r) => r === undefined);
      expect(await state.list({ namespace: NS, type: Out.type })).to.have.length(100);
      expect(runtime.watchOverruns().get(`${NS}/${In.type}`)).to.be.greaterThan(0);
      expect(logs.some((l) => l.startsWith(`warn runtime.watch(${NS}/${In.type}) buffer overrun`))).to.equal(true);
      await h.until(() => seen.includes('old') && seen.filter((id) => id === 'old').length === 2, 'the gone id');
      expect([...runtime.stats().values()].every((s) => s.crashes === 0)).to.equal(true);
    });
  });
});
