// A node's private containerd: its config.toml under the node's state directory, its command line, and health checks.
//
// Everything containerd keeps (root, state, sockets) lives under the state directory, so nodes on one machine never
// share a containerd; runc's state and the log FIFOs have their own directories there as well.
import { status } from '@grpc/grpc-js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { realClock } from '../controller/index.js';
import { ContainerdClient } from './client.js';
import { ContainerdError, ContainerdUnavailableError, isContainerdUnavailable } from './errors.js';

/** How to run a node's containerd. */
export interface ContainerdConfigOptions {
  /** The directory for everything containerd keeps; made if missing. */
  readonly stateDir: string;
  /** containerd's log level (default `warn`: its info lines are one per plugin and per task). */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** The containerd binary (default /usr/bin/containerd). */
  readonly binary?: string;
}

/** A written containerd config and what to run with it. */
export interface ContainerdLaunch {
  /** The command line: `containerd --config <path>`. */
  readonly args: readonly string[];
  /** The gRPC socket. */
  readonly socket: string;
  readonly configPath: string;
  /** runc's state root for this node's containers (runc options `root`). */
  readonly runcRoot: string;
  /** Where the log FIFOs of tasks are made. */
  readonly fifoDir: string;
}

/** The longest path a unix socket address holds (sun_path is 108 bytes with its NUL). */
export const MAX_SOCKET_PATH = 107;

/**
 * Plugins a node's containerd never uses: the CRI (kubelet talks to its own containerd), snapshotters needing other
 * filesystems, tracing, and /opt installation. Without them containerd starts in ~50 ms. The v1 linux runtime stays:
 * containerd 1.6's task service refuses to load without it.
 */
export const DISABLED_PLUGINS: readonly string[] = [
  'io.containerd.grpc.v1.cri',
  'io.containerd.snapshotter.v1.aufs',
  'io.containerd.snapshotter.v1.btrfs',
  'io.containerd.snapshotter.v1.devmapper',
  'io.containerd.snapshotter.v1.zfs',
  'io.containerd.internal.v1.opt',
  'io.containerd.tracing.processor.v1.otlp',
  'io.containerd.internal.v1.tracing',
];

function toml(s: string): string {
  return JSON.stringify(s); // TOML basic strings escape like JSON for the paths used here
}

/**
 * Writes `<stateDir>/config.toml` (version 2: root, state, gRPC and ttrpc sockets under stateDir; debug and metrics
 * listeners off) and returns the command line. Throws naming the path when a socket path is too long for a unix socket.
 */
export function containerdConfig(o: ContainerdConfigOptions): ContainerdLaunch {
  if (!isAbsolute(o.stateDir))
    throw new Error(`containerd state directory ${JSON.stringify(o.stateDir)}: need an absolute path`);
  const socket = join(o.stateDir, 'containerd.sock');
  const ttrpc = `${socket}.ttrpc`;
  for (const s of [socket, ttrpc]) {
    const n = Buffer.byteLength(s);
    if (n > MAX_SOCKET_PATH) {
      throw new Error(
        `containerd socket ${s} is ${n} bytes long; a unix socket path holds at most ${MAX_SOCKET_PATH}: use a state directory of at most ${MAX_SOCKET_PATH - (n - Buffer.byteLength(o.stateDir))} bytes`,
      );
    }
  }
  const configPath = join(o.stateDir, 'config.toml');
  const runcRoot = join(o.stateDir, 'runc');
  const fifoDir = join(o.stateDir, 'fifo');
  for (const d of [o.stateDir, runcRoot, fifoDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const text = [
    '# Written by osnode (runtime/containerd/daemon.ts); rewritten at every start.',
    'version = 2',
    `root = ${toml(join(o.stateDir, 'root'))}`,
    `state = ${toml(join(o.stateDir, 'state'))}`,
    `disabled_plugins = [${DISABLED_PLUGINS.map(toml).join(', ')}]`,
    '',
    '[grpc]',
    `  address = ${toml(socket)}`,
    '',
    '[ttrpc]',
    `  address = ${toml(ttrpc)}`,
    '',
    '[debug]',
    '  address = ""',
    `  level = ${toml(o.logLevel ?? 'warn')}`,
    '',
    '[metrics]',
    '  address = ""',
    '',
    '[plugins."io.containerd.monitor.v1.cgroups"]',
    '  no_prometheus = true',
    '',
  ].join('\n');
  writeFileSync(configPath, text, { mode: 0o600 });
  return { args: [o.binary ?? '/usr/bin/containerd', '--config', configPath], socket, configPath, runcRoot, fifoDir };
}

/**
 * One health check: containerd's Version over gRPC within `timeoutMs` (default 2 s), waiting for the socket to answer
 * meanwhile (a containerd just started has not opened it yet); rejects saying why not.
 */
export async function checkHealth(socket: string, signal: AbortSignal, timeoutMs = 2000): Promise<void> {
  const client = new ContainerdClient({ address: socket });
  try {
    await client.version({ signal, timeoutMs, waitForReady: true }).catch((e: unknown) => {
      // Waiting for a socket that never answers ends in a deadline: to the caller that is containerd unavailable.
      if (e instanceof ContainerdError && e.grpcCode === (status.DEADLINE_EXCEEDED as number) && !signal.aborted) {
        throw new ContainerdUnavailableError(`containerd at ${socket} did not answer within ${timeoutMs} ms`, {
          cause: e,
        });
      }
      throw e;
    });
  } finally {
    client.close();
  }
}

/**
 * Resolves once containerd answers on `client`'s socket (it is starting: the socket may not exist yet), retrying
 * every 20 ms; rejects after `timeoutMs` (default 10 s) with the last error, or with the signal's reason.
 */
export async function waitReady(client: ContainerdClient, signal: AbortSignal, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal.throwIfAborted();
    try {
      await client.version({ signal, timeoutMs: Math.max(1, Math.min(1000, deadline - Date.now())) });
      return;
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      if (Date.now() >= deadline)
        throw new Error(`containerd at ${client.address} is not ready after ${timeoutMs} ms`, { cause: e });
      if (!isContainerdUnavailable(e)) throw e;
    }
    await realClock.sleep(20, signal);
  }
}
