// machine.MachineService over scripted NodeOps: message shapes with node metadata, apply-config modes and errors, byte
// streams with backpressure and cancellation, and typed errors mapped to their statuses.
import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { ConfigValidationError, NotFoundError, type InMemoryState } from '../../resources/index.js';
import { ApplyRefusedError, type ApplyRequest } from '../../runtime/machined/apply.js';
import type { ApiServer } from './server.js';
import {
  call,
  clientCredentials,
  clients,
  closeAll,
  collect,
  fakeOps,
  secureServer,
  stream,
  take,
  testCa,
  testState,
  type TestCa,
} from './testing.js';

type Msgs<T> = { messages: (T & { metadata: { hostname: string } })[] };
const fail = (p: Promise<unknown>): Promise<ServiceError> =>
  p.then(
    () => Promise.reject(new Error('succeeded')),
    (e: unknown) => e as ServiceError,
  );

describe('api server: machine service', function () {
  this.timeout(30_000);
  let ca: TestCa;
  let creds: ReturnType<typeof clientCredentials>;
  let state: InMemoryState;
  let server: ApiServer;
  let c: ReturnType<typeof clients>;
  let applied: ApplyRequest[];
  let followers: number;
  let restarted: string[];
  before(async () => {
    ca = await testCa();
    creds = clientCredentials(ca, ['os:admin']);
  });
  beforeEach(async () => {
    state = await testState();
    applied = [];
    followers = 0;
    restarted = [];
    const ops = fakeOps({
      apply: (req) => {
        applied.push(req);
        const cfg = req.config as { machine?: { type?: string } };
        if (cfg.machine?.type === 'bogus') {
          return Promise.reject(
            new ConfigValidationError([
              { path: 'machine.type', message: 'must be controlplane or worker (got "bogus")' },
            ]),
          );
        }
        if (req.mode === 'no-reboot') return Promise.reject(new ApplyRefusedError(['machine.type']));
        return Promise.resolve({
          mode: 'reboot',
          dryRun: true,
          diff: '-a\n+b\n',
          changed: ['machine.type'],
          rebootRequired: ['machine.type'],
          warnings: [{ path: 'machine.x', message: 'unknown field' }],
          message: 'dry run',
        });
      },
      logs: async function* (_id, o) {
        followers++;
        try {
          for (let i = 0; !o.signal.aborted; i++) {
            yield Buffer.from(`line ${i}\n`);
            if (!o.follow && i === 2) return;
            await new Promise((r) => setImmediate(r));
          }
        } finally {
          followers--;
        }
      },
      containers: (namespace) =>
        Promise.resolve([
          {
            namespace,
            id: 'web',
            image: 'rootfs/web',
            pid: 42,
            status: 'RUNNING',
            podId: '',
            name: 'web',
            networkNamespace: '',
          },
        ]),
      stats: (namespace) =>
        Promise.resolve([{ namespace, id: 'web', memoryUsage: 1_500_000, cpuUsage: 2e9, podId: '', name: 'web' }]),
      restartContainer: (namespace, id) => {
        restarted.push(`${namespace}/${id}`);
        return id === 'web' ? Promise.resolve() : Promise.reject(new NotFoundError(`no container "${id}"`));
      },
      memory: () =>
        Promise.resolve({
          memtotal: 100,
          memfree: 50,
          memavailable: 60,
          buffers: 1,
          cached: 2,
          swapcached: 0,
          active: 3,
          inactive: 4,
          swaptotal: 0,
          swapfree: 0,
          shmem: 5,
        }),
    });
    server = await secureServer(ca, state, ops);
    c = clients(server.port, creds);
  });
  afterEach(async () => {
    closeAll(c);
    await server.close();
  });

  it('every response message carries the node hostname', async () => {
    for (const m of ['Version', 'Hostname', 'ServiceList', 'Memory', 'Processes']) {
      const r = await call<Msgs<object>>(c.machine, m);
      expect(r.messages[0]?.metadata.hostname, m).to.equal('node-1');
    }
    const mem = await call<Msgs<{ meminfo: { memtotal: number } }>>(c.machine, 'Memory');
    expect(mem.messages[0]?.meminfo.memtotal).to.equal(100);
  });

  it('maps apply-config modes, dry runs, warnings and diffs both ways', async () => {
    const data = Buffer.from('version: v1alpha1\nmachine:\n  type: controlplane\n');
    const r = await call<Msgs<{ mode: string; diff: string; warnings: string[] }>>(c.machine, 'ApplyConfiguration', {
      data,
      mode: 'TRY',
      dryRun: true,
      tryModeTimeout: { seconds: 90, nanos: 0 },
    });
    expect(applied[0]).to.deep.include({ mode: 'try', dryRun: true, tryTimeoutMs: 90_000 });
    expect(r.messages[0]).to.deep.include({ mode: 'REBOOT', diff: '-a\n+b\n', warnings: ['machine.x: unknown field'] });
  });

  it('an invalid config is INVALID_ARGUMENT naming the field; a refused mode is FAILED_PRECONDITION', async () => {
    const bogus = await fail(
      call(c.machine, 'ApplyConfiguration', { data: Buffer.from('machine:\n  type: bogus\n'), mode: 'AUTO' }),
    );
    expect(bogus.code).to.equal(status.INVALID_ARGUMENT);
    expect(bogus.details).to.include('machine.type');
    const refused = await fail(
      call(c.machine, 'ApplyConfiguration', { data: Buffer.from('machine: {}\n'), mode: 'NO_REBOOT' }),
    );
    expect(refused.code).to.equal(status.FAILED_PRECONDITION);
    expect(refused.details).to.include('need a reboot');
    const empty = await fail(call(c.machine, 'ApplyConfiguration', { mode: 'AUTO' }));
    expect(empty.code).to.equal(status.INVALID_ARGUMENT);
  });

  it('streams logs; a cancelled follower stops its reader', async () => {
    const all = await collect(stream<{ bytes: Buffer }>(c.machine, 'Logs', { id: 'machined' }));
    expect(all.map((d) => d.bytes.toString()).join('')).to.equal('line 0\nline 1\nline 2\n');
    const f = stream<{ bytes: Buffer }>(c.machine, 'Logs', { id: 'machined', follow: true });
    await take(f, 5);
    expect(followers).to.equal(1);
    f.cancel();
    while (followers > 0) await new Promise((r) => setTimeout(r, 5));
  });

  it('closing the server ends a follower with UNAVAILABLE and stops its reader', async () => {
    const f = stream<{ bytes: Buffer }>(c.machine, 'Logs', { id: 'machined', follow: true });
    await take(f, 1);
    const ended = collect(f).catch((e: unknown) => e as ServiceError);
    await server.close();
    expect(((await ended) as ServiceError).code).to.equal(status.UNAVAILABLE);
    expect(followers).to.equal(0);
  });

  it('typed node errors keep their status', async () => {
    const dmesg = await fail(collect(stream(c.machine, 'Dmesg', {})));
    expect(dmesg.code).to.equal(status.NOT_FOUND);
    const gen = await fail(call(c.machine, 'GenerateClientConfiguration', { roles: ['os:reader'] }));
    expect(gen.code).to.equal(status.INTERNAL);
    expect(gen.details).to.equal('not scripted');
  });

  it('lists containers and their stats in a namespace (system by default), and restarts one', async () => {
    const ps = await call<Msgs<{ containers: { namespace: string; id: string; pid: number; status: string }[] }>>(
      c.machine,
      'Containers',
      {},
    );
    expect(ps.messages[0]?.containers).to.deep.include.members([
      {
        namespace: 'system',
        id: 'web',
        image: 'rootfs/web',
        pid: 42,
        status: 'RUNNING',
        podId: '',
        name: 'web',
        networkNamespace: '',
      },
    ]);
    const k8s = await call<Msgs<{ stats: { namespace: string; memoryUsage: number; cpuUsage: number }[] }>>(
      c.machine,
      'Stats',
      { namespace: 'k8s.io' },
    );
    expect(k8s.messages[0]?.stats[0]).to.include({ namespace: 'k8s.io', memoryUsage: 1_500_000, cpuUsage: 2e9 });
    await call(c.machine, 'Restart', { namespace: 'system', id: 'web' });
    expect(restarted).to.deep.equal(['system/web']);
    const unknown = await fail(call(c.machine, 'Restart', { id: 'nope' }));
    expect(unknown.code).to.equal(status.NOT_FOUND);
  });
});
