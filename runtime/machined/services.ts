// The node's services: containerd first (a process), then the extension services of the active config (containers);
// each supervisor change is written as a Service resource, and the API's container calls go to this containerd.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PbContainerInfo, PbServiceInfo, PbStat } from '../../api/proto/types.js';
import {
  NotFoundError,
  SERVICES_NAMESPACE,
  ServiceType,
  putResource,
  type MachineConfigDocument,
  type ServiceSpec,
  type State,
} from '../../resources/index.js';
import { errorMessage, type Logger } from '../controller/index.js';
import { ContainerdClient, checkHealth, containerdConfig } from '../containerd/index.js';
import { ProcessRunner, Supervisor, readServiceLog, type ServiceSnapshot } from '../services/index.js';
import { MACHINED_OWNER } from './config-store.js';
import { containerHome, extensionService, type ContainerHome } from './extension-service.js';
import { ended, killStaleContainerd, removeNodeCgroups, writePidFile } from './leftovers.js';
import { NodeMembers } from './members.js';
import { NodeEtcd } from './node-etcd.js';

/** Resolves once `pid` has ended, looking every 20 ms (a process that is not our child gives no event). */
async function waitEnded(pid: number, signal: AbortSignal): Promise<void> {
  while (!ended(pid)) await sleep(20, undefined, { signal });
}

/** Options of {@link NodeServices}. */
export interface NodeServicesOptions {
  readonly stateDir: string;
  readonly state: State;
  readonly logger: Logger;
  /** The delay before a failed service restarts (default: the supervisor's, 5 s). */
  readonly restartDelayMs?: number;
}

/** The Service resource spec of a supervisor snapshot. */
export function serviceSpec(s: ServiceSnapshot): ServiceSpec {
  return {
    state: s.state,
    running: s.running,
    healthy: s.healthy === true,
    unknown: s.healthy === undefined,
    pid: s.pid ?? 0,
    restarts: s.restarts,
    message: s.lastMessage,
    healthMessage: s.healthMessage,
  };
}

/** A supervisor snapshot as machine.ServiceInfo. */
export function serviceInfo(s: ServiceSnapshot): PbServiceInfo {
  return {
    id: s.id,
    state: s.state,
    events: s.events.map((e) => ({ msg: e.message, state: e.state, tsUnixMs: e.tsMs })),
    health: {
      unknown: s.healthy === undefined,
      healthy: s.healthy === true,
      lastMessage: s.healthMessage,
      lastChangeUnixMs: s.healthChangedMs,
    },
  };
}

/** machined's services. */
export class NodeServices {
  readonly supervisor: Supervisor;
  readonly home: ContainerHome;
  /** etcd on a control-plane node. */
  readonly etcd: NodeEtcd;
  /** The cluster's Member resources, mirrored from etcd on a control-plane node. */
  readonly members: NodeMembers;
  private readonly client: ContainerdClient;
  /** The config of each extension service as registered, to tell a changed one. */
  private readonly extensions = new Map<string, string>();
  private readonly writes = new Map<string, Promise<void>>();
  private readonly unsubscribe: () => void;
  private reconciling: Promise<void> = Promise.resolve();
  private config: MachineConfigDocument | undefined;
  private closed = false;
  private containerdPid: number | undefined;

  constructor(private readonly o: NodeServicesOptions) {
    const daemon = containerdConfig({ stateDir: join(o.stateDir, 'containerd') });
    this.home = containerHome(o.stateDir, daemon);
    const pidFile = join(o.stateDir, 'containerd', 'containerd.pid');
    const stale = killStaleContainerd(pidFile, daemon.configPath);
    if (stale !== undefined) o.logger.log('warn', 'services', `killed containerd ${stale} left by an earlier machined`);
    this.supervisor = new Supervisor({
      logDir: join(o.stateDir, 'logs'),
      logger: (level, msg) => {
        o.logger.log(level, 'services', msg);
      },
      ...(o.restartDelayMs === undefined ? {} : { restartDelayMs: o.restartDelayMs }),
    });
    this.client = new ContainerdClient({ address: daemon.socket, namespace: 'system' });
    this.etcd = new NodeEtcd({
      state: o.state,
      supervisor: this.supervisor,
      stateDir: o.stateDir,
      home: this.home,
      changed: () => void this.applyConfig(this.config),
      removed: (id) => this.o.state.destroy(this.pointer(id), { owner: MACHINED_OWNER }).catch(() => undefined),
      logger: o.logger,
    });
    this.members = new NodeMembers({ state: o.state, logger: o.logger });
    this.unsubscribe = this.supervisor.subscribe((s) => {
      this.write(s);
      if (s.id === 'containerd' && s.pid !== undefined && s.pid !== this.containerdPid) {
        this.containerdPid = s.pid;
        writePidFile(pidFile, s.pid);
      }
    });
    const [path = '/usr/bin/containerd', ...args] = daemon.args;
    this.supervisor.register({
      id: 'containerd',
      description: 'the container runtime of system services',
      // The containerd a crashed machined left must be gone before a new one opens the same root.
      conditions:
        stale === undefined ? [] : [{ name: `containerd ${stale} gone`, wait: (signal) => waitEnded(stale, signal) }],
      runner: new ProcessRunner({ path, args }),
      restart: 'Forever',
      // A containerd just started answers within ~50 ms; the check waits for its socket up to its timeout.
      health: {
        check: (signal) => checkHealth(daemon.socket, signal, 2000),
        initialDelayMs: 50,
        periodMs: 5000,
        timeoutMs: 2500,
      },
    });
  }

