// Durations on the command line (--timeout, --crt-ttl): Go-style units, and usage errors that show an example.
import { expect } from 'chai';
import { InvalidArgumentError } from 'commander';
import { parseDuration } from './duration.js';

describe('osctl durations', () => {
  it('reads ms, s, m and h, alone or in sequence', () => {
    expect(parseDuration('1m', '--timeout')).to.equal(60_000);
    expect(parseDuration('1m30s', '--timeout')).to.equal(90_000);
    expect(parseDuration('500ms', '--timeout')).to.equal(500);
    expect(parseDuration('8760h', '--crt-ttl')).to.equal(8760 * 3_600_000);
    expect(parseDuration('1.5s', '--timeout')).to.equal(1500);
  });

  it('refuses anything else, naming the flag and an example', () => {
    for (const bad of ['', '10', 'soon', '1d', '0s', '-1m']) {
      expect(() => parseDuration(bad, '--timeout'), bad)
        .to.throw(InvalidArgumentError)
        .with.property('message')
        .that.includes('--timeout');
    }
  });
});
