#!/usr/bin/env node
// The machined executable: parses flags, starts the node, and stops cleanly on SIGINT/SIGTERM; a reboot re-executes it.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { allControllers } from '../../controllers/index.js';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MACHINE_ID,
  MACHINE_TYPE_ID,
  MachineConfigType,
  MachineStatusType,
  MachineTypeType,
  RUNTIME_NAMESPACE,
  waitFor,
  type MachineConfigDocument,
  type MachineStatusSpec,
  type MachineTypeSpec,
  type ValidationMode,
} from '../../resources/index.js';
import { resourceTables } from './console.js';
import { nodeLogger } from './logging.js';
import { collectPeriodically } from './idle-collect.js';
import { startMachined, type Machined } from './machined.js';
import { TrustdClient } from './trustd-client.js';

const USAGE = `usage: machined --state-dir DIR [--config FILE] [--cmdline FILE] [--mode container|metal|cloud] [--root-dir DIR] [--api-port N] [--api-host ADDR] [--trustd-port N] [--once]
  --state-dir DIR   the node's state directory: persisted config and resources in DIR/state, logs in DIR/logs,
                    its containerd (root, state, socket) in DIR/containerd, service root filesystems in DIR/rootfs
  --config FILE     a machine config (YAML, v1alpha1), used when DIR holds no persisted config
  --cmdline FILE    a kernel command line to search for talos.config=PATH|URL (default /proc/cmdline)
  --mode MODE       how configs are validated on this platform (default container)
  --root-dir DIR    the node's root: /etc/resolv.conf and /etc/hosts are written under it
                    (default / in metal mode, DIR/root otherwise)
  --api-port N      the port of the node API (default 50000; 0 picks a free one and logs it)
  --api-host ADDR   the address the node API listens on (default 0.0.0.0); trustd listens there too
  --trustd-port N   the port of trustd, the CSR signer of control planes (default 50001; 0 picks a free one);
                    workers ask the control-plane endpoint's host on this port (50001 when 0)
  --once            print the node's resources once it is running or in maintenance mode, then stop`;

const MODES: readonly ValidationMode[] = ['container', 'metal', 'cloud'];

/**
 * How often garbage is collected and the C heap trimmed: a collection of machined's ~25 MB heap marks concurrently for
 * ~20 ms, a trim takes well under a millisecond.
 */
const COLLECT_PERIOD_MS = 30_000;

/**
 * Starts a replacement of this process with the same arguments and Node flags (a node's memory settings) and mirrors
 * its exit: a reboot when not PID 1.
 */
function reexec(): void {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal === null ? 1 : 128);
  });
}

/** Resolves once the node is running (or in maintenance) and its MachineType reflects the active config. */
async function converged(node: Machined): Promise<void> {
  const status = { namespace: RUNTIME_NAMESPACE, type: MachineStatusType.type, id: MACHINE_ID };
  await waitFor(node.state, status, (r) =>
    ['running', 'maintenance'].includes((r?.spec as MachineStatusSpec | undefined)?.stage ?? ''),
  );
  const config = await node.state
    .get({ namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID })
    .catch(() => undefined);
  const want = (config?.spec as MachineConfigDocument | undefined)?.machine.type ?? 'unknown';
  const type = { namespace: CONFIG_NAMESPACE, type: MachineTypeType.type, id: MACHINE_TYPE_ID };
  await waitFor(node.state, type, (r) => (r?.spec as MachineTypeSpec | undefined)?.type === want);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'state-dir': { type: 'string' },
        config: { type: 'string' },
        cmdline: { type: 'string', default: '/proc/cmdline' },
        mode: { type: 'string', default: 'container' },
        'root-dir': { type: 'string' },
        'api-port': { type: 'string', default: '50000' },
        'api-host': { type: 'string', default: '0.0.0.0' },
        'trustd-port': { type: 'string', default: '50001' },
        once: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`machined: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stateDir = values['state-dir'];
  const mode = MODES.find((m) => m === values.mode);
  const port = (flag: 'api-port' | 'trustd-port'): number =>
    /^\d{1,5}$/.test(values[flag]) ? Number(values[flag]) : NaN;
  const apiPort = port('api-port');
  const trustdPort = port('trustd-port');
  if (stateDir === undefined || mode === undefined || !(apiPort <= 65535) || !(trustdPort <= 65535)) {
    const why =
      stateDir === undefined
        ? '--state-dir is required'
        : mode === undefined
          ? `--mode ${values.mode}: expected one of ${MODES.join(', ')}`
          : !(apiPort <= 65535)
            ? `--api-port ${values['api-port']}: expected a port number from 0 to 65535`
            : `--trustd-port ${values['trustd-port']}: expected a port number from 0 to 65535`;
    process.stderr.write(`machined: ${why}\n${USAGE}\n`);
    return 2;
  }
  const cmdline = await readFile(values.cmdline, 'utf8').catch(() => undefined);
  const logger = nodeLogger(resolve(stateDir));
  // A daemon that lives for months gives back what it no longer uses (idle-collect.ts).
  const collector = collectPeriodically({ periodMs: COLLECT_PERIOD_MS });
  // Set from the reboot callback; an object so that the compiler does not narrow it to its initial value.
  const reboot = { requested: false };
  let wake = (): void => undefined;
  const stopped = new Promise<void>((done) => {
    wake = done;
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      wake();
    });
  // A worker asks trustd on a control plane for its API certificate; the API shows why it waits.
  const trustdClient = new TrustdClient(trustdPort === 0 ? {} : { port: trustdPort });
  try {
    const node = await startMachined({
      stateDir: resolve(stateDir),
      ...(values.config === undefined ? {} : { configPath: values.config }),
      ...(cmdline === undefined ? {} : { cmdline }),
      mode,
      // machined owns the namespaces it runs in: it applies the config to their links, addresses, routes and hostname.
      controllers: allControllers({
        applyHost: true,
        cmdline: cmdline ?? '',
        rootDir: resolve(values['root-dir'] ?? (mode === 'metal' ? '/' : join(stateDir, 'root'))),
        logger,
        remoteSigner: trustdClient,
        // Global sysctls and kernel modules only on metal: elsewhere the node shares its kernel.
        mode,
      }),
      logger,
      onReboot: () => {
        reboot.requested = true;
        wake();
      },
      onShutdown: () => {
        wake();
      },
      api: { host: values['api-host'], port: apiPort, trustdWaiting: trustdClient.waiting },
      trustd: { host: values['api-host'], port: trustdPort },
      services: {},
    });
    await converged(node);
    collector.collectNow(); // start-up's garbage: configs parsed, certificates issued, services started
    process.stdout.write(`machined is up; its resources:\n\n${await resourceTables(node.state)}\n\n`);
    if (!values.once) {
      // A daemon waits for its signal even when nothing else (a server, a child) holds the event loop open.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      await stopped;
      clearInterval(keepAlive);
    }
    if (!reboot.requested) await node.shutdown();
    const crashes = [...node.runtime.stats().values()].reduce((n, s) => n + s.crashes, 0);
    process.stdout.write(`machined stopped cleanly (${node.runtime.stats().size} controllers, ${crashes} crashes).\n`);
  } finally {
    collector.stop();
    await logger.close();
  }
  if (reboot.requested) reexec();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Bad input (an unreadable file, an invalid config) is reported as lines a person can act on, never a stack trace.
    process.stderr.write(`machined: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
