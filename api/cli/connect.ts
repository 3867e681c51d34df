// How osctl commands reach nodes: a NodeSet from the global flags and the talosconfig, and per-node outcomes.
import type { Command } from 'commander';
import { NodeSet, resolveConnection, type NodeResult, type WatchStatus } from '../client/index.js';
import { globalOptions, type CommandContext } from './global.js';
import { CommandFailure, expectedMessage, reportError } from './report.js';

/** What a command asks of its connection. */
export interface ConnectOptions {
  /** Maintenance mode (--insecure): no client certificate, the node's certificate unchecked. */
  readonly insecure?: boolean | undefined;
  /** Deadline of each unary call. */
  readonly timeoutMs?: number | undefined;
  readonly onWatchStatus?: ((s: WatchStatus) => void) | undefined;
}

/** The help text every node command shares about -n and -e. */
export const NODES_HELP = [
  'Each node given with -n (or stored in the context) is dialled directly as its own endpoint,',
  'host[:port] with port 50000 by default; without nodes, the first endpoint (-e) is used.',
].join('\n');

/** Opens connections to the command's nodes, runs `fn`, and closes them whatever happens. */
export async function withNodes<T>(
  command: Command,
  ctx: CommandContext,
  o: ConnectOptions,
  fn: (nodes: NodeSet) => Promise<T>,
): Promise<T> {
  const g = globalOptions(command);
  const { targets, tls } = await resolveConnection({
    talosconfig: g.talosconfig,
    context: g.context,
    endpoints: g.endpoints,
    nodes: g.nodes,
    insecure: o.insecure,
    signal: ctx.signal,
  });
  const nodes = new NodeSet({
    targets,
    tls,
    timeoutMs: o.timeoutMs,
    ...(o.onWatchStatus === undefined ? {} : { onWatchStatus: o.onWatchStatus }),
  });
  try {
    return await fn(nodes);
  } finally {
    nodes.close();
  }
}

/**
 * Splits per-node outcomes: the values to print, and `check()` to call after printing them, which throws when any
 * node failed (the failure itself for a single node; one `osctl: NODE: ...` line per failed node otherwise).
 */
export function outcomes<T>(results: readonly NodeResult<T>[]): {
  ok: { node: string; value: T }[];
  check: () => void;
} {
  const ok = results.flatMap((r) => (r.ok ? [{ node: r.node, value: r.value }] : []));
  const failed = results.flatMap((r) => (r.ok ? [] : [r]));
  return {
    ok,
    check: () => {
      const [first] = failed;
      if (first === undefined) return;
      if (results.length === 1) throw first.error;
      const lines = failed.flatMap((f) => {
        const msg = expectedMessage(f.error);
        if (msg === undefined)
          return reportError(f.error).lines.map((l) => l.replace(/^osctl: /, `osctl: ${f.node}: `));
        return [msg.includes(f.node) ? `osctl: ${msg}` : `osctl: ${f.node}: ${msg}`];
      });
      throw new CommandFailure(lines);
    },
  };
}
