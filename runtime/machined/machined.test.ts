// The machined executable, run as a user would: applies a config, shows its resources, keeps the config across restarts.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../docs/examples/machine.yaml', import.meta.url));

async function machined(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { timeout: 15_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('machined', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osnode-machined-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('applies the example config, shows its resources and stops cleanly; the config survives a restart', async () => {
    const first = await machined('--config', EXAMPLE, '--state-dir', dir, '--once');
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/config\s+MachineConfig\s+v1alpha1\s+1/);
    expect(first.stdout).to.match(/config\s+MachineType\s+machine-type\s+1\s+controlplane/);
    expect(first.stdout).to.include('stopped cleanly');
    const again = await machined('--state-dir', dir, '--once');
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/MachineType\s+machine-type\s+\d+\s+controlplane/);
  });

  it('refuses an invalid config with one line naming the field and the value', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'version: v1alpha1\nmachine:\n  type: bogus\n');
    const r = await machined('--config', bad, '--state-dir', join(dir, 'node'), '--once');
    expect(r.code).to.equal(1);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.include('machine.type').and.include('"bogus"');
  });

  it('refuses YAML it cannot parse, naming the file', async () => {
    const bad = join(dir, 'broken.yaml');
    await writeFile(bad, 'version: v1alpha1\nmachine: [unclosed\n');
    const r = await machined('--config', bad, '--state-dir', join(dir, 'node'), '--once');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('broken.yaml').and.include('not valid YAML');
  });
});
