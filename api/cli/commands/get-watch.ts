// `osctl get --watch`: follows resources on each node, printing rows as events arrive, across reconnects.
import type { Subscription } from 'rxjs';
import { abortReason, type NodeSet, type WatchStatus } from '../../client/index.js';
import type { Kind, ResourceDefinitionSpec, WatchEvent } from '../../../resources/index.js';
import type { CommandContext } from '../global.js';
import { documentLines, resourceDocument, type OutputFormat } from '../output.js';
import { expectedMessage } from '../report.js';
import { resourceHeader, resourceRow } from '../resource-rows.js';
import { StreamingTable } from '../table.js';

const MARKERS = { created: '+', updated: ' ', destroyed: '-' } as const;

/** Notes on stderr about watches losing and regaining their node: when the cause changes, and when it is back. */
export function watchStatusNotes(ctx: CommandContext): (s: WatchStatus) => void {
  const down = new Map<string, string>();
  return (s) => {
    if (s.state === 'reconnecting') {
      if (down.get(s.node) !== s.reason) ctx.io.err(`note: ${s.node}: lost the watch (${s.reason}); reconnecting`);
      down.set(s.node, s.reason);
    } else {
      down.delete(s.node);
      ctx.io.err(
        s.state === 'resumed'
          ? `note: ${s.node}: reconnected; the watch goes on where it stopped`
          : `note: ${s.node}: reconnected; ${s.reason}: showing its current resources again`,
      );
    }
  };
}

/** Watches `kind` (or one `id`) on every node until the signal aborts; the first rows print with the header. */
export function watchResources(
  nodes: NodeSet,
  def: ResourceDefinitionSpec,
  kind: Kind,
  id: string | undefined,
  format: OutputFormat,
  ctx: CommandContext,
): Promise<void> {
  const several = nodes.several;
  const table = new StreamingTable(resourceHeader(def, { several, watch: true }));
  let started = false;
  const print = (node: string, events: readonly WatchEvent[]): void => {
    const changes = events.flatMap((e) => (e.type === 'bootstrapped' || e.type === 'errored' ? [] : [e]));
    if (format.kind !== 'table') {
      for (const e of changes) {
        for (const l of documentLines(resourceDocument(e.resource, node, e.type), format)) ctx.io.out(l);
      }
      return;
    }
    const rows = changes.map((e) =>
      resourceRow(def, e.resource, { node: several ? node : undefined, marker: MARKERS[e.type] }),
    );
    const lines = started ? table.add(rows) : table.start(rows);
    started = true;
    for (const l of lines) ctx.io.out(l);
  };
  return new Promise<void>((resolve, reject) => {
    const subs: Subscription[] = [];
    let open = nodes.nodes.length;
    const finish = (e?: unknown): void => {
      for (const s of subs) s.unsubscribe();
      ctx.signal.removeEventListener('abort', onAbort);
      if (e === undefined) resolve();
      else reject(e instanceof Error ? e : new Error('the watch failed'));
    };
    const onAbort = (): void => {
      finish(abortReason(ctx.signal));
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    for (const n of nodes.nodes) {
      // Until its bootstrap is complete a node's rows are held, so that the first ones print aligned under the header.
      let held: WatchEvent[] | undefined = [];
      const source =
        id === undefined ? n.state.watchKind(kind, { bootstrapContents: true }) : n.state.watch({ ...kind, id });
      subs.push(
        source.subscribe({
          next: (e) => {
            if (held === undefined) {
              print(n.node, [e]);
              return;
            }
            held.push(e);
            if (e.type === 'bootstrapped') {
              print(n.node, held);
              held = undefined;
            }
          },
          error: (e: unknown) => {
            if (!several) {
              finish(e);
              return;
            }
            ctx.io.err(
              `osctl: ${n.node}: ${expectedMessage(e) ?? (e instanceof Error ? e.message : 'the watch failed')}`,
            );
            if (--open === 0) finish();
          },
          complete: () => {
            if (--open === 0) finish();
          },
        }),
      );
    }
  });
}
