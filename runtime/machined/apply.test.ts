// The apply-config engine: each mode, dry runs, refusals that change nothing, and trial configs that revert.
import { expect } from 'chai';
import { ALL_TYPES, ConfigValidationError, InMemoryState, type Resource } from '../../resources/index.js';
import type { Clock } from '../controller/index.js';
import { ApplyRefusedError, ConfigApplier } from './apply.js';
import { PERSISTENT_ID, readConfig } from './config-store.js';

/** A clock whose sleeps end only when the test says so. */
function manualClock(): Clock & { fire(): void; pending(): number } {
  const sleepers: (() => void)[] = [];
  return {
    now: () => Date.now(),
    sleep: (_ms, signal) =>
      new Promise<void>((resolve) => {
        sleepers.push(resolve);
        signal.addEventListener(
          'abort',
          () => {
            resolve();
          },
          { once: true },
        );
      }),
    fire: () => {
      for (const s of sleepers.splice(0)) s();
    },
    pending: () => sleepers.length,
  };
}

const doc = (type: string, hostname: string, extra: object = {}) => ({
  version: 'v1alpha1',
  machine: { type, network: { hostname } },
  ...extra,
});

describe('ConfigApplier', () => {
  let state: InMemoryState;
  let reboots: number;
  let clock: ReturnType<typeof manualClock>;
  let applier: ConfigApplier;
  const active = async (): Promise<Resource | undefined> => readConfig(state, 'v1alpha1');
  const persistent = async (): Promise<Resource | undefined> => readConfig(state, PERSISTENT_ID);
  const hostnameOf = (r: Resource | undefined): unknown =>
    (r?.spec as { machine?: { network?: { hostname?: string } } } | undefined)?.machine?.network?.hostname;

  beforeEach(async () => {
    state = new InMemoryState();
    for (const t of ALL_TYPES) await state.registerType(t);
    reboots = 0;
    clock = manualClock();
    applier = new ConfigApplier(state, { mode: 'container', reboot: () => reboots++, clock });
  });
  afterEach(() => {
    applier.close();
  });

  it('applies the first config live (maintenance mode) and persists it', async () => {
    const r = await applier.apply({ config: doc('controlplane', 'a'), mode: 'auto' });
    expect(r.mode).to.equal('no-reboot');
    expect(hostnameOf(await active())).to.equal('a');
    expect(hostnameOf(await persistent())).to.equal('a');
    expect(reboots).to.equal(0);
  });

  it('auto applies live changes without a reboot and the rest with one', async () => {
    await applier.apply({ config: doc('controlplane', 'a'), mode: 'auto' });
    const live = await applier.apply({ config: doc('controlplane', 'b'), mode: 'auto' });
    expect(live).to.include({ mode: 'no-reboot', message: 'applied without a reboot' });
    expect(live.changed).to.deep.equal(['machine.network.hostname']);
    expect(reboots).to.equal(0);
    const boot = await applier.apply({ config: doc('worker', 'b'), mode: 'auto' });
    expect(boot.mode).to.equal('reboot');
    expect(boot.rebootRequired).to.deep.equal(['machine.type']);
    expect(reboots).to.equal(1);
    expect((await persistent())?.spec).to.deep.include({ machine: { type: 'worker', network: { hostname: 'b' } } });
  });

  it('no-reboot refuses changes that need a reboot, naming them, and changes nothing', async () => {
    const first = await applier.apply({ config: doc('controlplane', 'a'), mode: 'auto' });
    expect(first.mode).to.equal('no-reboot');
    const before = await active();
    const err = await applier
      .apply({
        config: doc('worker', 'a', { machine: { type: 'worker', install: { disk: '/dev/vda' } } }),
        mode: 'no-reboot',
      })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ApplyRefusedError);
    expect((err as ApplyRefusedError).fields).to.include('machine.type');
    expect((err as Error).message).to.include('mode reboot, auto or staged');
    expect(await active()).to.equal(before);
  });

  it('an invalid config is refused with every problem and nothing changes', async () => {
    await applier.apply({ config: doc('controlplane', 'a'), mode: 'auto' });
    const before = await active();
    const err = await applier
      .apply({
        config: { version: 'v1alpha1', machine: { type: 'bogus', network: { hostname: '-bad-' } } },
        mode: 'auto',
      })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigValidationError);
    const paths = (err as ConfigValidationError).issues.map((i) => i.path);
    expect(paths).to.include.members(['machine.type', 'machine.network.hostname']);
    expect(await active()).to.equal(before);
  });

  it('dry run reports the mode and a diff, and changes nothing', async () => {
    await applier.apply({ config: doc('controlplane', 'a'), mode: 'auto' });
    const before = await active();
    const r = await applier.apply({ config: doc('controlplane', 'b'), mode: 'auto', dryRun: true });
    expect(r).to.include({ mode: 'no-reboot', dryRun: true });
    expect(r.diff).to.include('-    hostname: a').and.include('+    hostname: b');
    expect(await active()).to.equal(before);
  });

  it('staged writes only the persistent config', async () => {
    await applier.apply({ config: doc('controlplane', 'a'), mode: 'auto' });
    await applier.apply({ config: doc('worker', 'z'), mode: 'staged' });
    expect(hostnameOf(await active())).to.equal('a');
    expect(hostnameOf(await persistent())).to.equal('z');
    expect(reboots).to.equal(0);
  });

  it('try applies live, keeps the persistent copy, and reverts after the timeout', async () => {
    await applier.apply({ config: doc('controlplane', 'a'), mode: 'auto' });
    const r = await applier.apply({ config: doc('controlplane', 'b'), mode: 'try', tryTimeoutMs: 1000 });
    expect(r.message).to.include('reverted in 1 s');
    expect(hostnameOf(await active())).to.equal('b');
    expect(hostnameOf(await persistent())).to.equal('a');
    expect(applier.trialPending).to.equal(true);
    clock.fire();
    await new Promise((resolve) => setImmediate(resolve));
    expect(hostnameOf(await active())).to.equal('a');
    expect(applier.trialPending).to.equal(false);
  });

  it('another apply during a trial confirms it: no revert', async () => {
    await applier.apply({ config: doc('controlplane', 'a'), mode: 'auto' });
    await applier.apply({ config: doc('controlplane', 'b'), mode: 'try' });
    await applier.apply({ config: doc('controlplane', 'b'), mode: 'no-reboot' });
    expect(applier.trialPending).to.equal(false);
    clock.fire();
    await new Promise((resolve) => setImmediate(resolve));
    expect(hostnameOf(await active())).to.equal('b');
    expect(hostnameOf(await persistent())).to.equal('b');
  });

  it('persist: false keeps the config out of the persistent slot', async () => {
    await applier.apply({ config: doc('controlplane', 'a', { persist: false }), mode: 'auto' });
    expect(await persistent()).to.equal(undefined);
    expect(hostnameOf(await active())).to.equal('a');
  });
});
