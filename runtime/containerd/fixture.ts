// Test fixture: a real private containerd in a temporary directory, its own runc root and cgroup prefix, torn down after.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdtemp, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerdClient } from './client.js';
import { containerdConfig, waitReady, type ContainerdLaunch } from './daemon.js';
import { isNotFound } from '../../resources/errors.js';
import type { LogSink } from '../services/runner.js';

/** Why containerd tests cannot run here, or undefined when they can (root, and containerd and runc installed). */
export function containerdSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (containerd and runc create namespaces and cgroups)';
  if (!existsSync('/usr/bin/containerd')) return 'needs /usr/bin/containerd (Debian package containerd)';
  return undefined;
}

/** A running private containerd. */
export class ContainerdFixture {
  /** A client in namespace `system`. */
  readonly client: ContainerdClient;
  /** The node name of this fixture's containers: their cgroups are `/<nodeName>/system/<id>`. */
  readonly nodeName = `osnode-test-${process.pid}`;
  private child: ChildProcess | undefined;

  private constructor(
    /** The state directory (root, state, sockets, runc root, FIFOs, containerd.log). */
    readonly dir: string,
    readonly launch: ContainerdLaunch,
  ) {
    this.client = new ContainerdClient({ address: launch.socket, namespace: 'system' });
  }

  /** containerd's socket. */
  get socket(): string {
    return this.launch.socket;
  }

  /** containerd's pid. */
  get pid(): number {
    return this.child?.pid ?? 0;
  }

  /** Starts containerd in a new temporary directory and waits until it answers. */
  static async start(): Promise<ContainerdFixture> {
    const dir = await mkdtemp('/tmp/osnode-ctd-');
    const f = new ContainerdFixture(dir, containerdConfig({ stateDir: dir, logLevel: 'warn' }));
    await f.spawn();
    return f;
  }

  /** (Re)starts the containerd process with the same config and state. */
  async spawn(): Promise<void> {
    const [bin = '', ...args] = this.launch.args;
    const log = openSync(join(this.dir, 'containerd.log'), 'a');
    try {
      this.child = spawn(bin, args, { stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    await waitReady(this.client, new AbortController().signal, 10_000);
  }

  /** Kills containerd with `sig` (its shims and tasks live on) and waits until it is gone. */
  async kill(sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    child.kill(sig);
    await gone;
    this.child = undefined;
  }

  /** Kills and deletes every task and container, stops containerd, removes the directory and the cgroup parents. */
  async stop(): Promise<void> {
    try {
      for (const namespace of await this.client.listNamespaces()) {
        const c = this.client.withNamespace(namespace);
        for (const info of await c.listContainers())
          await c.removeContainer(info.id).catch((e: unknown) => {
            if (!isNotFound(e)) throw e;
          });
      }
    } finally {
      this.client.close();
      await this.kill('SIGTERM');
      await rm(this.dir, { recursive: true, force: true });
      await removeCgroupParents(this.nodeName);
    }
  }

  /** The cgroup directories left under `/<nodeName>` in any hierarchy (runc removes each container's own). */
  async leftoverCgroups(): Promise<string[]> {
    return leftoverCgroups(this.nodeName);
  }
}

const CGROUP_ROOT = '/sys/fs/cgroup';

async function hierarchies(): Promise<string[]> {
  return (await readdir(CGROUP_ROOT).catch(() => [])).map((h) => join(CGROUP_ROOT, h));
}

/** Directories under `/<nodeName>/system` in every cgroup hierarchy. */
export async function leftoverCgroups(nodeName: string): Promise<string[]> {
  const out: string[] = [];
  for (const h of await hierarchies()) {
    const system = join(h, nodeName, 'system');
    for (const e of await readdir(system, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) out.push(join(system, e.name));
    }
  }
  return out;
}

/** Removes the (empty) `/<nodeName>/system` and `/<nodeName>` cgroups runc made as parents. */
export async function removeCgroupParents(nodeName: string): Promise<void> {
  for (const h of await hierarchies()) {
    await rmdir(join(h, nodeName, 'system')).catch(() => undefined);
    await rmdir(join(h, nodeName)).catch(() => undefined);
  }
}

/** Runs `ctr -a <socket> -n <namespace> ...args` (a tool we did not write) and returns its stdout. */
export async function ctr(socket: string, namespace: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('ctr', ['-a', socket, '-n', namespace, ...args]);
  return stdout;
}

/** A log sink that keeps the text and lets a test wait until some text has arrived. */
export class TextSink implements LogSink {
  text = '';
  private readonly waiters = new Set<() => void>();

  write(chunk: Buffer): void {
    this.text += chunk.toString('utf8');
    for (const w of this.waiters) w();
  }

  /** Resolves once the text contains `needle`; rejects after `timeoutMs` showing what arrived. */
  waitFor(needle: string, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!this.text.includes(needle)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(`no ${JSON.stringify(needle)} in the log after ${timeoutMs} ms; got ${JSON.stringify(this.text)}`),
        );
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}
