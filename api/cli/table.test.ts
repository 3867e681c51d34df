// The table formatter: talosctl's alignment, streaming rows whose columns only grow, cells on one line.
import { expect } from 'chai';
import { cell, formatTable, StreamingTable } from './table.js';

describe('osctl tables', () => {
  it('aligns columns three spaces apart, with no trailing spaces', () => {
    expect(
      formatTable(
        ['NAMESPACE', 'ID', 'VERSION'],
        [
          ['config', 'v1alpha1', '1'],
          ['runtime', 'machine', '12'],
        ],
      ),
    ).to.deep.equal(['NAMESPACE   ID         VERSION', 'config      v1alpha1   1', 'runtime     machine    12']);
    expect(formatTable(['A', 'B'], [['x', '']])).to.deep.equal(['A   B', 'x']);
  });

  it('a streaming table prints the header with its first rows and widens columns for later rows only', () => {
    const t = new StreamingTable(['*', 'ID', 'VERSION']);
    expect(t.start([['+', 'a', '1']])).to.deep.equal(['*   ID   VERSION', '+   a    1']);
    expect(t.add([['-', 'longer-id', '2']])).to.deep.equal(['-   longer-id   2']);
    expect(t.add([[' ', 'a', '3']])).to.deep.equal(['    a           3']);
  });

  it('cells hold one line: newlines and tabs become spaces; objects become JSON', () => {
    expect(cell('a\nb\tc')).to.equal('a b c');
    expect(cell(undefined)).to.equal('');
    expect(cell({ k: 1 })).to.equal('{"k":1}');
    expect(cell(7)).to.equal('7');
  });
});
