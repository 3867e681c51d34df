// Mocha root hooks: fail any test that leaves timers, sockets or child processes behind (conventions.md, item 10).

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
  async beforeEach(): Promise<void> {
    before = await settled();
  },
  async afterEach(this: Mocha.Context): Promise<void> {
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
    // Reported once at the end so that every test still runs; the run fails.
    if (leakers.length > 0) {
      throw new Error(
        `tests left handles open (close the watches, timers and processes they open):\n  ${leakers.join('\n  ')}`,
      );
    }
  },
};
