// Log streams as lines: chunks split anywhere are joined back into whole lines, prefixed with the node when asked.
import { expect } from 'chai';
import { LineSplitter } from './logs.js';

describe('osctl logs lines', () => {
  it('joins lines split across chunks and prints a last partial line on flush', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l), '10.5.0.2: ');
    s.push(Buffer.from('first li'));
    s.push(Buffer.from('ne\r\nsecond\nthi'));
    expect(out.join('\n')).to.equal('10.5.0.2: first line\n10.5.0.2: second');
    s.flush();
    expect(out.at(-1)).to.equal('10.5.0.2: thi');
    s.flush();
    expect(out.join('\n').split('\n')).to.have.length(3);
  });

  it('writes the whole lines of a chunk at once, and keeps a character split across chunks', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l));
    const bytes = Buffer.from('a\nb\nnaïve\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of ï
    s.push(bytes.subarray(0, cut));
    s.push(bytes.subarray(cut));
    expect(out).to.deep.equal(['a\nb', 'naïve']);
  });
});
