// A node for end-to-end tests: a throwaway network namespace with a veth pair (e2e0 <-> e2e1), and machined run in it
// and in its own UTS namespace, so that whatever it applies (addresses, routes, hostname) never reaches this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeCgroupName } from '../../runtime/machined/extension-service.js';
import { removeNodeCgroups } from '../../runtime/machined/leftovers.js';
import { exec, must, until } from './run.js';

const MACHINED = fileURLToPath(new URL('../../runtime/machined/main.js', import.meta.url));
const OSCTL = fileURLToPath(new URL('../../api/cli/osctl.js', import.meta.url));

/** A node made from `osctl gen config`: its machined, and the osctl flags that reach it as an admin. */
export interface GeneratedNode {
  readonly machined: NamespacedMachined;
  readonly target: string[];
}

/**
 * Generates configs for cluster `cluster` at `endpoint` with `patch` into `dir`/gen and starts the control plane's
 * machined in `ns` (state in `dir`/node), its API on 127.0.0.1:`port`.
 */
export async function startGeneratedNode(o: {
  ns: string;
  dir: string;
  cluster: string;
  endpoint: string;
  patch: unknown;
  port: number;
}): Promise<GeneratedNode> {
  const gen = join(o.dir, 'gen');
  await must(process.execPath, [
    OSCTL,
    'gen',
    'config',
    o.cluster,
    o.endpoint,
    '-o',
    gen,
    '--config-patch',
    JSON.stringify(o.patch),
  ]);
  const args = ['--config', join(gen, 'controlplane.yaml'), '--state-dir', join(o.dir, 'node')];
  args.push('--api-port', String(o.port), '--api-host', '127.0.0.1');
  const at = `127.0.0.1:${o.port}`;
  return {
    machined: new NamespacedMachined(o.ns, args),
    target: ['--talosconfig', join(gen, 'talosconfig'), '-e', at, '-n', at],
  };
}

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
  /** The process; `nsenter` and `unshare` exec, so this is machined itself (its pid, its signals). */
  readonly child: ChildProcess;
  /** Its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;

  /** Its --state-dir: after a SIGKILL its containerd, shims and containers are found and killed through it. */
  private readonly stateDir: string | undefined;

  constructor(ns: string, args: readonly string[]) {
    const i = args.indexOf('--state-dir');
    this.stateDir = i < 0 ? undefined : args[i + 1];
    // nsenter, not `ip netns exec`: the latter remounts /sys in a new mount namespace, which hides the cgroup mounts
    // that runc needs to place the node's containers.
    const child = spawn(
      'nsenter',
      [`--net=/run/netns/${ns}`, 'unshare', '--uts', process.execPath, MACHINED, ...args],
      {
        stdio: 'ignore',
      },
    );
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
  }

  /**
   * SIGKILLs it unless it has exited and waits for the exit. With `leave`, what it ran stays (a test restarting the
   * node); otherwise its leftovers are killed too.
   */
  async kill(o: { leave?: boolean } = {}): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
    if (o.leave !== true && this.stateDir !== undefined) await killLeftovers(this.stateDir);
  }

  /**
   * Stops it the way a person would (SIGTERM: it stops its services and containerd), SIGKILLs it after `graceMs`, and
   * then kills whatever of its node is still running: processes naming its state directory (containerd, shims) and
   * those in its containers' cgroups.
   */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.stateDir !== undefined) await killLeftovers(this.stateDir);
  }
}

/**
 * Kills processes of a node that outlived its machined: those naming `stateDir`, then those in its cgroups; then
 * removes its empty cgroups.
 */
export async function killLeftovers(stateDir: string): Promise<void> {
  await exec('pkill', ['-9', '-f', stateDir]).catch(() => undefined);
  const node = nodeCgroupName(stateDir);
  const pids = async (): Promise<string[]> => {
    const files = (await readdir('/sys/fs/cgroup').catch(() => [] as string[])).map((c) =>
      cgroupFiles(join('/sys/fs/cgroup', c, node)),
    );
    const all = await Promise.all((await Promise.all(files)).flat().map((f) => readFile(f, 'utf8').catch(() => '')));
    return all.flatMap((text) => text.split('\n').filter((p) => p !== ''));
  };
  for (const pid of await pids()) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
  await until(async () => (await pids()).length === 0, 10_000, `the processes in the cgroups of ${node} to end`);
  removeNodeCgroups(node);
}

/** The cgroup.procs files under `dir`, deepest first. */
async function cgroupFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const deeper = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => cgroupFiles(join(dir, e.name))));
  return [...deeper.flat(), ...(entries.some((e) => e.name === 'cgroup.procs') ? [join(dir, 'cgroup.procs')] : [])];
}
