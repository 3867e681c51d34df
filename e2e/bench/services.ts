// Services benches, each in a throwaway network namespace with a private containerd: heal time after `kill -9` of a
// system container's process (target <= 1 s), container start latency of our runner beside `ctr run -d` (ours/ctr <=
// 1.2), and `osctl logs -f` throughput on a service writing 10 MiB of lines through a real machined and osctl.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NamespacedMachined, killLeftovers } from '../harness/node.js';
import { checkDeadline, delay, line } from './common.js';

const CHILD = fileURLToPath(new URL('./services-child.js', import.meta.url));
const OSCTL = fileURLToPath(new URL('../../api/cli/osctl.js', import.meta.url));
/** The port of the heal bench's httpd, in its own namespace. */
const WEB_PORT = 8080;
/** What the log bench's service writes: 104,858 lines of 100 bytes, just over 10 MiB. */
const LINE_BYTES = 100;
const LINES = 104_858;
const TEN_MIB = 10 * 1024 * 1024;

function sh(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 60_000, maxBuffer: 1 << 24 }, (err, out, stderr) => {
      if (err === null) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
    });
  });
}

/** Namespaces this process made and has not removed yet: removed on exit too, however the bench ends. */
const made = new Set<string>();
process.once('exit', () => {
  for (const name of made) spawn('ip', ['netns', 'del', name], { stdio: 'ignore', detached: true }).unref();
});

/** A fresh network namespace with lo up; removed by the returned function. */
async function namespace(): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = `osnode-bench-svc-${randomBytes(4).toString('hex')}`;
  await sh('ip', ['netns', 'add', name]);
  made.add(name);
  const remove = async (): Promise<void> => {
    await sh('ip', ['netns', 'del', name]).catch(() => undefined);
    made.delete(name);
  };
  try {
    await sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (e) {
    await remove();
    throw e;
  }
  return { name, remove };
}

/** `nsenter` into namespace `ns`'s network only (not `ip netns exec`: its /sys remount hides the cgroups runc needs). */
function inNs(ns: string, args: readonly string[]): string[] {
  return [`--net=/run/netns/${ns}`, ...args];
}

/** The heal and start-latency benches: the child runs the supervisor and containerd in the namespace. */
async function containerBenches(dir: string): Promise<string[]> {
  const ns = await namespace();
  const stateDir = join(dir, 'child');
  try {
    const proc = spawn('nsenter', inNs(ns.name, [process.execPath, CHILD, stateDir, String(WEB_PORT)]), {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    if (code !== 0) throw new Error(`services bench child exited with ${String(code)}`);
    return out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        const f = JSON.parse(l) as { name: string; value: number; unit: string };
        return line(f.name, f.value, f.unit);
      });
  } finally {
    await killLeftovers(stateDir); // a child that died early leaves its containerd and shims
    await ns.remove();
  }
}

/** The flood service: says ready, waits for /tmp/go (made from outside), writes LINES lines, exits. */
function floodScript(): string {
  const text = '0123456789'.repeat(10).slice(0, LINE_BYTES - 1);
  return [
    'trap "exit 0" TERM',
    'echo ready',
    'while [ ! -e /tmp/go ]; do sleep 0.05; done',
    `yes ${text} | head -n ${LINES}`,
  ].join('; ');
}

/** The sum of the sizes of the service log and its rotated generation (the writer rotates at 8 MiB). */
async function logBytes(logs: string): Promise<number> {
  const size = (p: string): Promise<number> =>
    stat(p).then(
      (s) => s.size,
      () => 0,
    );
  return (await size(join(logs, 'flood.log'))) + (await size(join(logs, 'flood.log.1')));
}

/**
 * `osctl logs flood -f` against a real machined in a namespace: osctl is connected and following once it printed the
 * service's `ready` line; then the service is told to write (a file made in its /tmp through /proc/PID/root).
 * Throughput is 10 MiB over the time from osctl's first byte of the flood to its 10 MiB-th, in MB (10^6 bytes) per
 * second; the wall time is from the trigger to the last byte, and the written time from the trigger to machined's log
 * files holding the 10 MiB (from its side, for where the time goes).
 */
