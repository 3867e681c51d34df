// Patch values: format detection (mapping, list, multi-document, JSON), @file loading, and errors naming patch, op and path.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FileAccessError, PatchError } from './errors.js';
import type { JsonObject } from './json.js';
import { applyPatches, loadPatches, parsePatch } from './patch.js';

const config = (): JsonObject => ({
  version: 'v1alpha1',
  machine: { type: 'worker', network: { interfaces: [{ interface: 'eth0', dhcp: true }] } },
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e: unknown) {
    return e;
  }
  throw new Error('expected an error');
}

describe('config patches', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osctl-patch-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a mapping as a strategic merge patch and a list as a JSON patch, in YAML or JSON', () => {
    expect(parsePatch('machine:\n  network:\n    hostname: w1\n', 'p')).to.include({ kind: 'strategic-merge' });
    expect(parsePatch('{"machine": {"network": {"hostname": "w1"}}}', 'p')).to.include({ kind: 'strategic-merge' });
    const json = parsePatch('[{"op": "add", "path": "/machine/network/hostname", "value": "w1"}]', 'p');
    expect(json).to.deep.equal({
      kind: 'json6902',
      name: 'p',
      operations: [{ op: 'add', path: '/machine/network/hostname', value: 'w1' }],
    });
    const multi = parsePatch('machine: {type: worker}\n---\n---\nmachine: {network: {hostname: w1}}\n', 'p');
    expect(multi.kind === 'strategic-merge' ? multi.documents : []).to.have.length(2);
  });

  it('applies patches in order; a later patch sees what an earlier one did', () => {
    const out = applyPatches(config(), [
      parsePatch('machine: {network: {interfaces: [{interface: eth0, mtu: 9000}]}}', 'a'),
      parsePatch(
        '- {op: test, path: /machine/network/interfaces/0/mtu, value: 9000}\n- {op: remove, path: /machine/network/interfaces/0/dhcp}',
        'b',
      ),
    ]);
    expect(out).to.have.deep.nested.property('machine.network.interfaces', [{ interface: 'eth0', mtu: 9000 }]);
  });

  it('refuses patches that are empty, scalars, broken YAML, or JSON patches spread over documents', () => {
    const reason = (text: string): string => (thrown(() => parsePatch(text, 'p')) as PatchError).reason;
    expect(reason('')).to.equal('the patch is empty');
    expect(reason('# only a comment\n')).to.equal('the patch is empty');
    expect(reason('hello')).to.include('not a string');
    expect(reason('machine: {type: [worker')).to.match(/^not valid YAML or JSON: /);
    expect(reason('- {op: remove, path: /a}\n---\n- {op: remove, path: /b}')).to.include('single document');
    expect(reason('- {op: remove, path: /a}\n- {op: nope, path: /b}')).to.include('"op" must be one of');
    expect(reason('{"machine": {"__proto__": {"x": 1}}}')).to.include('the key __proto__ is not allowed');
    expect(reason('[{"op": "add", "path": "/__proto__/x", "value": 1}]')).to.include(
      'the key __proto__ is not allowed',
    );
  });

  it('names the patch, the op index and the path when an operation fails', () => {
    const e = thrown(() =>
      applyPatches(config(), [
        parsePatch(
          '[{"op":"test","path":"/machine/type","value":"worker"},{"op":"replace","path":"/machine/install/disk","value":"/dev/vda"}]',
          '@disk.json',
        ),
      ]),
    );
    expect(e).to.be.instanceOf(PatchError);
    expect((e as PatchError).location).to.deep.equal({ patch: '@disk.json', op: 1, path: '/machine/install/disk' });
    expect((e as PatchError).message).to.equal(
      'patch @disk.json, op 1, path /machine/install/disk: /machine/install/disk does not exist (no "install" at /machine)',
    );
    const failed = thrown(() =>
      applyPatches(config(), [parsePatch('[{"op":"test","path":"/machine/type","value":"controlplane"}]', 'inline')]),
    ) as PatchError;
    expect(failed.message).to.equal(
      'patch inline, op 0, path /machine/type: test failed: the value is "worker", the patch expects "controlplane"',
    );
  });

  it('names the patch and the dotted path when a strategic merge fails', () => {
    const e = thrown(() =>
      applyPatches(config(), [parsePatch('machine: {network: {hostname: {$patch: delete}}}', 'cp #1')]),
    );
    expect((e as PatchError).message).to.equal(
      'patch cp #1, path machine.network.hostname: nothing to delete: the config has no such key',
    );
  });

  it('loads @file values from disk and names inline values by flag and position', async () => {
    const file = join(dir, 'hostname.yaml');
    await writeFile(file, 'machine:\n  network:\n    hostname: from-file\n');
    const patches = await loadPatches([`@${file}`, 'machine: {network: {hostname: inline}}'], {
      flag: '--config-patch',
    });
    expect(patches.map((p) => p.name)).to.deep.equal([`@${file}`, '--config-patch #2 (inline)']);
    expect(applyPatches(config(), patches)).to.have.nested.property('machine.network.hostname', 'inline');
    const missing = await rejection(loadPatches([`@${join(dir, 'nope.yaml')}`], { flag: '--config-patch' }));
    expect(missing).to.be.instanceOf(FileAccessError);
    expect((missing as Error).message).to.equal(
      `cannot read patch file ${join(dir, 'nope.yaml')}: no such file or directory`,
    );
    const bare = await rejection(loadPatches(['@'], { flag: '--config-patch' }));
    expect((bare as PatchError).reason).to.include('give a file name after "@"');
  });
});
