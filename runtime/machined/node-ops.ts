// machined's machine operations behind the API (NodeOps): config apply, power, logs, kernel log, /proc, credentials.
import { readFileSync, statSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeOps } from '../../api/server/index.js';
import { auditRunningKernel } from '../../kernel-config/index.js';
import { NotFoundError, type MachineConfigDocument, type ValidationMode } from '../../resources/index.js';
import type { ApplyRequest, ApplyResult, ConfigApplier } from './apply.js';
import { adminKubeconfig, clientConfiguration } from './credentials.js';
import { NodeStateError } from './errors.js';
import { readKmsg } from './kmsg.js';
import { readLogFile } from './log-file.js';
import { readMemory, readProcesses, type MemInfo, type ProcessInfo } from './proc.js';
import type { NodeServices } from './services.js';

/** What the operations need from machined. */
export interface NodeOpsOptions {
  readonly stateDir: string;
  readonly mode: ValidationMode;
  readonly applier: ConfigApplier;
  /** The active machine config, if any. */
  readonly config: () => MachineConfigDocument | undefined;
  /** Starts machined's reboot path (stop in order, then re-exec). */
  readonly reboot: () => void;
  /** Starts machined's shutdown path (stop in order, then exit). */
  readonly shutdown: () => void;
  /** The kernel log device (tests give a file). */
  readonly kmsgPath?: string;
  /** The node's services; without them the service and container calls say the node runs none. */
  readonly services?: NodeServices;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The git commit of the checkout machined runs from, read from .git without running git; 'unknown' elsewhere. */
function gitSha(): string {
  const fromEnv = process.env['OSNODE_GIT_SHA'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    const head = readFileSync(join(ROOT, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    try {
      return readFileSync(join(ROOT, '.git', ref), 'utf8').trim();
    } catch {
      const packed = readFileSync(join(ROOT, '.git', 'packed-refs'), 'utf8');
      return new RegExp(`^([0-9a-f]{40}) ${ref}$`, 'm').exec(packed)?.[1] ?? 'unknown';
    }
  } catch {
    return 'unknown';
  }
}

/** Read once: the build does not change under a running process. */
const BUILD = (() => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  return {
    tag: `v${pkg.version ?? '0.0.0'}`,
    sha: gitSha(),
    built: statSync(fileURLToPath(import.meta.url)).mtime.toISOString(),
  };
})();

/** The log ids `logs` serves. */
export const LOG_IDS: readonly string[] = ['machined'];

/** NodeOps over a running machined. */
export class MachinedOps implements NodeOps {
  constructor(private readonly o: NodeOpsOptions) {}

  hostname(): string {
    return this.o.config()?.machine.network?.hostname ?? osHostname();
  }

  version(): ReturnType<NodeOps['version']> {
    return {
      ...BUILD,
      runtimeVersion: process.version,
      os: process.platform,
      arch: process.arch,
      platform: this.o.mode,
      mode: this.o.mode,
    };
  }

  apply(req: ApplyRequest): Promise<ApplyResult> {
    return this.o.applier.apply(req);
  }

  reboot(): void {
    this.o.reboot();
  }

  shutdown(): void {
    this.o.shutdown();
  }

  logs(
    id: string,
    o: { namespace: string; follow: boolean; tailLines: number; signal: AbortSignal },
  ): AsyncIterable<Buffer> {
    if (o.namespace !== 'system') {
      throw new NotFoundError(
        `no log ${JSON.stringify(id)} in namespace ${o.namespace}: this node keeps logs of system services only`,
      );
    }
    if (LOG_IDS.includes(id)) return readLogFile(join(this.o.stateDir, 'logs', `${id}.log`), o);
    const services = this.o.services;
    if (services?.has(id) !== true) {
      const known = [...LOG_IDS, ...(services?.services().map((s) => s.id) ?? [])];
      throw new NotFoundError(`no log ${JSON.stringify(id)} on this node; the logs are: ${known.join(', ')}`);
    }
    return services.logs(id, o);
  }

  dmesg(o: { follow: boolean; tail: boolean; signal: AbortSignal }): AsyncIterable<Buffer> {
    return readKmsg({ ...o, ...(this.o.kmsgPath === undefined ? {} : { path: this.o.kmsgPath }) });
  }

  memory(): Promise<MemInfo> {
    return readMemory();
  }

  processes(): Promise<ProcessInfo[]> {
    return readProcesses();
  }

  kubeconfig(): Promise<Buffer> {
    return Promise.resolve().then(() => adminKubeconfig(this.activeConfig('a kubeconfig')));
  }

  generateClientConfiguration(
    roles: string[],
    ttlMs: number,
  ): Promise<{ ca: Buffer; crt: Buffer; key: Buffer; talosconfig: Buffer }> {
    return Promise.resolve().then(() =>
      clientConfiguration(this.activeConfig('a client configuration'), roles, ttlMs, this.hostname()),
    );
  }

  services(): ReturnType<NodeOps['services']> {
    return this.o.services?.services() ?? [];
  }

  serviceAction(id: string, action: 'start' | 'stop' | 'restart'): Promise<string> {
    return this.withServices((s) => s.action(id, action));
  }

  containers(namespace: string, signal: AbortSignal): ReturnType<NodeOps['containers']> {
    return this.withServices((s) => s.containers(namespace, signal));
  }

  stats(namespace: string, signal: AbortSignal): ReturnType<NodeOps['stats']> {
    return this.withServices((s) => s.stats(namespace, signal));
  }

  restartContainer(namespace: string, id: string, signal: AbortSignal): Promise<void> {
    return this.withServices((s) => s.restartContainer(namespace, id, signal));
  }

  etcdMembers(signal: AbortSignal): ReturnType<NodeOps['etcdMembers']> {
    return this.withServices((s) => s.etcd.members(signal));
  }

  etcdStatus(signal: AbortSignal): ReturnType<NodeOps['etcdStatus']> {
    return this.withServices((s) => s.etcd.status(signal));
  }

  etcdSnapshot(signal: AbortSignal): AsyncIterable<Buffer> {
    const services = this.o.services;
    if (services === undefined)
      throw new NodeStateError('this machined runs no services (it was started without them)');
    return services.etcd.snapshot(signal);
  }

  async kernelAudit(signal: AbortSignal): ReturnType<NodeOps['kernelAudit']> {
    // machined runs in the node's namespaces: net.* values are the node's own, the rest the kernel's.
    const r = await auditRunningKernel({ signal });
    return { configSource: r.source, kernelRelease: r.release, findings: [...r.findings] };
  }

  private withServices<T>(fn: (s: NodeServices) => Promise<T>): Promise<T> {
    const services = this.o.services;
    if (services === undefined) {
      return Promise.reject(new NodeStateError('this machined runs no services (it was started without them)'));
    }
    return Promise.resolve().then(() => fn(services));
  }

  private activeConfig(what: string): MachineConfigDocument {
    const config = this.o.config();
    if (config === undefined) throw new NodeStateError(`${what} needs a machine config; the node has none yet`);
    return config;
  }
}
