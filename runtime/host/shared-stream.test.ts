// SharedStream: one source for many subscribers, opened on the first and closed after the last; failures reach all.
import { expect } from 'chai';
import { SharedStream } from './shared-stream.js';

/** A source that counts its openings and lets the test push items or fail it. */
function source<T>() {
  const s = {
    opened: 0,
    open: 0,
    push: (_: T): void => undefined,
    fail: (_: Error): void => undefined,
    stream: (signal: AbortSignal): AsyncIterable<T> => {
      s.opened++;
      s.open++;
      const queue: T[] = [];
      let error: Error | undefined;
      let wake: (() => void) | undefined;
      s.push = (x) => {
        queue.push(x);
        wake?.();
      };
      s.fail = (e) => {
        error = e;
        wake?.();
      };
      signal.addEventListener('abort', () => wake?.(), { once: true });
      return {
        async *[Symbol.asyncIterator]() {
          try {
            while (!signal.aborted) {
              if (queue.length > 0) {
                yield queue.shift() as T;
                continue;
              }
              if (error !== undefined) throw error;
              await new Promise<void>((r) => (wake = r));
            }
          } finally {
            s.open--;
          }
        },
      };
    },
  };
  return s;
}

async function take<T>(it: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done === true) break;
    out.push(r.value);
  }
  return out;
}

describe('SharedStream', () => {
  it('opens the source once for every subscriber, fans items out, and closes it after the last one leaves', async () => {
    const src = source<number>();
    const shared = new SharedStream(src.stream);
    const a = new AbortController();
    const b = new AbortController();
    const ia = shared.subscribe(a.signal)[Symbol.asyncIterator]();
    const ib = shared.subscribe(b.signal)[Symbol.asyncIterator]();
    expect(src.opened).to.equal(1);
    src.push(1);
    src.push(2);
    expect(await take(ia, 2)).to.deep.equal([1, 2]);
    expect(await take(ib, 2)).to.deep.equal([1, 2]);
    a.abort();
    expect((await ia.next()).done).to.equal(true);
    expect(shared.size).to.equal(1);
    b.abort();
    expect((await ib.next()).done).to.equal(true);
    while (src.open > 0) await new Promise((r) => setImmediate(r));
    expect(shared.size).to.equal(0);
    const c = new AbortController();
    shared.subscribe(c.signal);
    expect(src.opened).to.equal(2);
    c.abort();
  });

  it('greets each new subscriber, and carries undefined items (a bare "changed")', async () => {
    const src = source<undefined>();
    const shared = new SharedStream<undefined>(src.stream, { greeting: { value: undefined } });
    const a = new AbortController();
    const ia = shared.subscribe(a.signal)[Symbol.asyncIterator]();
    expect(await take(ia, 1)).to.deep.equal([undefined]);
    src.push(undefined);
    expect(await take(ia, 1)).to.deep.equal([undefined]);
    a.abort();
  });

  it('ends every subscription with the source failure, and opens it again for the next one', async () => {
    const src = source<number>();
    const shared = new SharedStream(src.stream);
    const a = new AbortController();
    const ia = shared.subscribe(a.signal)[Symbol.asyncIterator]();
    src.fail(new Error('socket closed'));
    let caught: unknown;
    await ia.next().catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(Error).with.property('message', 'socket closed');
    const b = new AbortController();
    shared.subscribe(b.signal);
    expect(src.opened).to.equal(2);
    b.abort();
    a.abort();
  });
});
