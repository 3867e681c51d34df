// The machined bundle the build made: it starts, and every directory it names for a package's own files exists.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { MACHINED_BUNDLE, SHEBANG } from './bundle.js';

describe('machined bundle (dist/runtime/machined/main.bundle.js, made by npm run build)', () => {
  const run = (file: string, args: readonly string[]): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      execFile(file, args, { timeout: 15_000 }, (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(stdout);
      });
    });

  it('runs as a program (its #! line) and under node: --help prints the usage and exits 0', async () => {
    expect(await run(MACHINED_BUNDLE, ['--help'])).to.match(/^usage: machined --state-dir DIR/);
    expect(await run(process.execPath, [MACHINED_BUNDLE, '--help'])).to.match(/^usage: machined --state-dir DIR/);
  });

  it("starts with the nodes' environment and Node flags: node takes them, gc() is there", async () => {
    expect(readFileSync(MACHINED_BUNDLE, 'utf8').split('\n', 1)[0]).to.equal(SHEBANG);
    const [env = '', split = '', ...command] = SHEBANG.slice(2).split(' ');
    expect([env, split]).to.deep.equal(['/usr/bin/env', '-S']);
    const probe =
      'console.log(JSON.stringify({ argv: process.execArgv, arenas: process.env.MALLOC_ARENA_MAX, gc: typeof gc }))';
    const seen = JSON.parse(await run(env, [split, `${command.join(' ')} -e '${probe}'`])) as {
      argv: string[];
      arenas: string;
      gc: string;
    };
    expect(seen.gc).to.equal('function');
    expect(seen.arenas).to.equal('2');
    expect(seen.argv).to.include.members(['--max-semi-space-size=1', '--v8-pool-size=1', '--no-opt', '--expose-gc']);
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
