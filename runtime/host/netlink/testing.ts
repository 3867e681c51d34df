// For real-kernel tests: a throwaway network namespace per describe block with a fixture process inside it, and `ip -json`
// run in it. Imported by tests only.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** What {@link useNamespace} gives a describe block. */
export interface TestNamespace<F> {
  /** The namespace's name (set once the before hook ran). */
  readonly name: () => string;
  /** The fixture started in it. */
  readonly fixture: () => F;
  /** `ip -n NS -json ARGS`, parsed (an empty list when ip prints nothing). */
  readonly ip: (...args: string[]) => Promise<Record<string, unknown>[]>;
  /** `ip -n NS ARGS`; rejects when ip fails. */
  readonly run: (...args: string[]) => Promise<unknown>;
}

/**
 * Registers hooks that make namespace `<prefix>-<random>` and start `start(ns)` in it before the block's tests, then
 * stop the fixture and delete the namespace after them. Without root the block is skipped, saying so on stderr (CI and
 * the development machines run as root, so it runs there).
 */
export function useNamespace<F extends { stop(): Promise<void> }>(
  prefix: string,
  what: string,
  start: (ns: string) => F,
): TestNamespace<F> {
  const ns = `${prefix}-${randomBytes(4).toString('hex')}`;
  let fx: F | undefined;
  before(async function () {
    if (process.getuid?.() !== 0) {
      process.stderr.write(`${what}: skipped: creating a network namespace needs root\n`);
      this.skip();
    }
    await exec('ip', ['netns', 'add', ns]);
    fx = start(ns);
  });
  after(async function () {
    await fx?.stop();
    await exec('ip', ['netns', 'del', ns]).catch(() => undefined);
  });
  return {
    name: () => ns,
    fixture: () => {
      if (fx === undefined) throw new Error('fixture not started');
      return fx;
    },
    ip: async (...args) =>
      JSON.parse((await exec('ip', ['-n', ns, '-json', ...args])).stdout || '[]') as Record<string, unknown>[],
    run: (...args) => exec('ip', ['-n', ns, ...args]),
  };
}
