// Mocha root hooks: fail any test that leaves timers, sockets or child processes behind (conventions.md, item 10), and
// any test that changes this machine itself: its hostname, the addresses and routes of its network namespace, or its
// hardening sysctls. A node under test applies its config to the namespaces it runs in, so every test must give it
// its own.
import { readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { HARDENING_SYSCTLS } from '../../kernel-config/index.js';
import { sysctlPath } from '../../resources/index.js';
import { Netlink } from '../../runtime/index.js';

/**
 * This machine's values of the hardening sysctls (the test process's namespaces: the host's). A node under test must
 * write only the sysctls of its own network namespace, never these.
 */
function hostSysctls(): string[] {
  return HARDENING_SYSCTLS.map((s) => {
    let value: string;
    try {
      value = readFileSync(sysctlPath(s.name), 'utf8').trim();
    } catch {
      value = '(absent)';
    }
    return `sysctl ${s.name}=${value}`;
  });
}

/** This machine's hostname, the addresses and routes of the test process's network namespace and its sysctls, as text. */
async function hostState(): Promise<string> {
  const nl = Netlink.open();
  try {
    const addresses = (await nl.addresses()).map(
      (a) => `${String(a.linkIndex)} ${a.address}/${String(a.prefixLength)}`,
    );
    const routes = (await nl.routes())
      .filter((r) => r.table === 254)
      .map(
        (r) => `${r.dst}/${String(r.dstLen)} via ${r.gateway ?? '-'} dev ${String(r.oif)} metric ${String(r.priority)}`,
      );
    return [`hostname ${hostname()}`, ...addresses.sort(), ...routes.sort(), ...hostSysctls()].join('\n');
  } finally {
    nl.close();
  }
}

/** Named network namespaces (ip netns add), from the files iproute2 keeps for them. */
function namespaces(): Set<string> {
  try {
    return new Set(readdirSync('/run/netns'));
  } catch {
    return new Set();
  }
}

let hostBefore: string | undefined;
let namespacesBefore = new Set<string>();
const hostChanges: string[] = [];

/** Lines of `b` not in `a`, and of `a` not in `b`, as +/- lines. */
function changes(a: string, b: string): string {
  const la = new Set(a.split('\n'));
  const lb = new Set(b.split('\n'));
  return [
    ...[...lb].filter((l) => !la.has(l)).map((l) => `+ ${l}`),
    ...[...la].filter((l) => !lb.has(l)).map((l) => `- ${l}`),
  ].join('; ');
}

/** Handle kinds a test must close before it ends. */
const WATCHED = new Set([
  'Timeout',
  'ProcessWrap',
  'TCPWrap',
  'TCPServerWrap',
  'PipeWrap',
  'FSEvent',
  'UDPWrap',
  'Immediate',
]);

function counts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (WATCHED.has(r)) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

let before = new Map<string, number>();
const leakers: string[] = [];

async function settled(): Promise<Map<string, number>> {
  // Handles closed in the test's last tick are released on the next turns of the event loop.
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return counts();
}

/** Root hooks picked up by mocha's `--require`. */
export const mochaHooks = {
  // Both hooks are async so that each counts exactly one timer of its own (mocha's hook timeout).
  async beforeAll(): Promise<void> {
    hostBefore = await hostState();
    namespacesBefore = namespaces();
  },
  async beforeEach(): Promise<void> {
    before = await settled();
  },
  async afterEach(this: Mocha.Context): Promise<void> {
    const host = await hostState();
    if (hostBefore !== undefined && host !== hostBefore) {
      hostChanges.push(`${this.currentTest?.fullTitle() ?? '?'}: ${changes(hostBefore, host)}`);
      hostBefore = host; // report each change once, at the test that made it
    }
    if (this.currentTest?.state !== 'passed') return;
    const after = await settled();
    const leaks: string[] = [];
    for (const [kind, n] of after) {
      const was = before.get(kind) ?? 0;
      if (n > was) leaks.push(`${n - was} ${kind}`);
    }
    if (leaks.length > 0) leakers.push(`${this.currentTest.fullTitle()}: ${leaks.join(', ')}`);
  },
  afterAll(): void {
    // Every kind of problem is reported, at once, at the end, so that every test still runs and none hides another.
    const problems: string[] = [];
    const left = [...namespaces()].filter((n) => !namespacesBefore.has(n));
    if (left.length > 0) {
      problems.push(`tests left network namespaces behind (ip netns del them in after hooks): ${left.join(', ')}`);
    }
    if (hostChanges.length > 0) {
      problems.push(
        `tests changed this machine (run nodes in their own namespaces: ip netns exec, unshare --uts):\n  ${hostChanges.join('\n  ')}`,
      );
    }
    if (leakers.length > 0) {
      problems.push(
        `tests left handles open (close the watches, timers and processes they open):\n  ${leakers.join('\n  ')}`,
      );
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
  },
};
