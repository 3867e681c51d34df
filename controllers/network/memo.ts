// Results computed once per immutable input object (stored specs are frozen), for work a controller repeats every pass.

/** `fn` remembered per argument object: the same (frozen) spec gives the same result without recomputing it. */
export function perObject<K extends object, V>(fn: (k: K) => V): (k: K) => V {
  const cache = new WeakMap<K, V>();
  return (k) => {
    let v = cache.get(k);
    if (v === undefined) {
      v = fn(k);
      cache.set(k, v);
    }
    return v;
  };
}
