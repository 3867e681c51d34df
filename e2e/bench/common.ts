// Shared pieces of the store benches: a small zod-typed resource type, a fresh store per bench, output lines, percentiles.
import { z } from 'zod';
import {
  InMemoryState,
  defineResource,
  withSpec,
  type HistoryOptions,
  type Resource,
  type ResourceType,
} from '../../resources/index.js';

/** Namespace every bench resource lives in. */
export const BENCH_NAMESPACE = 'bench';

/** Spec of the small resource the benches write: one number. */
export const BenchItemSpecSchema = z.object({
  value: z.number().describe('A counter the bench bumps on every update.'),
});

/** The inferred spec type. */
export type BenchItemSpec = z.infer<typeof BenchItemSpecSchema>;

/** The bench resource type. */
export const BenchItemType = defineResource({
  type: 'BenchItem',
  schema: BenchItemSpecSchema,
  defaultNamespace: BENCH_NAMESPACE,
});

/** The kind of {@link BenchItemType} in the bench namespace. */
export const BENCH_KIND = { namespace: BENCH_NAMESPACE, type: BenchItemType.type } as const;

/** A fresh store with `types` registered; `history` overrides the default ring sizes. */
export async function freshState(
  types: readonly ResourceType[],
  history?: Partial<HistoryOptions>,
): Promise<InMemoryState> {
  const state = new InMemoryState(history === undefined ? {} : { history });
  for (const t of types) await state.registerType(t);
  return state;
}

/** The id of bench resource number `i`: fixed width, so ids sort in creation order. */
export function benchId(i: number): string {
  return `item-${String(i).padStart(6, '0')}`;
}

/** Creates `count` BenchItems with value 0; returns them in id order. */
export async function createItems(state: InMemoryState, count: number): Promise<Resource<BenchItemSpec>[]> {
  const out: Resource<BenchItemSpec>[] = [];
  for (let i = 0; i < count; i++) {
    out.push(await state.create({ metadata: { ...BENCH_KIND, id: benchId(i) }, spec: { value: 0 } }));
  }
  return out;
}

/** Updates every item once with `value`, in order, replacing each entry of `items` with the stored result. */
export async function updateRound(
  state: InMemoryState,
  items: Resource<BenchItemSpec>[],
  value: number,
): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    const cur = items[i];
    if (cur === undefined) throw new Error(`bench item ${i} is missing`);
    items[i] = await state.update(withSpec(cur, { value }));
  }
}

/** One output line, `name: value unit`; counts and values of 100 and over are printed as integers. */
export function line(name: string, value: number, unit: string): string {
  const shown =
    Number.isInteger(value) || Math.abs(value) >= 100
      ? Math.round(value).toString()
      : value.toFixed(Math.abs(value) >= 10 ? 1 : 3);
  return `${name}: ${shown} ${unit}`;
}

/** The `q`-quantile (0..1) of `sorted` (ascending), nearest-rank. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Resolves after `ms` milliseconds (a macrotask: lets timers and I/O run). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves on the next turn of the event loop, after pending I/O and timers that are due. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Throws when `deadline` (a performance.now() value) has passed: keeps every bench loop bounded. */
export function checkDeadline(deadline: number, what: string): void {
  if (performance.now() > deadline) throw new Error(`bench timed out: ${what}`);
}
