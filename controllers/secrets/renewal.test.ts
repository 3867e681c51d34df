// RenewalTimer on a clock moved by hand: fires once at its deadline, a new deadline replaces the old, none cancels it,
// and a deadline months away is waited out in bounded sleeps.
import { expect } from 'chai';
import { RenewalTimer } from './renewal.js';
import { ManualClock } from './testing.js';

const DAY = 86_400_000;

describe('secrets RenewalTimer', () => {
  let ac: AbortController;
  let clock: ManualClock;
  let timer: RenewalTimer;
  let fired: number;
  let running: Promise<void>;
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
  };
  beforeEach(() => {
    ac = new AbortController();
    clock = new ManualClock(0);
    timer = new RenewalTimer(clock);
    fired = 0;
    running = timer.run(ac.signal, () => fired++);
  });
  afterEach(async () => {
    ac.abort();
    await running;
    expect(clock.pending).to.equal(0);
  });

  it('fires once at the deadline, not before', async () => {
    timer.set(1000);
    await settle();
    clock.advance(999);
    await settle();
    expect(fired).to.equal(0);
    clock.advance(1);
    await settle();
    expect(fired).to.equal(1);
    expect(timer.deadline).to.equal(undefined);
    clock.advance(10_000);
    await settle();
    expect(fired).to.equal(1);
  });

  it('a new deadline replaces the old; undefined cancels', async () => {
    timer.set(1000);
    await settle();
    timer.set(5000);
    await settle();
    clock.advance(2000);
    await settle();
    expect(fired).to.equal(0);
    timer.set(undefined);
    await settle();
    clock.advance(10_000);
    await settle();
    expect(fired).to.equal(0);
  });

  it('waits out a deadline 240 days away in sleeps of at most a day', async () => {
    timer.set(240 * DAY);
    for (let d = 1; d < 240; d++) {
      await settle();
      clock.advance(DAY);
    }
    await settle();
    expect(fired).to.equal(0);
    clock.advance(DAY);
    await settle();
    expect(fired).to.equal(1);
    expect(Math.max(...clock.requested)).to.equal(DAY);
  });
});
