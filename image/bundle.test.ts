// The machined bundle the build made: it starts, and every directory it names for a package's own files exists.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { MACHINED_BUNDLE } from './bundle.js';

describe('machined bundle (dist/runtime/machined/main.bundle.js, made by npm run build)', () => {
  it('runs: --help prints the usage and exits 0', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [MACHINED_BUNDLE, '--help'], { timeout: 15_000 }, (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(stdout);
      });
    });
    expect(out).to.match(/^usage: machined --state-dir DIR/);
  });

  it('finds the .proto files of grpc-js and its reflection service where they are at run time', () => {
    const bundle = readFileSync(MACHINED_BUNDLE, 'utf8');
    const dirs = [...bundle.matchAll(/__bundleDir\(("[^"]*")\)/g)].map((m) => JSON.parse(m[1] ?? '""') as string);
    expect(
      dirs.some((d) => d.includes('@grpc/reflection')),
      'the reflection service is bundled',
    ).to.equal(true);
    for (const d of dirs) expect(existsSync(join(dirname(MACHINED_BUNDLE), d)), d).to.equal(true);
    const reflection = dirs.find((d) => d.includes('@grpc/reflection')) ?? '';
    const proto = join(dirname(MACHINED_BUNDLE), reflection, '../../proto/grpc/reflection/v1/reflection.proto');
    expect(existsSync(proto), proto).to.equal(true);
  });
});
