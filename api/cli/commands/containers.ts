// `osctl containers` (alias `ps`), `osctl stats` and `osctl restart`: each node's containers, their resource use, and
// restarting one; `-k` switches from system services (containerd namespace `system`) to Kubernetes (`k8s.io`).
import { Command } from 'commander';
import type { PbContainerInfo, PbStat } from '../../proto/types.js';
import { NODES_HELP, outcomes, withNodes } from '../connect.js';
import type { CommandContext } from '../global.js';
import { cell, formatTable } from '../table.js';

/** The containerd namespace `-k` selects. */
export function namespaceOf(flags: { kubernetes?: boolean }): string {
  return flags.kubernetes === true ? 'k8s.io' : 'system';
}

/** The containers table: NAMESPACE ID IMAGE PID STATUS, as the seed's `osctl ps` printed it. */
export function containerRows(
  perNode: readonly { node: string; containers: readonly PbContainerInfo[] }[],
  several: boolean,
): string[] {
  const rows = perNode.flatMap(({ node, containers }) =>
    [...containers]
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.id.localeCompare(b.id))
      .map((c) => [
        ...(several ? [node] : []),
        c.namespace,
        c.id,
        cell(c.image),
        c.pid === 0 ? '-' : String(c.pid),
        c.status,
      ]),
  );
  return formatTable([...(several ? ['NODE'] : []), 'NAMESPACE', 'ID', 'IMAGE', 'PID', 'STATUS'], rows);
}

/** The stats table: memory in MB and CPU time in seconds, as talosctl prints them. */
export function statRows(perNode: readonly { node: string; stats: readonly PbStat[] }[], several: boolean): string[] {
  const rows = perNode.flatMap(({ node, stats }) =>
    [...stats]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((s) => [
        ...(several ? [node] : []),
        s.namespace,
        s.id,
        (s.memoryUsage / 1e6).toFixed(2),
        (s.cpuUsage / 1e9).toFixed(2),
      ]),
  );
  return formatTable([...(several ? ['NODE'] : []), 'NAMESPACE', 'ID', 'MEMORY(MB)', 'CPU(s)'], rows);
}

const K_FLAG = ['-k, --kubernetes', 'Kubernetes containers (namespace k8s.io) instead of system services'] as const;

/** Adds `containers`, `stats` and `restart` to `program`. */
export function addContainerCommands(program: Command, ctx: CommandContext): void {
  program
    .command('containers')
    .alias('ps')
    .description("list each node's containers: system services, or with -k Kubernetes containers")
    .option(...K_FLAG)
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (flags: { kubernetes?: boolean }, cmd: Command) => {
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const ns = namespaceOf(flags);
        const { ok, check } = outcomes(await nodes.each((n) => n.machine.containers(ns, { signal: ctx.signal })));
        const perNode = ok.map(({ node, value }) => ({ node, containers: value.flatMap((v) => v.containers) }));
        for (const l of containerRows(perNode, nodes.several)) ctx.io.out(l);
        check();
      });
    });
  program
    .command('stats')
    .description("show CPU and memory use of each node's containers")
    .option(...K_FLAG)
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (flags: { kubernetes?: boolean }, cmd: Command) => {
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const ns = namespaceOf(flags);
        const { ok, check } = outcomes(await nodes.each((n) => n.machine.stats(ns, { signal: ctx.signal })));
        const perNode = ok.map(({ node, value }) => ({ node, stats: value.flatMap((v) => v.stats) }));
        for (const l of statRows(perNode, nodes.several)) ctx.io.out(l);
        check();
      });
    });
  program
    .command('restart')
    .description('restart a container on each node (a system service is restarted by its supervisor)')
    .argument('<id>', 'the container')
    .option(...K_FLAG)
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (id: string, flags: { kubernetes?: boolean }, cmd: Command) => {
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const ns = namespaceOf(flags);
        const { ok, check } = outcomes(await nodes.each((n) => n.machine.restart(ns, id, { signal: ctx.signal })));
        for (const { node } of ok) ctx.io.out(`${node}: restarted ${ns}/${id}`);
        check();
      });
    });
}
