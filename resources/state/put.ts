// Create-or-update for writers that are not controllers (machined's sequencer): one compare-and-swap write of a spec.
import { isNotFound } from '../errors.js';
import type { Pointer, Resource } from '../resource.js';
import type { State, WriteOptions } from './state.js';

/**
 * Makes the resource at `ptr` hold `spec`: creates it, or updates it based on the version just read (a no-op write is
 * skipped by the store). Errors other than NotFound on the read propagate; a concurrent writer gets Conflict(version).
 */
export async function putResource(
  state: State,
  ptr: Pointer,
  spec: unknown,
  opts: WriteOptions = {},
): Promise<Resource> {
  let cur: Resource | undefined;
  try {
    cur = await state.get(ptr, opts.signal === undefined ? {} : { signal: opts.signal });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (cur === undefined) return state.create({ metadata: ptr, spec }, opts);
  return state.update({ metadata: { ...ptr, version: cur.metadata.version }, spec }, opts);
}