async function logsFollow(dir: string): Promise<string[]> {
  const gen = join(dir, 'gen');
  const patch = { machine: { services: [{ name: 'flood', command: ['/bin/busybox', 'sh', '-c', floodScript()] }] } };
  await sh(process.execPath, [
    OSCTL,
    'gen',
    'config',
    'bench-svc',
    'https://127.0.0.1:6443',
    '-o',
    gen,
    '--config-patch',
    JSON.stringify(patch),
  ]);
  const port = 50_000 + Math.floor(Math.random() * 10_000);
  const stateDir = join(dir, 'node');
  const ns = await namespace();
  const machined = new NamespacedMachined(ns.name, [
    '--config',
    join(gen, 'controlplane.yaml'),
    '--state-dir',
    stateDir,
    '--api-port',
    String(port),
    '--api-host',
    '127.0.0.1',
  ]);
  const endpoint = `127.0.0.1:${port}`;
  const target = ['--talosconfig', join(gen, 'talosconfig'), '-e', endpoint, '-n', endpoint];
  const osctl = (...a: string[]): string[] => inNs(ns.name, [process.execPath, OSCTL, ...target, ...a]);
  const follower = { kill: (): void => undefined };
  try {
    const deadline = performance.now() + 40_000;
    let pid = 0;
    while (pid === 0) {
      checkDeadline(deadline, 'service flood Running');
      const spec = await sh('nsenter', osctl('get', 'services', 'flood', '-o', 'json')).then(
        (out) => (JSON.parse(out) as { spec: { state: string; pid: number } }).spec,
        () => undefined,
      );
      if (spec?.state === 'Running' && spec.pid > 0) pid = spec.pid;
      else await delay(100);
    }
    const logs = spawn('nsenter', osctl('logs', 'flood', '-f'), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = ''; // shown when it fails; its `interrupted` at the end is the bench stopping it
    logs.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    follower.kill = () => logs.kill('SIGTERM');
    // performance.now() of: the trigger, osctl's first and 10 MiB-th byte of the flood, machined's log at 10 MiB.
    const at = { trigger: 0, first: 0, done: 0, written: 0, over: false };
    const received = new Promise<void>((resolve, reject) => {
      let head = '';
      let bytes = -1; // -1 until the ready line was seen
      const timer = setTimeout(() => {
        reject(new Error(`osctl logs -f: ${String(bytes)} bytes of the flood after 30 s: ${stderr}`));
      }, 30_000);
      logs.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`osctl logs -f exited with ${String(code)}: ${stderr}`));
      });
      logs.stdout.on('data', (d: Buffer) => {
        const now = performance.now();
        if (bytes < 0) {
          head += d.toString();
          const i = head.indexOf('ready\n');
          if (i < 0) return;
          bytes = head.length - i - 'ready\n'.length;
          at.trigger = performance.now();
          writeFile(`/proc/${pid}/root/tmp/go`, '').catch(reject);
          return;
        }
        if (at.first === 0) at.first = now;
        bytes += d.length;
        if (bytes >= TEN_MIB && at.done === 0) {
          at.done = now;
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // machined's side, polled every 5 ms until the log holds the flood (bounded by the deadline).
    const written = (async () => {
      while (at.trigger === 0 || (await logBytes(join(stateDir, 'logs'))) < TEN_MIB + 'ready\n'.length) {
        if (at.over) return;
        checkDeadline(deadline, 'machined to write 10 MiB of the flood log');
        await delay(5);
      }
      at.written = performance.now();
    })();
    try {
      await Promise.all([received, written]);
    } finally {
      at.over = true;
    }
    const seconds = (at.done - at.first) / 1000;
    return [
      line('osctl_logs_follow_10mb', Number((TEN_MIB / 1e6 / seconds).toFixed(1)), 'MB/s'),
      line('osctl_logs_follow_10mb_wall', at.done - at.trigger, 'ms'),
      line('osctl_logs_follow_10mb_written_by_machined', at.written - at.trigger, 'ms'),
    ];
  } finally {
    follower.kill();
    await machined.stop(20_000);
    await ns.remove();
  }
}

/** Runs the services benches and returns their figure lines. */
export async function run(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'osnode-bench-svc-'));
  try {
    return [...(await containerBenches(dir)), ...(await logsFollow(dir))];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