  /** Starts every registered service, and etcd once this node has an EtcdSpec and its certificates. */
  start(): void {
    this.supervisor.startAll();
    this.etcd.start();
    this.members.start();
  }

  /** Makes the extension services those of `config`: new ones start, removed ones stop, changed ones restart. */
  applyConfig(config: MachineConfigDocument | undefined): Promise<void> {
    this.config = config;
    if (this.closed) return this.reconciling;
    this.reconciling = this.reconciling
      .then(() => this.reconcile(config))
      .catch((e: unknown) => {
        this.o.logger.log('error', 'services', `extension services: ${errorMessage(e)}`);
      });
    return this.reconciling;
  }

  private async reconcile(config: MachineConfigDocument | undefined): Promise<void> {
    await this.etcd.reconcile();
    const want = new Map((config?.machine.services ?? []).map((s) => [s.name, s]));
    for (const [id, json] of this.extensions) {
      const next = want.get(id);
      if (next !== undefined && JSON.stringify(next) === json) continue;
      await this.supervisor.unregister(id);
      this.extensions.delete(id);
      if (next === undefined)
        await this.o.state.destroy(this.pointer(id), { owner: MACHINED_OWNER }).catch(() => undefined);
    }
    for (const [id, s] of want) {
      if (this.extensions.has(id)) continue;
      this.supervisor.register(extensionService(s, this.home, config?.machine.env ?? {}));
      this.extensions.set(id, JSON.stringify(s));
      await this.supervisor.start(id);
    }
  }

  /** The services as machine.ServiceInfo. */
  services(): PbServiceInfo[] {
    return this.supervisor.list().map(serviceInfo);
  }

  /** Starts, stops or restarts a service; NotFound for an unknown id. */
  action(id: string, verb: 'start' | 'stop' | 'restart'): Promise<string> {
    return this.supervisor[verb](id);
  }

  /** A service's log; NotFound for an unknown id. */
  logs(id: string, o: { follow: boolean; tailLines: number; signal: AbortSignal }): AsyncIterable<Buffer> {
    this.supervisor.get(id);
    return readServiceLog(join(this.o.stateDir, 'logs'), id, o);
  }

  /** Whether `id` is a service. */
  has(id: string): boolean {
    return this.supervisor.list().some((s) => s.id === id);
  }

  /** The containers of containerd namespace `namespace`. */
  async containers(namespace: string, signal: AbortSignal): Promise<PbContainerInfo[]> {
    const list = await this.client.withNamespace(namespace).containers({ signal });
    return list.map((c) => ({ ...c, podId: '', name: c.id, networkNamespace: '' }));
  }

  /** CPU and memory use of the containers of `namespace`. */
  async stats(namespace: string, signal: AbortSignal): Promise<PbStat[]> {
    const c = this.client.withNamespace(namespace);
    const running = (await c.containers({ signal })).filter((x) => x.status === 'RUNNING').map((x) => x.id);
    const metrics = running.length === 0 ? [] : await c.metrics(running, { signal });
    return metrics.map((m) => ({
      namespace,
      id: m.id,
      memoryUsage: m.memoryUsageBytes,
      cpuUsage: m.cpuUsageNs,
      podId: '',
      name: m.id,
    }));
  }

  /** Restarts a container: a system service through the supervisor, any other by killing its task. */
  async restartContainer(namespace: string, id: string, signal: AbortSignal): Promise<void> {
    if (namespace === 'system' && this.has(id)) {
      await this.supervisor.restart(id);
      return;
    }
    const c = this.client.withNamespace(namespace);
    const known = await c.containers({ signal });
    if (!known.some((x) => x.id === id)) {
      throw new NotFoundError(`no container ${JSON.stringify(id)} in namespace ${namespace}; see osctl containers`);
    }
    await c.killTask(id, 'SIGKILL', { signal });
  }

  /** Stops every service (dependents first), then closes the containerd client. */
  async shutdown(timeoutMs = 30_000): Promise<void> {
    this.closed = true;
    this.etcd.close();
    await this.members.close();
    await this.reconciling;
    await this.supervisor.shutdown({ timeoutMs });
    removeNodeCgroups(this.home.nodeName);
    this.unsubscribe();
    await Promise.all(this.writes.values());
    this.client.close();
  }

  private pointer(id: string) {
    return { namespace: SERVICES_NAMESPACE, type: ServiceType.type, id };
  }

  /** Writes the newest snapshot of a service; writes of one service are serialized, the latest wins. */
  private write(s: ServiceSnapshot): void {
    const prev = this.writes.get(s.id) ?? Promise.resolve();
    const next = prev
      .then(() => putResource(this.o.state, this.pointer(s.id), serviceSpec(s), { owner: MACHINED_OWNER }))
      .then(
        () => undefined,
        (e: unknown) => {
          this.o.logger.log('warn', 'services', `Service ${s.id}: ${errorMessage(e)}`);
        },
      );
    this.writes.set(s.id, next);
  }
}
