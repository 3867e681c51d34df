// The dependency graph of services: finding cycles, and stopping services with their dependents first.

/** The dependencies of each service, by id. */
export type DependencyMap = ReadonlyMap<string, readonly string[]>;

/** A dependency cycle as a list of ids (the first repeated last: `a -> b -> a`), or undefined when there is none. */
export function findCycle(deps: DependencyMap): string[] | undefined {
  const done = new Set<string>();
  const visit = (id: string, path: readonly string[]): string[] | undefined => {
    const at = path.indexOf(id);
    if (at >= 0) return [...path.slice(at), id];
    if (done.has(id)) return undefined;
    for (const d of deps.get(id) ?? []) {
      const c = visit(d, [...path, id]);
      if (c !== undefined) return c;
    }
    done.add(id);
    return undefined;
  };
  for (const id of deps.keys()) {
    const c = visit(id, []);
    if (c !== undefined) return c;
  }
  return undefined;
}

/**
 * Calls `stop` for every service, each once `stop` has settled for every service that depends on it, as many at a
 * time as the graph allows; resolves when all have settled. A cycle (possible when services were registered without
 * `startAll`'s check) is cut where it closes instead of waiting forever.
 */
export async function stopDependentsFirst(deps: DependencyMap, stop: (id: string) => Promise<void>): Promise<void> {
  const dependents = new Map<string, string[]>();
  for (const [id, ds] of deps) for (const d of ds) dependents.set(d, [...(dependents.get(d) ?? []), id]);
  const stops = new Map<string, Promise<void>>();
  const after = (id: string, path: ReadonlySet<string>): Promise<void> => {
    const known = stops.get(id);
    if (known !== undefined) return known;
    const inner = new Set([...path, id]);
    const first = (dependents.get(id) ?? []).filter((d) => !inner.has(d)).map((d) => after(d, inner));
    const p = Promise.all(first).then(() => stop(id));
    stops.set(id, p);
    return p;
  };
  await Promise.all([...deps.keys()].map((id) => after(id, new Set())));
}
