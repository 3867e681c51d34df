// Measures how long a chain of 3 transform controllers (A -> B -> C -> D) takes to converge over 10,000 inputs; target <= 2 s.
import { z } from 'zod';
import { InMemoryState, defineResource, type Kind, type ResourceType, type State } from '../../resources/index.js';
import { ControllerRuntime, transformController, type Controller } from '../../runtime/index.js';

const COUNT = 10_000;
const NAMESPACE = 'bench';
const TIMEOUT_MS = 30_000;

/** Spec of every link of the chain: a number each stage increments. */
const StageSpecSchema = z.object({ value: z.number().describe('The input value plus one per stage passed.') });

type StageSpec = z.infer<typeof StageSpecSchema>;

function stageType(name: string): ResourceType<StageSpec> {
  return defineResource({ type: name, schema: StageSpecSchema, defaultNamespace: NAMESPACE });
}

const TYPES = [stageType('ChainA'), stageType('ChainB'), stageType('ChainC'), stageType('ChainD')] as const;

function stage(name: string, from: ResourceType<StageSpec>, to: ResourceType<StageSpec>): Controller {
  return transformController<StageSpec, StageSpec>({
    name: `bench.${name}`,
    input: { type: from, namespace: NAMESPACE },
    output: { type: to, namespace: NAMESPACE },
    map: (r) => ({ id: r.metadata.id, spec: { value: r.spec.value + 1 } }),
  });
}

/** Resolves once `count` resources of `kind` exist, counted from a bootstrapped watch (re-bootstrapped if it falls behind). */
async function countTo(state: State, kind: Kind, count: number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const cursor = await state.cursor(kind, { bootstrapContents: true });
    const ids = new Set<string>();
    try {
      for (;;) {
        const batch = await cursor.next(signal);
        if (batch === null) return;
        for (const e of batch) {
          if (e.type === 'errored') break;
          if (e.type === 'created') ids.add(e.resource.metadata.id);
          else if (e.type === 'destroyed') ids.delete(e.resource.metadata.id);
        }
        if (ids.size >= count) return;
        if (batch.some((e) => e.type === 'errored')) break;
      }
    } finally {
      cursor.close();
    }
  }
}

/** Runs the bench: the runtime starts idle, then 10,000 ChainA inputs are created one by one; the clock stops when the 10,000th ChainD exists. */
export async function run(): Promise<string[]> {
  const state = new InMemoryState();
  for (const t of TYPES) await state.registerType(t);
  const [a, b, c, d] = TYPES;
  const runtime = new ControllerRuntime(state);
  runtime.register(stage('ChainABController', a, b));
  runtime.register(stage('ChainBCController', b, c));
  runtime.register(stage('ChainCDController', c, d));
  const ac = new AbortController();
  const timeout = setTimeout(() => {
    ac.abort();
  }, TIMEOUT_MS);
  const running = runtime.run(ac.signal);
  try {
    const done = countTo(state, { namespace: NAMESPACE, type: d.type }, COUNT, ac.signal);
    const t0 = performance.now();
    for (let i = 0; i < COUNT; i++) {
      await state.create({ metadata: { namespace: NAMESPACE, type: a.type, id: `in-${i}` }, spec: { value: i } });
    }
    await done;
    const elapsed = performance.now() - t0;
    if (ac.signal.aborted) throw new Error(`the chain did not converge within ${TIMEOUT_MS} ms`);
    const passes = [...runtime.stats().values()].reduce((n, s) => n + s.reconciles, 0);
    return [
      `transform_chain_3x${COUNT}_converge: ${Math.round(elapsed)} ms`,
      `transform_chain_3x${COUNT}_reconciles: ${passes} passes`,
    ];
  } finally {
    clearTimeout(timeout);
    ac.abort();
    await running;
  }
}
