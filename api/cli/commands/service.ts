// `osctl service [id] [start|stop|restart]`: each node's services as a table, one service in detail, or an action.
import { Command } from 'commander';
import type { PbServiceInfo } from '../../proto/types.js';
import { NODES_HELP, outcomes, withNodes } from '../connect.js';
import type { CommandContext } from '../global.js';
import { CommandFailure, EXIT_USAGE } from '../report.js';
import { cell, formatTable } from '../table.js';

const ACTIONS = ['start', 'stop', 'restart'] as const;

/** A health as talosctl shows it: `?` unknown, `OK` or `Fail`. */
export function healthOf(s: PbServiceInfo): string {
  if (s.health === null || s.health.unknown) return '?';
  return s.health.healthy ? 'OK' : 'Fail';
}

/** How long ago `ms` was, coarsely: 42s ago, 5m ago, 3h ago, 2d ago. */
export function ago(ms: number, now = Date.now()): string {
  if (ms <= 0) return '';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return s < 86_400 ? `${Math.floor(s / 3600)}h ago` : `${Math.floor(s / 86_400)}d ago`;
}

/** The rows of the services table. */
export function serviceRows(
  perNode: readonly { node: string; services: readonly PbServiceInfo[] }[],
  several: boolean,
): string[] {
  const rows = perNode.flatMap(({ node, services }) =>
    services.map((s) => {
      const last = s.events.at(-1);
      return [
        ...(several ? [node] : []),
        s.id,
        s.state,
        healthOf(s),
        ago(s.health?.lastChangeUnixMs ?? 0),
        cell(last?.msg),
      ];
    }),
  );
  return formatTable([...(several ? ['NODE'] : []), 'SERVICE', 'STATE', 'HEALTH', 'LAST CHANGE', 'LAST EVENT'], rows);
}

function details(node: string, s: PbServiceInfo): string[] {
  const events = s.events.map((e) => `[${e.state}]: ${cell(e.msg)} (${ago(e.tsUnixMs)})`).reverse();
  return formatTable(
    ['NODE', node],
    [
      ['ID', s.id],
      ['STATE', s.state],
      ['HEALTH', healthOf(s)],
      ...(s.health?.lastMessage ? [['LAST HEALTH MESSAGE', cell(s.health.lastMessage)]] : []),
      ...events.map((e, i) => [i === 0 ? 'EVENTS' : '', e]),
    ],
  );
}

/** Adds `service` to `program`. */
export function addServiceCommand(program: Command, ctx: CommandContext): void {
  program
    .command('service')
    .description("list each node's services, show one, or start, stop or restart it")
    .argument('[id]', 'a service')
    .argument('[action]', 'start, stop or restart')
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (id: string | undefined, action: string | undefined, _flags: unknown, cmd: Command) => {
      if (action !== undefined && !(ACTIONS as readonly string[]).includes(action)) {
        throw new CommandFailure([`osctl: unknown service action "${action}": use start, stop or restart`], EXIT_USAGE);
      }
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const signal = ctx.signal;
        if (id !== undefined && action !== undefined) {
          const a = action as (typeof ACTIONS)[number];
          const { ok, check } = outcomes(await nodes.each((n) => n.machine.serviceAction(a, id, { signal })));
          for (const { node, value } of ok) for (const r of value) ctx.io.out(`${node}: ${r.resp}`);
          check();
          return;
        }
        const { ok, check } = outcomes(await nodes.each((n) => n.machine.serviceList({ signal })));
        const perNode = ok.map(({ node, value }) => ({ node, services: value.flatMap((v) => v.services) }));
        if (id === undefined) {
          for (const l of serviceRows(perNode, nodes.several)) ctx.io.out(l);
          check();
          return;
        }
        for (const { node, services } of perNode) {
          const s = services.find((x) => x.id === id);
          if (s === undefined) {
            const known = services.map((x) => x.id).join(', ') || 'none';
            throw new CommandFailure([`osctl: ${node} has no service "${id}" (it has ${known})`]);
          }
          for (const l of details(node, s)) ctx.io.out(l);
        }
        check();
      });
    });
}
