// Tests of the supervisor with real processes: ordering, conditions, restart policies, backoff, stop and shutdown.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNotFound } from '../../resources/index.js';
import type { LogLevel } from '../controller/index.js';
import { readServiceLog } from './log.js';
import { ProcessRunner } from './process-runner.js';
import { RestartBackoff } from './restart.js';
import type { ServiceDefinition, ServiceSnapshot } from './service.js';
import { Supervisor, type SupervisorOptions } from './supervisor.js';
import { collect, hasEvent, recordingClock, waitForService } from './testing.js';

const sh = (script: string): ProcessRunner => new ProcessRunner({ path: '/bin/sh', args: ['-c', script] });
const sleeper = (): ProcessRunner => new ProcessRunner({ path: '/bin/sleep', args: ['1000'] });

/** A gate a test opens by hand: a condition, or a health check that fails until opened. */
function gate(): { open: () => void; opened: Promise<void>; isOpen: () => boolean } {
  let open = (): void => undefined;
  let isOpen = false;
  const opened = new Promise<void>((resolve) => {
    open = () => {
      isOpen = true;
      resolve();
    };
  });
  return { open, opened, isOpen: () => isOpen };
}

describe('Supervisor', () => {
  let dir = '';
  let sup: Supervisor | undefined;
  let lines: string[] = [];
  const make = (o: Partial<SupervisorOptions> = {}): Supervisor => {
    sup = new Supervisor({
      logDir: dir,
      restartDelayMs: 20,
      logger: (level: LogLevel, msg: string) => lines.push(`${level} ${msg}`),
      ...o,
    });
    return sup;
  };
  const svc = (id: string, extra: Partial<ServiceDefinition> = {}): ServiceDefinition => ({
    id,
    runner: sleeper(),
    restart: 'Forever',
    stopGraceMs: 2000,
    ...extra,
  });
  const state = (s: string) => (x: ServiceSnapshot) => x.state === s;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osnode-sup-'));
    lines = [];
  });
  afterEach(async () => {
    await sup?.shutdown({ timeoutMs: 5000 });
    sup = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('starts a service once its dependency is running and healthy, saying what it waits for', async () => {
    const s = make();
    const healthy = gate();
    s.register(svc('b', { dependsOn: ['a'] }));
    s.register(
      svc('a', {
        health: {
          check: () => (healthy.isOpen() ? Promise.resolve() : Promise.reject(new Error('not yet'))),
          initialDelayMs: 0,
          periodMs: 10,
        },
      }),
    );
    s.startAll();
    const waiting = await waitForService(s, 'b', state('Waiting'));
    expect(waiting.lastMessage).to.equal('waiting for service a to be running and healthy');
    const a = await waitForService(s, 'a', (x) => x.healthy === false);
    expect(a.healthMessage).to.equal('not yet');
    expect(s.get('b').state).to.equal('Waiting');
    healthy.open();
    const b = await waitForService(s, 'b', state('Running'));
    const aHealthy = s.get('a').events.find((e) => e.message === 'healthy');
    const bStarting = b.events.find((e) => e.state === 'Starting');
    expect(aHealthy?.tsMs).to.be.at.most(bStarting?.tsMs ?? 0);
    expect(b.lastMessage).to.equal(`started, pid ${b.pid}`);
    expect(() => {
      s.register(svc('a'));
    }).to.throw(/registered twice/);
  });

  it('waits for conditions, and a stop while waiting cancels the wait', async () => {
    const s = make();
    const net = gate();
    let sawAbort = false;
    s.register(svc('gated', { conditions: [{ name: 'network ready', wait: () => net.opened }] }));
    s.register(
      svc('never', {
        conditions: [
          {
            name: 'time synced',
            wait: (signal) =>
              new Promise<void>((resolve) => {
                signal.addEventListener('abort', () => {
                  sawAbort = true;
                  resolve();
                });
              }),
          },
        ],
      }),
    );
    s.startAll();
    expect((await waitForService(s, 'gated', state('Waiting'))).lastMessage).to.equal(
      'waiting for condition network ready',
    );
    net.open();
    await waitForService(s, 'gated', state('Running'));
    await waitForService(s, 'never', state('Waiting'));
    expect(await s.stop('never')).to.equal('stopped service never');
    expect(sawAbort).to.equal(true);
    expect(s.get('never')).to.include({ state: 'Finished', lastMessage: 'stopped while waiting' });
  });

  it('restarts a Forever service killed with SIGKILL after its delay, with a new pid', async () => {
    const s = make();
    s.register(svc('forever'));
    s.startAll();
    const first = await waitForService(s, 'forever', state('Running'));
    process.kill(first.pid ?? 0, 'SIGKILL');
    await waitForService(s, 'forever', (x) => hasEvent(x, 'Failed', 'killed by SIGKILL; restarting in 20ms'));
    const second = await waitForService(s, 'forever', (x) => x.state === 'Running' && x.pid !== first.pid);
    expect(second.restarts).to.equal(1);
    expect(second.pid).to.be.a('number').and.not.equal(first.pid);
  });

  it('restarts UntilSuccess until it exits 0, and never restarts Once', async () => {
    const s = make();
    const marker = join(dir, 'marker');
    s.register(
      svc('until', { restart: 'UntilSuccess', runner: sh(`[ -f ${marker} ] && exit 0; touch ${marker}; exit 1`) }),
    );
    s.register(svc('once', { restart: 'Once', runner: sh('exit 3') }));
    s.register(svc('done', { restart: 'Once', runner: sh('exit 0') }));
    s.register(svc('skipped', { skip: () => 'runs on control planes only' }));
    s.startAll();
    expect(s.get('skipped')).to.include({ state: 'Skipped', lastMessage: 'runs on control planes only' });
    const until = await waitForService(s, 'until', state('Finished'));
    expect(until.lastMessage).to.equal('exited with code 0');
    expect(until.restarts).to.equal(1);
    expect(hasEvent(until, 'Failed', 'exited with code 1; restarting in 20ms')).to.equal(true);
    const once = await waitForService(s, 'once', state('Failed'));
    expect(once.lastMessage).to.equal('exited with code 3');
    expect(await s.stop('once')).to.equal('service once is not running (Failed)'); // its lifecycle is over
    expect(s.get('once').restarts).to.equal(0);
    expect((await waitForService(s, 'done', state('Finished'))).lastMessage).to.equal('exited with code 0');
  });

  it('fails a missing binary naming its path, retrying with a growing delay up to the cap', async () => {
    const clock = recordingClock(0.05);
    const s = make({ clock, restartBackoff: { maxDelayMs: 800 } });
    const path = join(dir, 'no-such-binary');
    s.register(svc('missing', { runner: new ProcessRunner({ path }), restartDelayMs: 100 }));
    s.register(svc('broken', { restart: 'Once', prepare: () => Promise.reject(new Error('no rootfs')) }));
    s.startAll();
    const snap = await waitForService(s, 'missing', (x) => x.restarts >= 5 && x.state === 'Failed');
    expect(snap.lastMessage).to.include(path).and.to.include('does not exist');
    expect(clock.sleeps.slice(0, 5)).to.deep.equal([100, 200, 400, 800, 800]);
    expect((await waitForService(s, 'broken', state('Failed'))).lastMessage).to.equal('no rootfs');
    const b = new RestartBackoff(100, { maxDelayMs: 800, stableRunMs: 1000 });
    expect([b.next(0), b.next(10), b.next(999), b.next(1000), b.next(0)]).to.deep.equal([100, 200, 400, 100, 200]);
  });

  it('reports health changes as events, and unknown health once not running', async () => {
    const s = make();
    let calls = 0;
    s.register(
      svc('checked', {
        health: {
          check: () => (++calls <= 2 ? Promise.reject(new Error(`attempt ${calls} refused`)) : Promise.resolve()),
          initialDelayMs: 5,
          periodMs: 5,
        },
      }),
    );
    s.register(
      svc('slow', { health: { check: () => new Promise(() => undefined), initialDelayMs: 0, timeoutMs: 30 } }),
    );
    s.startAll();
    const ok = await waitForService(s, 'checked', (x) => x.healthy === true);
    const health = ok.events.filter((e) => e.message.includes('healthy')).map((e) => e.message);
    expect(health).to.deep.equal(['unhealthy: attempt 1 refused', 'healthy']);
    expect(ok.healthChangedMs).to.be.greaterThan(0);
    const slow = await waitForService(s, 'slow', (x) => x.healthy === false);
    expect(slow.healthMessage).to.equal('health check timed out after 30ms');
    await s.stop('checked');
    expect(s.get('checked')).to.include({ healthy: undefined, healthMessage: 'not running', running: false });
  });

  it('stops, starts and restarts by id; unknown ids are NotFound naming the known ones', async () => {
    const s = make();
    s.register(svc('x'));
    s.startAll();
    const first = await waitForService(s, 'x', state('Running'));
    expect(await s.start('x')).to.equal('service x is already started (Running)');
    expect(await s.restart('x')).to.equal('restarted service x');
    const second = await waitForService(s, 'x', (x) => x.state === 'Running' && x.pid !== first.pid);
    expect(hasEvent(second, 'Stopping', `stopping pid ${first.pid}: SIGTERM, then SIGKILL after 2s`)).to.equal(true);
    expect(hasEvent(second, 'Finished', 'stopped: killed by SIGTERM')).to.equal(true);
    expect(await s.stop('x')).to.equal('stopped service x');
    expect(s.get('x')).to.include({ state: 'Finished', running: false });
    expect(await s.stop('x')).to.equal('service x is not running (Finished)');
    expect(await s.start('x')).to.equal('starting service x');
    await waitForService(s, 'x', state('Running'));
    for (const call of [
      () => s.start('nope'),
      () => s.stop('nope'),
      () => s.restart('nope'),
      () => Promise.resolve().then(() => s.get('nope')),
    ]) {
      const e = await call().catch((x: unknown) => x);
      expect(isNotFound(e)).to.equal(true);
      expect(String(e)).to.include('"nope"').and.to.include('the services are: x');
    }
    await s.unregister('x');
    expect(s.list()).to.deep.equal([]);
  });

  it('shuts down dependents first, and kills what ignores SIGTERM once the timeout passes', async () => {
    const s = make();
    const order: string[] = [];
    s.subscribe((x) => {
      if (x.state === 'Finished') order.push(x.id);
    });
    s.register(svc('base'));
    s.register(svc('middle', { dependsOn: ['base'] }));
    s.register(
      svc('top', {
        dependsOn: ['middle'],
        stopGraceMs: 60_000,
        runner: sh('trap "" TERM; echo ready; while :; do sleep 0.05; done'),
      }),
    );
    s.startAll();
    await waitForService(s, 'top', state('Running'));
    const ac = new AbortController();
    await collect(readServiceLog(dir, 'top', { follow: true, tailLines: -1, signal: ac.signal }), (t) =>
      t.toString().includes('ready'),
    );
    ac.abort();
    const t0 = Date.now();
    await s.shutdown({ timeoutMs: 300 });
    expect(Date.now() - t0).to.be.within(250, 3000);
    expect(order).to.deep.equal(['top', 'middle', 'base']);
    expect(s.get('top').lastMessage).to.equal('stopped: killed by SIGKILL');
    expect(lines.some((l) => l.startsWith('warn shutdown took over 300ms; killing base, middle, top'))).to.equal(true);
    const e = await s.start('base').catch((x: unknown) => x);
    expect(String(e)).to.include('shutting down');
  });

  it('keeps going when a listener throws', async () => {
    const s = make();
    s.subscribe(() => {
      throw new Error('listener bug');
    });
    const seen: string[] = [];
    const off = s.subscribe((x) => seen.push(x.state));
    s.register(svc('y'));
    s.startAll();
    await waitForService(s, 'y', state('Running'));
    off();
    expect(seen).to.include.members(['Starting', 'Running']);
    expect(lines.some((l) => l.includes('a service listener threw: listener bug'))).to.equal(true);
    expect(lines).to.include('info y Running: ' + s.get('y').lastMessage);
  });

  it('refuses unknown dependencies and cycles before starting anything', () => {
    const s = make();
    s.register(svc('p', { dependsOn: ['q'] }));
    expect(() => {
      s.startAll();
    }).to.throw(/depends on "q", which is not registered/);
    s.register(svc('q', { dependsOn: ['p'] }));
    expect(() => {
      s.startAll();
    }).to.throw(/cycle: p -> q -> p/);
    expect(s.list().map((x) => x.state)).to.deep.equal(['Initialized', 'Initialized']);
    expect(() => {
      s.register(svc('Bad/Id'));
    }).to.throw(/id="Bad\/Id"/);
  });

  it('keeps one log across restarts and rotations, followed byte-exact', async () => {
    const s = make({ logMaxBytes: 2000 });
    const marker = join(dir, 'ran');
    const script = `if [ -f ${marker} ]; then p=b; else p=a; touch ${marker}; fi; i=0; while [ $i -lt 300 ]; do echo "$p $i"; i=$((i+1)); done; [ $p = b ]`;
    s.register(svc('chatty', { restart: 'UntilSuccess', runner: sh(script) }));
    const ac = new AbortController();
    const reading = collect(readServiceLog(dir, 'chatty', { follow: true, tailLines: -1, signal: ac.signal }), (t) =>
      t.toString().endsWith('b 299\n'),
    );
    s.startAll();
    await waitForService(s, 'chatty', state('Finished'));
    const got = (await reading).toString();
    ac.abort();
    const run = (p: string): string => Array.from({ length: 300 }, (_, i) => `${p} ${i}\n`).join('');
    expect(got).to.equal(run('a') + run('b'));
  });
});
