// A node for end-to-end tests: a throwaway network namespace with a veth pair (e2e0 <-> e2e1), and machined run in it
// and in its own UTS namespace, so that whatever it applies (addresses, routes, hostname) never reaches this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { exec, must } from './run.js';

const MACHINED = fileURLToPath(new URL('../../runtime/machined/main.js', import.meta.url));

/** Creates network namespace `<prefix>-<random>` holding the veth pair e2e0 <-> e2e1 (both down); returns its name. */
export async function namespaceWithVeth(prefix: string): Promise<string> {
  const ns = `${prefix}-${randomBytes(4).toString('hex')}`;
  await must('ip', ['netns', 'add', ns]);
  await must('ip', ['-n', ns, 'link', 'add', 'e2e0', 'type', 'veth', 'peer', 'name', 'e2e1']);
  return ns;
}

/** Removes a namespace made by {@link namespaceWithVeth} (nothing when it is gone already). */
export async function removeNamespace(ns: string): Promise<void> {
  await exec('ip', ['netns', 'del', ns]).catch(() => undefined);
}

/** machined with `args`, in network namespace `ns` and a UTS namespace of its own. */
export class NamespacedMachined {
  /** The process; `ip netns exec` and `unshare` exec, so this is machined itself (its pid, its signals). */
  readonly child: ChildProcess;
  /** Its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;

  constructor(ns: string, args: readonly string[]) {
    const child = spawn('ip', ['netns', 'exec', ns, 'unshare', '--uts', process.execPath, MACHINED, ...args], {
      stdio: 'ignore',
    });
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
  }

  /** SIGKILLs it unless it has exited, and waits for the exit. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
