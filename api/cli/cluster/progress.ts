// The progress display of `cluster create`: one line per node on stderr, redrawn in place on a terminal, printed on
// each change otherwise, until every node is ready (or a worker runs without its API), one exits, or time runs out.
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeSet, decodePem, parseEndpoint, type TalosconfigContext } from '../../client/index.js';
import type { Io } from '../global.js';
import { formatTable } from '../table.js';
import { ClusterError } from './errors.js';
import { observe, settled, tail, type NodeView } from './observe.js';
import type { NodeRecord } from './record.js';

/** How the progress is shown and how long it waits. */
export interface ProgressOptions {
  readonly io: Io;
  /** Redraw the lines in place (stderr is a terminal). */
  readonly interactive: boolean;
  /** The terminal's width: redrawn lines are cut to it, since a wrapped line would break the redraw. */
  readonly columns?: number | undefined;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** How often each node is looked at (default 500 ms). */
  readonly intervalMs?: number;
  /**
   * How long a worker may run without its API once every control plane is ready (default 30 s): it gets its
   * certificate from a control plane's trustd; after that it counts as up, with a note.
   */
  readonly workerApiGraceMs?: number;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** A node not looked at yet. */
const STARTING: NodeView = { phase: 'starting', stage: '', ready: false, note: '' };

function describe(v: NodeView): string {
  return v.note === '' ? v.phase : `${v.phase} (${v.note})`;
}

/**
 * Waits until every node has settled, showing progress; resolves with each node's last view and when it settled
 * (ms since the start). Throws a ClusterError naming the node that exited (with its last output) or the nodes that
 * did not settle within the timeout.
 */
export async function waitForNodes(
  nodes: readonly NodeRecord[],
  context: TalosconfigContext,
  o: ProgressOptions,
): Promise<Map<string, { view: NodeView; settledMs: number }>> {
  const tls = {
    mode: 'mtls' as const,
    ca: decodePem(context.ca, 'ca', 'cluster'),
    crt: decodePem(context.crt, 'crt', 'cluster'),
    key: decodePem(context.key, 'key', 'cluster'),
  };
  const set = new NodeSet({
    targets: nodes.map((n) => ({ node: n.name, endpoint: parseEndpoint(n.address) })),
    tls,
    timeoutMs: 3000,
  });
  const start = Date.now();
  const views = new Map<string, { view: NodeView; settledMs: number }>();
  const shown = new Map<string, string>();
  let drawn = 0;
  let cpsReadyAt: number | undefined;
  const graceOver = (): boolean =>
    cpsReadyAt !== undefined && Date.now() - cpsReadyAt >= (o.workerApiGraceMs ?? 30_000);
  const isSettled = (n: NodeRecord): boolean => {
    const v = views.get(n.name)?.view;
    return v !== undefined && settled(n.role, v, graceOver());
  };
  const draw = (): void => {
    const rows = nodes.map((n) => {
      const v = views.get(n.name);
      const text = describe(v?.view ?? STARTING);
      const at = isSettled(n) ? seconds(v?.settledMs ?? 0) : '';
      return [n.name, n.address, text, at];
    });
    if (o.interactive) {
      const lines = formatTable(['NODE', 'ADDRESS', 'STATE', 'AFTER'], rows);
      lines.forEach((l, i) => {
        const cut = l.slice(0, Math.max(20, (o.columns ?? 200) - 1));
        o.io.err(`${i === 0 && drawn > 0 ? `\x1b[${drawn}F` : ''}\x1b[2K${cut}`);
      });
      drawn = lines.length;
      return;
    }
    for (const [name, address, text, at] of rows) {
      const line = `${name} (${address}): ${text}${at === '' ? '' : ` after ${at}`}`;
      if (shown.get(name ?? '') !== text) o.io.err(line);
      shown.set(name ?? '', text ?? '');
    }
  };
  try {
    draw();
    for (;;) {
      const looks = await Promise.all(
        nodes.map(async (n, i) => {
          const prev = views.get(n.name);
          if (prev !== undefined && isSettled(n)) return prev;
          const client = set.nodes[i];
          if (client === undefined) throw new Error(`no client for ${n.name}`);
          const view = await observe(n, client, o.signal);
          return { view, settledMs: Date.now() - start };
        }),
      );
      looks.forEach((l, i) => views.set(nodes[i]?.name ?? '', l));
      const cps = nodes.filter((n) => n.role === 'controlplane');
      if (cpsReadyAt === undefined && cps.every((n) => views.get(n.name)?.view.phase === 'ready'))
        cpsReadyAt = Date.now();
      draw();
      const exited = nodes.find((n) => views.get(n.name)?.view.phase === 'exited');
      if (exited !== undefined) {
        const out = await tail(`${exited.stateDir}/machined.out`, 8);
        throw new ClusterError(`machined of ${exited.name} exited while the cluster came up; its last output:`, out);
      }
      const late = nodes.filter((n) => !isSettled(n));
      if (late.length === 0) return views;
      if (Date.now() - start > o.timeoutMs) {
        const details = await Promise.all(
          late.map(async (n) => [
            `${n.name}: ${describe(views.get(n.name)?.view ?? STARTING)}; the end of its output:`,
            ...(await tail(`${n.stateDir}/machined.out`, 4)).map((l) => `  ${l}`),
          ]),
        );
        throw new ClusterError(
          `not every node was ready within ${seconds(o.timeoutMs)} (--wait-timeout):`,
          details.flat(),
        );
      }
      await sleep(o.intervalMs ?? 500, undefined, { signal: o.signal });
    }
  } finally {
    set.close();
  }
}
