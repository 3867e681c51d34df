// RFC 6902 JSON patch: every op, pointer escapes, `-` and indexes, `test` failures, errors naming op and path, atomicity.
import { expect } from 'chai';
import { JsonPatchError, applyJsonPatch, parseJsonPatch, parsePointer, pointerOf } from './json-patch.js';
import type { Json } from './json.js';

function doc(): Json {
  return {
    machine: { network: { hostname: 'a', nameservers: ['1.1.1.1'] }, sysctls: { 'net/x': '1', 'a~b': '2' } },
    list: [1, 2, 3],
  };
}

function patch(doc0: Json, ops: Json[]): Json {
  return applyJsonPatch(doc0, parseJsonPatch(ops));
}

function failure(fn: () => unknown): JsonPatchError {
  try {
    fn();
  } catch (e: unknown) {
    if (e instanceof JsonPatchError) return e;
    throw e;
  }
  throw new Error('expected a JsonPatchError');
}

describe('JSON patch (RFC 6902)', () => {
  it('add sets keys, inserts at an index and appends with "-"; replace and remove change what exists', () => {
    const out = patch(doc(), [
      { op: 'add', path: '/machine/network/hostname', value: 'b' },
      { op: 'add', path: '/machine/install', value: { disk: '/dev/sda' } },
      { op: 'add', path: '/list/0', value: 0 },
      { op: 'add', path: '/list/-', value: 4 },
      { op: 'add', path: '/list/5', value: 5 },
      { op: 'replace', path: '/machine/network/nameservers/0', value: '8.8.8.8' },
      { op: 'remove', path: '/list/1' },
    ]);
    expect(out).to.deep.equal({
      machine: {
        network: { hostname: 'b', nameservers: ['8.8.8.8'] },
        sysctls: { 'net/x': '1', 'a~b': '2' },
        install: { disk: '/dev/sda' },
      },
      list: [0, 2, 3, 4, 5],
    });
  });

  it('move and copy take "from"; test passes on equal values', () => {
    const out = patch(doc(), [
      { op: 'copy', from: '/machine/network/hostname', path: '/machine/hostnameCopy' },
      { op: 'move', from: '/list', path: '/machine/list' },
      { op: 'test', path: '/machine/list', value: [1, 2, 3] },
      { op: 'move', from: '/machine/list/0', path: '/machine/list/-' },
    ]);
    expect(out).to.deep.equal({
      machine: {
        network: { hostname: 'a', nameservers: ['1.1.1.1'] },
        sysctls: { 'net/x': '1', 'a~b': '2' },
        hostnameCopy: 'a',
        list: [2, 3, 1],
      },
    });
  });

  it('unescapes ~1 as / and ~0 as ~ in pointers, and escapes them back', () => {
    expect(parsePointer('/machine/sysctls/net~1x')).to.deep.equal(['machine', 'sysctls', 'net/x']);
    expect(parsePointer('/a~01')).to.deep.equal(['a~1']);
    expect(pointerOf(['a/b', 'c~d'])).to.equal('/a~1b/c~0d');
    const out = patch(doc(), [
      { op: 'replace', path: '/machine/sysctls/net~1x', value: '0' },
      { op: 'remove', path: '/machine/sysctls/a~0b' },
    ]);
    expect(out).to.have.deep.nested.property('machine.sysctls', { 'net/x': '0' });
  });

  it('replaces the whole document with path ""', () => {
    expect(patch(doc(), [{ op: 'replace', path: '', value: { version: 'v1alpha1' } }])).to.deep.equal({
      version: 'v1alpha1',
    });
  });

  it('fails a test op naming the op index, the path and both values; the input is unchanged', () => {
    const input = doc();
    const e = failure(() =>
      patch(input, [
        { op: 'remove', path: '/list' },
        { op: 'test', path: '/machine/network/hostname', value: 'b' },
      ]),
    );
    expect(e).to.include({ index: 1, path: '/machine/network/hostname' });
    expect(e.message).to.equal('test failed: the value is "a", the patch expects "b"');
    expect(input).to.deep.equal(doc());
  });

  it('names the missing part of a path, a bad index, a bad escape and a move into a child', () => {
    expect(failure(() => patch(doc(), [{ op: 'replace', path: '/machine/nope/x', value: 1 }])).message).to.equal(
      '/machine/nope/x does not exist (no "nope" at /machine)',
    );
    expect(failure(() => patch(doc(), [{ op: 'add', path: '/machine/nope/x', value: 1 }])).message).to.include(
      '/machine/nope does not exist',
    );
    expect(failure(() => patch(doc(), [{ op: 'remove', path: '/machine/absent' }])).message).to.equal(
      '/machine/absent does not exist',
    );
    expect(failure(() => patch(doc(), [{ op: 'add', path: '/list/9', value: 1 }])).message).to.include(
      'index 9 is out of range in /list/9: the list has 3 items',
    );
    expect(failure(() => patch(doc(), [{ op: 'replace', path: '/list/01', value: 1 }])).message).to.include(
      '"01" is not a list index',
    );
    expect(failure(() => patch(doc(), [{ op: 'remove', path: '/list/-' }])).message).to.include(
      '"-" is not a list index',
    );
    expect(failure(() => parsePointer('/a~2b')).message).to.include('"~" must be followed by 0 or 1');
    expect(failure(() => parsePointer('machine')).message).to.include('starts with "/"');
    expect(
      failure(() => patch(doc(), [{ op: 'move', from: '/machine', path: '/machine/network/x' }])).message,
    ).to.include('into its own child');
    expect(failure(() => patch(doc(), [{ op: 'remove', path: '' }])).message).to.include('whole document');
    expect(
      failure(() => patch(doc(), [{ op: 'add', path: '/machine/network/hostname/x', value: 1 }])).message,
    ).to.include('is "a", not a mapping or a list');
  });

  it('checks the shape of every operation before applying any', () => {
    expect(
      failure(() =>
        parseJsonPatch([
          { op: 'add', path: '/a', value: 1 },
          { op: 'upsert', path: '/b' },
        ]),
      ),
    ).to.include({
      index: 1,
      path: '/b',
    });
    expect(failure(() => parseJsonPatch([{ op: 'add', path: '/a' }])).message).to.equal('"add" needs a "value"');
    expect(failure(() => parseJsonPatch([{ op: 'copy', path: '/a' }])).message).to.include('needs "from"');
    expect(failure(() => parseJsonPatch([{ op: 'remove', path: 5 }])).message).to.include('"path" must be a string');
    expect(failure(() => parseJsonPatch(['remove /a'])).message).to.include('an operation is a mapping');
    expect(parseJsonPatch([{ op: 'add', path: '/a', value: null }])).to.deep.equal([
      { op: 'add', path: '/a', value: null },
    ]);
  });
});
