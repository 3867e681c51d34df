// Shared pieces of the State conformance suite: the factory contract, a test type and event helpers.
import { z } from 'zod';
import type { Subscription } from 'rxjs';
import { defineResource, type ResourceType } from '../../resource-type.js';
import type { HistoryOptions } from '../collection.js';
import type { State, WatchEvent, WatchOptions } from '../state.js';
import type { Kind, Pointer, StringMap } from '../../resource.js';

/** A store under test, with a way to count open watch cursors and to close it. */
export interface StateUnderTest {
  readonly state: State;
  /**
   * True for a store reached over the network: a slow reader's lag shows at the server only once the transport's
   * buffers are full, so the local overrun rule is tested by the remote store's own suite instead.
   */
  readonly remote?: boolean;
  /** Open watch cursors (0 once every watch is unsubscribed). */
  watchers(): number;
  close(): Promise<void>;
}

/** Makes a fresh, empty store with `types` registered and the given history sizes. */
export type StateFactory = (o: { types: readonly ResourceType[]; history: HistoryOptions }) => Promise<StateUnderTest>;

/** The type the suite writes. */
export const ItemType = defineResource({
  type: 'ConformanceItem',
  schema: z.object({
    value: z.number().int().min(0).describe('A counter.'),
    note: z.string().optional().describe('Free text.'),
  }),
  defaultNamespace: 'test',
  aliases: ['items', 'item'],
  printColumns: [{ name: 'Value', jsonPath: '{.value}' }],
  sensitive: true,
});

/** The kind the suite writes to. */
export const KIND: Kind = { namespace: 'test', type: ItemType.type };

/** A pointer of the suite's kind. */
export function at(id: string): Pointer {
  return { ...KIND, id };
}

/** A create/update input of the suite's kind. */
export function item(id: string, value: number, extra: { version?: number; labels?: StringMap } = {}) {
  return { metadata: { ...at(id), ...extra }, spec: { value } };
}

/** A compact, comparable rendering of an event: `created:a@1=0`, `bootstrapped`, `errored`. */
export function show(e: WatchEvent): string {
  if (e.type === 'bootstrapped' || e.type === 'errored') return e.type;
  const r = e.resource;
  return `${e.type}:${r.metadata.id}@${r.metadata.version}=${(r.spec as { value: number }).value}`;
}

/** Collects the events of a watch until `until` holds for the list so far (or a timeout naming what was seen). */
export function collect(
  state: State,
  opts: WatchOptions,
  until: (seen: readonly WatchEvent[]) => boolean,
  timeoutMs = 5000,
): { done: Promise<WatchEvent[]>; subscription: Subscription } {
  const seen: WatchEvent[] = [];
  let subscription!: Subscription;
  const done = new Promise<WatchEvent[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`timed out; saw ${seen.map(show).join(' ')}`));
    }, timeoutMs);
    const check = (): void => {
      if (until(seen)) {
        clearTimeout(timer);
        subscription.unsubscribe();
        resolve(seen);
      }
    };
    subscription = state.watchKind(KIND, opts).subscribe({
      next: (e) => {
        seen.push(e);
        check();
      },
      error: (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
      complete: () => {
        clearTimeout(timer);
        resolve(seen);
      },
    });
  });
  return { done, subscription };
}

/** Resolves after pending microtasks and one macrotask: lets already-due deliveries happen. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
