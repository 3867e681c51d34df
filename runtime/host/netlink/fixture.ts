// Test fixture: runs Netlink calls sent as JSON lines on stdin (inside `ip netns exec NS`) and prints JSON results.
import { createInterface } from 'node:readline';
import { Netlink } from './client.js';
import { NetlinkError } from './errors.js';

/** One request line: a Netlink method with its arguments, or a fixture op (subscribe, unsubscribe, addMany). */
export interface FixtureRequest {
  readonly id: number;
  readonly op: string;
  readonly args: readonly unknown[];
}

/** One reply line: the result, or the error's fields; event lines carry `event` and no id. */
export interface FixtureReply {
  readonly id?: number;
  readonly result?: unknown;
  readonly error?: { name: string; message: string; code?: string; errnoName?: string; kernelMessage?: string };
  readonly event?: unknown;
}

const nl = Netlink.open();
let events: AbortController | undefined;

function print(reply: FixtureReply): void {
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}

async function subscribe(): Promise<void> {
  events?.abort();
  const ac = new AbortController();
  events = ac;
  const stream = nl.events(ac.signal); // subscribed once this returns
  void (async () => {
    for await (const event of stream) print({ event });
  })().catch((e: unknown) => {
    print({ event: { kind: 'error', message: String(e) } });
  });
  return Promise.resolve();
}

/** Adds `count` distinct addresses in 10.200.0.0/16 to `link` and dumps all addresses, timing both. */
async function addMany(link: string, count: number): Promise<{ addMs: number; dumpMs: number; dumped: number }> {
  const { index } = await nl.link(link);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const address = `10.200.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    await nl.addAddress({ link: index, address, prefixLength: 16 }, { replace: true });
  }
  const t1 = performance.now();
  const dumped = (await nl.addresses({ family: 4 })).length;
  return { addMs: t1 - t0, dumpMs: performance.now() - t1, dumped };
}

async function handle(req: FixtureRequest): Promise<unknown> {
  switch (req.op) {
    case 'subscribe':
      return subscribe();
    case 'unsubscribe':
      events?.abort();
      return undefined;
    case 'addMany':
      return addMany(String(req.args[0]), Number(req.args[1]));
    case 'routesOfTables':
      // JSON has no sets: the tables come as an array.
      return nl.routes({ tables: new Set(req.args[0] as number[]) });
    default: {
      const method = (nl as unknown as Record<string, unknown>)[req.op];
      if (typeof method !== 'function' || req.op.startsWith('_')) throw new TypeError(`unknown op ${req.op}`);
      return (await (method as (...a: unknown[]) => Promise<unknown>).apply(nl, [...req.args])) ?? null;
    }
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const req = JSON.parse(line) as FixtureRequest;
  handle(req).then(
    (result) => {
      print({ id: req.id, result: result ?? null });
    },
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      const extra =
        e instanceof NetlinkError
          ? {
              code: e.code,
              errnoName: e.errnoName,
              ...(e.kernelMessage === undefined ? {} : { kernelMessage: e.kernelMessage }),
            }
          : {};
      print({ id: req.id, error: { name: err.name, message: err.message, ...extra } });
    },
  );
});
lines.on('close', () => {
  events?.abort();
  nl.close();
});
