// Network bench child: runs inside a throwaway network + UTS namespace (the parent starts it under `ip netns exec` and
// `unshare --uts`), starts a real machined in-process with every controller, and prints JSON figure lines.
// argv: apply-heal|churn STATE_DIR CONFIG_FILE [CHURN_SECONDS]
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { allControllers } from '../../controllers/index.js';
import { routeStatusId, routeStatusSpec } from '../../controllers/network/route-status.js';
import {
  AddressStatusType,
  EtcFileStatusType,
  NetworkStatusType,
  NETWORK_NAMESPACE,
  RouteStatusType,
  type InMemoryState,
  type Kind,
} from '../../resources/index.js';
import { Netlink } from '../../runtime/index.js';
import { startMachined, type Machined } from '../../runtime/machined/machined.js';
import { checkDeadline, nextTurn } from './common.js';
import { LINK, benchAddress, benchRoute } from './network-shared.js';

const [mode = '', stateDir = '', configFile = '', churnSecondsArg = '60'] = process.argv.slice(2);
const GATEWAY = '10.64.0.1';

const emit = (name: string, value: number, unit: string): void => {
  process.stdout.write(`${JSON.stringify({ name, value, unit })}\n`);
};

function sh(cmd: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 60_000, maxBuffer: 1 << 24 }, (err, _out, stderr) => {
      if (err === null) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
    });
  });
}

/** The config with `addresses` addresses (one /24 holding the gateway, the rest /32) and `routes` routes on LINK. */
async function networkConfig(addresses: number, routes: number): Promise<unknown> {
  const doc = parse(await readFile(configFile, 'utf8')) as { machine: Record<string, unknown> };
  doc.machine['network'] = {
    interfaces: [
      {
        interface: LINK,
        addresses: ['10.64.0.2/24', ...Array.from({ length: addresses - 1 }, (_, i) => `${benchAddress(i)}/32`)],
        routes: Array.from({ length: routes }, (_, i) => ({ network: benchRoute(i), gateway: GATEWAY })),
      },
    ],
  };
  return doc;
}

/** Resolves once the ids of `kind` in `network` include every one `want` accepts `count` times. */
async function seen(state: InMemoryState, kind: Kind, want: (id: string) => boolean, count: number, ms: number) {
  const deadline = performance.now() + ms;
  const cursor = await state.cursor(kind, { bootstrapContents: true });
  // One timer for the whole wait, not a timeout signal per batch: the observer should not add to what it times.
  const timer = setTimeout(() => {
    cursor.close();
  }, ms);
  const ids = new Set<string>();
  try {
    while (ids.size < count) {
      const batch = await cursor.next();
      if (batch === null) {
        checkDeadline(deadline, `${String(count)} ${kind.type} resources (have ${String(ids.size)})`);
        throw new Error(`the ${kind.type} watch ended early (have ${String(ids.size)} of ${String(count)})`);
      }
      for (const e of batch) {
        if (e.type === 'created' || e.type === 'updated') {
          if (want(e.resource.metadata.id)) ids.add(e.resource.metadata.id);
        } else if (e.type === 'destroyed') ids.delete(e.resource.metadata.id);
      }
    }
  } finally {
    clearTimeout(timer);
    cursor.close();
  }
}

async function start(): Promise<Machined> {
  return startMachined({
    stateDir,
    configPath: configFile,
    cmdline: '',
    mode: 'container',
    controllers: allControllers({ applyHost: true, cmdline: '', rootDir: join(stateDir, 'root') }),
  });
}

const ADDRESSES = { namespace: NETWORK_NAMESPACE, type: AddressStatusType.type };
const ROUTES = { namespace: NETWORK_NAMESPACE, type: RouteStatusType.type };

async function applyAndHeal(): Promise<void> {
  const node = await start();
  try {
    const config = await networkConfig(1000, 200);
    // Apply to a node that has settled, as a user would: its first pass ends with the etc files and NetworkStatus.
    await seen(node.state, { namespace: NETWORK_NAMESPACE, type: EtcFileStatusType.type }, () => true, 2, 30_000);
    await seen(node.state, { namespace: NETWORK_NAMESPACE, type: NetworkStatusType.type }, () => true, 1, 30_000);
    const t0 = performance.now();
    await node.applier.apply({ config, mode: 'no-reboot' });
    await Promise.all([
      seen(node.state, ADDRESSES, (id) => id.startsWith(`${LINK}/10.6`), 1000, 60_000),
      seen(node.state, ROUTES, (id) => id.includes(`/${GATEWAY}/10.10`), 200, 60_000),
    ]);
    emit('network_apply_1000_addresses_200_routes', performance.now() - t0, 'ms');
    await selfHeal();
  } finally {
    await node.shutdown();
  }
}

/**
 * Resolves once `ip monitor` reports a probe address: it subscribes some time after it starts, and a change made
 * before that is never reported, so the probe is added and deleted until one of its events is seen.
 */
