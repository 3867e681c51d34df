// `osctl memory` and `osctl processes`: each node's memory use and its processes, as tables.
import { Command, Option } from 'commander';
import type { PbMemInfo, PbProcessInfo } from '../../proto/types.js';
import { NODES_HELP, outcomes, withNodes } from '../connect.js';
import type { CommandContext } from '../global.js';
import { cell, formatTable } from '../table.js';

const mib = (kib: number): string => String(Math.round(kib / 1024));

/** The memory table: MiB, with USED = total - free - buffers - cache, as talosctl computes it. */
export function memoryRows(perNode: readonly { node: string; mem: PbMemInfo }[], several: boolean): string[] {
  const rows = perNode.map(({ node, mem: m }) => [
    ...(several ? [node] : []),
    mib(m.memtotal),
    mib(m.memtotal - m.memfree - m.buffers - m.cached),
    mib(m.memfree),
    mib(m.shmem),
    mib(m.buffers),
    mib(m.cached),
    mib(m.memavailable),
  ]);
  const header = ['TOTAL', 'USED', 'FREE', 'SHARED', 'BUFFERS', 'CACHE', 'AVAILABLE'];
  return formatTable([...(several ? ['NODE'] : []), ...header], rows);
}

/** Bytes for people: 1.2 GB, 35 MB, 512 kB (decimal units, as talosctl prints). */
export function humanBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i] ?? 'B'}`;
}

/** The processes table, sorted by resident memory or CPU time, largest first. */
export function processRows(
  perNode: readonly { node: string; processes: readonly PbProcessInfo[] }[],
  sort: 'rss' | 'cpu',
  several: boolean,
): string[] {
  const all = perNode.flatMap(({ node, processes }) => processes.map((p) => ({ node, p })));
  all.sort((a, b) => (sort === 'cpu' ? b.p.cpuTime - a.p.cpuTime : b.p.residentMemory - a.p.residentMemory));
  const rows = all.map(({ node, p }) => [
    ...(several ? [node] : []),
    String(p.pid),
    p.state,
    String(p.threads),
    p.cpuTime.toFixed(2),
    humanBytes(p.virtualMemory),
    humanBytes(p.residentMemory),
    cell(p.args !== '' ? p.args : p.executable !== '' ? p.executable : p.command),
  ]);
  const header = ['PID', 'STATE', 'THREADS', 'CPU-TIME', 'VIRTMEM', 'RESMEM', 'COMMAND'];
  return formatTable([...(several ? ['NODE'] : []), ...header], rows);
}

/** Adds `memory` and `processes` to `program`. */
export function addStatsCommands(program: Command, ctx: CommandContext): void {
  program
    .command('memory')
    .description("show each node's memory use in MiB")
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (_flags: unknown, cmd: Command) => {
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const { ok, check } = outcomes(await nodes.each((n) => n.machine.memory({ signal: ctx.signal })));
        const perNode = ok.flatMap(({ node, value }) =>
          value.flatMap((m) => (m.meminfo === null ? [] : [{ node, mem: m.meminfo }])),
        );
        if (perNode.length > 0) for (const l of memoryRows(perNode, nodes.several)) ctx.io.out(l);
        check();
      });
    });
  program
    .command('processes')
    .description("list each node's processes")
    .addOption(new Option('-s, --sort <by>', 'rss (resident memory) or cpu').choices(['rss', 'cpu']).default('rss'))
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (flags: { sort: 'rss' | 'cpu' }, cmd: Command) => {
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const { ok, check } = outcomes(await nodes.each((n) => n.machine.processes({ signal: ctx.signal })));
        const perNode = ok.map(({ node, value }) => ({ node, processes: value.flatMap((v) => v.processes) }));
        for (const l of processRows(perNode, flags.sort, nodes.several)) ctx.io.out(l);
        check();
      });
    });
}
