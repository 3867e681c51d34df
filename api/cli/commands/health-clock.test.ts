// The clock check's arithmetic: a whole-second Date header bracketed by our clock readings.
import { expect } from 'chai';
import { formatSkew, skewFrom, withinTolerance } from './health-clock.js';

describe('osctl health: clock skew from a Date header', () => {
  const at = Date.parse('Thu, 26 Nov 2026 12:00:00 GMT');

  it('brackets the skew by the header resolution and the call time', () => {
    const s = skewFrom('Thu, 26 Nov 2026 12:00:00 GMT', at + 200, at + 300);
    expect(s).to.deep.equal({ minMs: -300, maxMs: 799 });
    expect(withinTolerance(s!, 2000)).to.equal(true);
    expect(formatSkew(s!)).to.equal('+0.2s (±0.5s)');
  });

  it('fails only a skew that is certainly beyond the tolerance', () => {
    const ahead = skewFrom('Thu, 26 Nov 2026 12:00:05 GMT', at, at + 100)!;
    expect(withinTolerance(ahead, 2000)).to.equal(false);
    const behind = skewFrom('Thu, 26 Nov 2026 11:59:57 GMT', at, at + 100)!;
    expect(withinTolerance(behind, 2000)).to.equal(false);
    expect(withinTolerance(skewFrom('Thu, 26 Nov 2026 11:59:58 GMT', at, at + 100)!, 2000)).to.equal(true);
    expect(skewFrom('not a date', at, at)).to.equal(undefined);
  });
});