async function monitorListening(waiters: Map<string, (deleted: boolean, at: number) => void>): Promise<void> {
  const probe = '10.64.9.9';
  let heard = false;
  waiters.set(probe, () => {
    heard = true;
  });
  // Read through a call: the compiler would otherwise keep its narrowing of `heard` across the awaits.
  const isHeard = (): boolean => heard;
  try {
    for (let attempt = 0; !isHeard(); attempt++) {
      if (attempt === 100) throw new Error('ip monitor reported none of 100 probe changes');
      await sh('ip', ['addr', 'add', `${probe}/32`, 'dev', LINK]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sh('ip', ['addr', 'del', `${probe}/32`, 'dev', LINK]);
    }
  } finally {
    waiters.delete(probe);
  }
}

/**
 * 100 trials: `ip addr del` of a configured address, timed from the delete to the re-add as `ip -ts monitor` (a
 * separate process, not machined's own event loop) sees them.
 */
async function selfHeal(): Promise<void> {
  // Line-buffered: ip writes through stdio, which holds a pipe's output in 4 KB blocks.
  const monitor = spawn('stdbuf', ['-oL', 'ip', '-ts', 'monitor', 'address', 'dev', LINK], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const waiters = new Map<string, (deleted: boolean, at: number) => void>();
  let buffered = '';
  monitor.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      // [2026-11-26T10:17:53.486799] Deleted 3: bn0    inet 10.65.0.8/32 scope global bn0
      // (ip prints the stamp of a message it then filters out, so a line may start with more than one: take the last)
      const m = /^(?:\[\S+\] )*\[(\S+)\] (Deleted )?\d+: \S+\s+inet (\S+)\//.exec(line);
      if (m === null) continue;
      const [, stamp = '', deleted, address = ''] = m;
      // The timestamp's microseconds, which Date drops: milliseconds with three decimals.
      const micros = Number(/\.(\d{6})$/.exec(stamp)?.[1] ?? '0');
      const at = Date.parse(`${stamp.slice(0, 19)}Z`) + micros / 1000;
      waiters.get(address)?.(deleted !== undefined, at);
    }
  });
  const latencies: number[] = [];
  try {
    await monitorListening(waiters);
    for (let i = 0; i < 100; i++) {
      const address = benchAddress(i * 7);
      let deletedAt: number | undefined;
      const restored = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`${address} was not restored within 5 s`));
        }, 5000);
        waiters.set(address, (deleted, at) => {
          if (deleted) deletedAt = at;
          else if (deletedAt !== undefined) {
            clearTimeout(timer);
            resolve(at - deletedAt);
          }
        });
      });
      await sh('ip', ['addr', 'del', `${address}/32`, 'dev', LINK]);
      latencies.push(await restored);
      waiters.delete(address);
    }
  } finally {
    monitor.kill();
  }
  const sorted = Float64Array.from(latencies).sort();
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  emit('network_selfheal_restore_p50', q(0.5), 'ms');
  emit('network_selfheal_restore_p99', q(0.99), 'ms');
}

/** 4,000 routes added and removed by `ip -batch` in a loop while machined runs; then how long statuses take to agree. */
async function churn(seconds: number): Promise<void> {
  const node = await start();
  const crashes = (): number => [...node.runtime.stats().values()].reduce((n, s) => n + s.crashes, 0);
  try {
    await node.applier.apply({ config: await networkConfig(2, 1), mode: 'no-reboot' });
    await seen(node.state, ROUTES, (id) => id.includes(`/${GATEWAY}/10.10`), 1, 30_000);
    const add = join(stateDir, 'churn-add.batch');
    const del = join(stateDir, 'churn-del.batch');
    const dsts = Array.from({ length: 4000 }, (_, i) => `10.${128 + Math.floor(i / 250)}.${i % 250}.0/24`);
    await writeFile(add, dsts.map((d) => `route add ${d} via ${GATEWAY} dev ${LINK}\n`).join(''));
    await writeFile(del, dsts.map((d) => `route del ${d} via ${GATEWAY} dev ${LINK}\n`).join(''));
    const crashesBefore = crashes();
    const rssBefore = process.memoryUsage.rss();
    let maxRss = rssBefore;
    const sampler = setInterval(() => {
      maxRss = Math.max(maxRss, process.memoryUsage.rss());
    }, 100);
    const end = performance.now() + seconds * 1000;
    let cycles = 0;
    try {
      while (performance.now() < end) {
        await sh('ip', ['-batch', add]);
        await sh('ip', ['-batch', del]);
        cycles++;
      }
    } finally {
      clearInterval(sampler);
    }
    const stopped = performance.now();
    await converged(node.state, 30_000);
    emit('network_churn_converge_after_stop', performance.now() - stopped, 'ms');
    emit('network_churn_cycles_4000_routes', cycles, 'cycles');
    emit('network_churn_rss_before', rssBefore / (1024 * 1024), 'MiB');
    emit('network_churn_max_rss', maxRss / (1024 * 1024), 'MiB');
    emit('network_churn_controller_crashes', crashes() - crashesBefore, 'crashes');
    emit('network_churn_machined_survived', 1, 'bool');
  } finally {
    await node.shutdown();
  }
}

/** Resolves once the RouteStatus ids are exactly the ids of the kernel's routes. */
async function converged(state: InMemoryState, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  const nl = Netlink.open();
  try {
    for (;;) {
      checkDeadline(deadline, 'route statuses to agree with the kernel after the churn');
      const names = new Map((await nl.links()).map((l) => [l.index, l.name] as const));
      const kernel = new Set(
        (await nl.routes()).map((r) =>
          routeStatusId(routeStatusSpec(r, r.oif === null ? '' : (names.get(r.oif) ?? String(r.oif)))),
        ),
      );
      const ours = (await state.list(ROUTES)).map((r) => r.metadata.id);
      if (ours.length === kernel.size && ours.every((id) => kernel.has(id))) return;
      await nextTurn();
    }
  } finally {
    nl.close();
  }
}

if (mode === 'apply-heal') await applyAndHeal();
else if (mode === 'churn') await churn(Number(churnSecondsArg));
else throw new Error(`unknown mode ${mode}`);
