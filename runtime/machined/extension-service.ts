// An extension service from machine.services as a supervisor service: its root filesystem built from host files, run
// as a system container through containerd, health-checked by a TCP connection when the config asks for one.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import { durationMs, type ExtensionService } from '../../resources/index.js';
import { ContainerdRunner, prepareRootfs, type ContainerdLaunch } from '../containerd/index.js';
import type { ServiceDefinition } from '../services/index.js';

/** Where a node's containers live: its containerd socket, runc root, cgroup prefix, and root filesystems. */
export interface ContainerHome {
  /** containerd's gRPC socket. */
  readonly socket: string;
  /** The node's own name for cgroup paths and runc state, so nodes on one machine never collide. */
  readonly nodeName: string;
  /** runc's state root for this node. */
  readonly runcRoot: string;
  /** Where service root filesystems are built. */
  readonly rootfsDir: string;
  /** Where stdout/stderr FIFOs are made. */
  readonly fifoDir: string;
}

/** The cgroup name of the node whose state directory is `stateDir`: `osnode-` and a hash of the directory. */
export function nodeCgroupName(stateDir: string): string {
  return `osnode-${createHash('sha256').update(stateDir).digest('hex').slice(0, 10)}`;
}

/** The home of the node whose state directory is `stateDir`, with the containerd `daemon` runs. */
export function containerHome(stateDir: string, daemon: ContainerdLaunch): ContainerHome {
  return {
    socket: daemon.socket,
    nodeName: nodeCgroupName(stateDir),
    runcRoot: daemon.runcRoot,
    rootfsDir: join(stateDir, 'rootfs'),
    fifoDir: daemon.fifoDir,
  };
}

/** Resolves when a TCP connection to 127.0.0.1:`port` opens; rejects with the reason otherwise. */
export function tcpCheck(port: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, signal });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      socket.destroy();
      reject(new Error(`TCP 127.0.0.1:${port}: ${e.code ?? e.message}`));
    });
  });
}

const RESTART = { always: 'Forever', never: 'Once', untilSuccess: 'UntilSuccess' } as const;

/** The supervisor's definition of extension service `s`, run in `home` once containerd is running and healthy. */
export function extensionService(
  s: ExtensionService,
  home: ContainerHome,
  env: Readonly<Record<string, string>>,
): ServiceDefinition {
  const rootfs = join(home.rootfsDir, s.name);
  const [program = '', ...args] = s.command;
  const health = s.healthCheck;
  return {
    id: s.name,
    description: `extension service ${s.name}: ${s.command.join(' ')}`,
    dependsOn: ['containerd'],
    prepare: async (signal) => {
      await prepareRootfs({ dir: rootfs, files: [program, ...(s.files ?? [])], signal });
    },
    runner: new ContainerdRunner({
      socket: home.socket,
      namespace: 'system',
      id: s.name,
      rootfs,
      args: [program, ...args],
      env: Object.entries({ ...env, ...(s.environment ?? {}) }).map(([k, v]) => `${k}=${v}`),
      nodeName: home.nodeName,
      runcRoot: home.runcRoot,
      fifoDir: home.fifoDir,
    }),
    restart: RESTART[s.restart ?? 'always'],
    ...(health === undefined
      ? {}
      : {
          health: {
            check: (signal: AbortSignal) => tcpCheck(health.tcpPort, signal),
            initialDelayMs: durationMs(health.initialDelay ?? '1s'),
            periodMs: durationMs(health.period ?? '5s'),
            timeoutMs: durationMs(health.timeout ?? '500ms'),
          },
        }),
  };
}
