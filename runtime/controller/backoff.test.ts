// Tests of the jittered exponential backoff.
import { expect } from 'chai';
import { InvariantError } from '../../resources/index.js';
import { Backoff, DEFAULT_BACKOFF, backoffOptions } from './backoff.js';

describe('Backoff', () => {
  it('defaults to 100 ms doubling up to 30 s with ±20% jitter', () => {
    expect(DEFAULT_BACKOFF).to.deep.equal({ baseMs: 100, maxMs: 30_000, factor: 2, jitter: 0.2 });
  });

  it('grows by the factor up to the cap, and starts again after reset', () => {
    const b = new Backoff(backoffOptions({ baseMs: 10, maxMs: 100 }), () => 0.5);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).to.deep.equal([10, 20, 40, 80, 100]);
    expect(b.failures).to.equal(5);
    b.reset();
    expect(b.failures).to.equal(0);
    expect(b.next()).to.equal(10);
  });

  it('jitters within ±jitter and never beyond the cap', () => {
    const low = new Backoff(backoffOptions({ baseMs: 100 }), () => 0);
    const high = new Backoff(backoffOptions({ baseMs: 100 }), () => 0.999999);
    expect(low.next()).to.be.closeTo(80, 1e-6);
    expect(high.next()).to.be.closeTo(120, 1e-3);
    const capped = new Backoff(backoffOptions({ baseMs: 100, maxMs: 100 }), () => 0.999999);
    expect(capped.next()).to.equal(100);
    const samples = Array.from({ length: 200 }, () => new Backoff(DEFAULT_BACKOFF).next());
    expect(Math.min(...samples)).to.be.at.least(80);
    expect(Math.max(...samples)).to.be.at.most(120);
  });

  it('refuses bad options, naming the field', () => {
    expect(() => backoffOptions({ baseMs: 0 })).to.throw(InvariantError, 'baseMs=0');
    expect(() => backoffOptions({ baseMs: 10, maxMs: 5 })).to.throw(InvariantError, 'maxMs=5');
    expect(() => backoffOptions({ factor: 0.5 })).to.throw(InvariantError, 'factor=0.5');
    expect(() => backoffOptions({ jitter: 1 })).to.throw(InvariantError, 'jitter=1');
  });
});
