// The real clock: a sleep longer than setTimeout's limit (about 24.8 days) waits instead of firing after 1 ms.
import { expect } from 'chai';
import { MAX_TIMER_MS, realClock } from './clock.js';

describe('realClock', () => {
  it('sleeps past setTimeout’s limit until aborted, instead of waking at once', async () => {
    const ac = new AbortController();
    let woke = false;
    const sleeping = realClock.sleep(MAX_TIMER_MS * 2, ac.signal).then(() => (woke = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(woke, 'woke within 50 ms of a 50-day sleep').to.equal(false);
    ac.abort();
    await sleeping;
    expect(woke).to.equal(true);
  });

  it('wakes after a short delay', async () => {
    const t0 = Date.now();
    await realClock.sleep(20, new AbortController().signal);
    expect(Date.now() - t0).to.be.at.least(19);
  });
});
