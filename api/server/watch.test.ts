// Watch over gRPC: the ready message, bootstrap, live events, bookmarks, cancellation freeing the cursor, a client
// that stops reading (ERRORED, the server stays healthy), aggregated batches, and many watchers at once.
import { status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { parse } from 'yaml';
import { MachineStageType, RUNTIME_NAMESPACE, type InMemoryState } from '../../resources/index.js';
import type { PbWatchResponse } from '../proto/types.js';
import type { ApiServer } from './server.js';
import {
  clientCredentials,
  clients,
  closeAll,
  collect,
  secureServer,
  stream,
  take,
  testCa,
  testState,
  type TestCa,
} from './testing.js';
import { splitBySize } from './watch.js';

const kind = { namespace: RUNTIME_NAMESPACE, type: MachineStageType.type };
type Stage = 'booting' | 'running' | 'maintenance';

/** Waits until `pred` holds, checking after each turn of the event loop (no fixed sleeps). */
async function until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The stage in an event's resource (or old resource); the spec travels as YAML (JSON being YAML too). */
const stage = (r: { spec: { yamlSpec: string } | null } | null | undefined): string | undefined =>
  (parse(r?.spec?.yamlSpec ?? 'null') as { stage?: string } | null)?.stage;
const types = (msgs: PbWatchResponse[]): string[] => msgs.flatMap((m) => m.event.map((e) => e.eventType));
const ids = (msgs: PbWatchResponse[]): string[] =>
  msgs.flatMap((m) => m.event.map((e) => e.resource?.metadata?.id ?? '-'));

describe('api server: watch', function () {
  this.timeout(60_000);
  let ca: TestCa;
  let creds: ReturnType<typeof clientCredentials>;
  let state: InMemoryState;
  let server: ApiServer;
  let c: ReturnType<typeof clients>;
  before(async () => {
    ca = await testCa();
    creds = clientCredentials(ca, ['os:reader']);
  });
  beforeEach(async () => {
    state = await testState({ history: { initial: 8, max: 64 } });
    server = await secureServer(ca, state);
    c = clients(server.port, creds);
  });
  afterEach(async () => {
    closeAll(c);
    await server.close();
  });

  const put = async (id: string, stage: Stage): Promise<void> => {
    const ptr = { ...kind, id };
    const cur = await state.get(ptr).catch(() => undefined);
    if (cur === undefined) await state.create({ metadata: ptr, spec: { stage } });
    else await state.update({ metadata: { ...ptr, version: cur.metadata.version }, spec: { stage } });
  };
  const watch = (options: object = {}, extra: object = {}): ClientReadableStream<PbWatchResponse> =>
    stream<PbWatchResponse>(c.state, 'Watch', { ...kind, options, ...extra });

  it('sends ready first, then the bootstrap contents and BOOTSTRAPPED, then live events', async () => {
    await put('a', 'booting');
    await put('b', 'booting');
    const s = watch({ bootstrapContents: true });
    const [ready, ...boot] = await take(s, 4);
    expect(ready?.event).to.deep.equal([]);
    expect(types(boot)).to.deep.equal(['CREATED', 'CREATED', 'BOOTSTRAPPED']);
    expect(ids(boot)).to.deep.equal(['a', 'b', '-']);
    await put('a', 'running');
    const [live] = await take(s, 1);
    expect(live?.event[0]?.eventType).to.equal('UPDATED');
    expect(stage(live?.event[0]?.resource)).to.equal('running');
    expect(stage(live?.event[0]?.old)).to.equal('booting');
    s.cancel();
    await until(() => state.stats().watchers === 0, 'the cursor to close');
  });

  it('resumes from a bookmark on a new call', async () => {
    await put('a', 'booting');
    const first = watch({ bootstrapContents: true, bootstrapBookmark: true });
    const [, , bootstrapped] = await take(first, 3);
    await put('a', 'running');
    const [updated] = await take(first, 1);
    first.cancel();
    await put('a', 'maintenance');
    const bookmark = updated?.event[0]?.bookmark;
    expect(bootstrapped?.event[0]?.bookmark).to.have.length.above(0);
    const again = watch({ startFromBookmark: bookmark });
    const [ready, next] = await take(again, 2);
    expect(ready?.event).to.deep.equal([]);
    expect(stage(next?.event[0]?.resource)).to.equal('maintenance');
    again.cancel();
    const stale = watch({ startFromBookmark: Buffer.from('not a bookmark') });
    const e = (await collect(stale).catch((x: unknown) => x)) as ServiceError;
    expect(e.code).to.equal(status.FAILED_PRECONDITION);
  });

  it('watches one resource by id', async () => {
    await put('a', 'booting');
    await put('b', 'booting');
    const s = watch({}, { id: 'b' });
    const msgs = await take(s, 3);
    expect(ids(msgs.slice(1))).to.deep.equal(['b', '-']);
    await put('a', 'running');
    await put('b', 'running');
    const [next] = await take(s, 1);
    expect(ids([next!])).to.deep.equal(['b']);
    s.cancel();
  });

  it('a watch cancelled mid-stream frees its cursor at once', async () => {
    const s = watch({ bootstrapContents: true });
    await take(s, 2);
    expect(state.stats().watchers).to.equal(1);
    s.cancel();
    await until(() => state.stats().watchers === 0, 'the cursor to close');
  });

  it('a client that stops reading gets ERRORED once it reads again; the server stays healthy', async () => {
    await put('a', 'booting');
    const slow = watch({ bootstrapContents: true });
    await take(slow, 3); // ready, created, bootstrapped; then the client stops reading
    const updates = 5000;
    for (let i = 0; i < updates; i++) {
      await put('a', i % 2 === 0 ? 'running' : 'booting');
      // Turns of the event loop between rounds give the server every chance to send, were it not held back.
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    // Meanwhile another watcher and plain calls are served.
    const other = watch({ tailEvents: 1 });
    const [, tail] = await take(other, 2);
    expect(tail?.event[0]?.eventType).to.equal('UPDATED');
    other.cancel();
    const rest = await collect(slow); // ends with status OK
    const all = types(rest);
    expect(all[all.length - 1]).to.equal('ERRORED');
    expect(rest[rest.length - 1]?.event[0]?.error).to.match(/overrun|behind/i);
    // The server held back what the client did not read: far fewer than all the updates were ever sent.
    expect(all.length).to.be.below(updates / 2);
    await until(() => state.stats().watchers === 0, 'the cursors to close');
  });

  it('aggregated watches put a batch in one response', async () => {
    const s = watch({ bootstrapContents: true, aggregated: true });
    await put('a', 'booting');
    await put('b', 'booting');
    const [ready, boot] = await take(s, 2);
    expect(ready?.event).to.deep.equal([]);
    expect(types([boot!])).to.include('BOOTSTRAPPED');
    s.cancel();
    const big = Array.from({ length: 10 }, () => ({
      resource: { metadata: null, spec: { protoSpec: Buffer.alloc(0), yamlSpec: 'x'.repeat(300_000) } },
      old: null,
      eventType: 'UPDATED' as const,
    }));
    expect([...splitBySize(big)].map((p) => p.length)).to.deep.equal([3, 3, 3, 1]);
  });

  it('100 concurrent watchers all receive an update', async () => {
    await put('a', 'booting');
    const watchers = Array.from({ length: 100 }, () => watch({ bootstrapContents: true }));
    await Promise.all(watchers.map((w) => take(w, 3)));
    expect(state.stats().watchers).to.equal(100);
    await put('a', 'running');
    const got = await Promise.all(watchers.map((w) => take(w, 1)));
    expect(got.every(([m]) => stage(m?.event[0]?.resource) === 'running')).to.equal(true);
    for (const w of watchers) w.cancel();
    await until(() => state.stats().watchers === 0, 'the cursors to close');
  });

  it('closing the server ends open watches with UNAVAILABLE and frees their cursors', async () => {
    const s = watch({ bootstrapContents: true });
    await take(s, 2);
    const ended = collect(s).catch((e: unknown) => e as ServiceError);
    await server.close();
    expect(((await ended) as ServiceError).code).to.equal(status.UNAVAILABLE);
    expect(state.stats().watchers).to.equal(0);
  });
});
