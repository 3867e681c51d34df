// Log streams as lines: chunks split anywhere are joined back into whole lines, prefixed with the node when asked.
import { expect } from 'chai';
import { LineSplitter } from './logs.js';

describe('osctl logs lines', () => {
  it('joins lines split across chunks and prints a last partial line on flush', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l), '10.5.0.2: ');
    s.push(Buffer.from('first li'));
    s.push(Buffer.from('ne\r\nsecond\nthi'));
    expect(out).to.deep.equal(['10.5.0.2: first line', '10.5.0.2: second']);
    s.flush();
    expect(out.at(-1)).to.equal('10.5.0.2: thi');
    s.flush();
    expect(out).to.have.length(3);
  });
});
