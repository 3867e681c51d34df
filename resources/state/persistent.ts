// Opens an InMemoryState whose chosen namespaces are journaled to disk and loaded back at start.
import { mkdir } from 'node:fs/promises';
import type { ResourceType } from '../resource-type.js';
import type { HistoryOptions } from './collection.js';
import { FileJournal } from './file-journal.js';
import { InMemoryState } from './memory.js';

/** Options of {@link openPersistentState}. */
export interface PersistentStateOptions {
  /** Where the journal lives; created if missing. */
  readonly dir: string;
  /** Namespaces kept on disk (e.g. `config`); every other namespace stays in memory only. */
  readonly namespaces: readonly string[];
  /** Types to register before loading (every journaled type must be among them). */
  readonly types: readonly ResourceType[];
  readonly history?: Partial<HistoryOptions>;
  readonly now?: () => number;
}

/** A store whose journaled namespaces survive restarts and SIGKILL: a write resolves only once it is on disk. */
export async function openPersistentState(o: PersistentStateOptions): Promise<InMemoryState> {
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  const journal = new FileJournal(o.dir, new Set(o.namespaces));
  const state = new InMemoryState({
    journal,
    ...(o.history === undefined ? {} : { history: o.history }),
    ...(o.now === undefined ? {} : { now: o.now }),
  });
  for (const t of o.types) await state.registerType(t);
  state.restore(await journal.load());
  return state;
}
