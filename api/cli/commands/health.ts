// `osctl health`: runs the health checks in order against the nodes, waiting for each to hold, and fails with the
// first check that does not hold within --wait-timeout.
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { NodeSet, resolveConnection } from '../../client/index.js';
import { NODES_HELP } from '../connect.js';
import { durationOption } from '../duration.js';
import { collectList, globalOptions, type CommandContext } from '../global.js';
import { CommandFailure } from '../report.js';
import { HEALTH_CHECKS, type HealthRole, type HealthState } from './health-checks.js';

/** The flags of `health`. */
interface HealthFlags {
  waitTimeout: number;
  controlPlaneNodes?: string[];
  workerNodes?: string[];
  clockTolerance: number;
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;

/** Adds `health` to `program`. */
export function addHealthCommand(program: Command, ctx: CommandContext): void {
  program
    .command('health')
    .description(
      'check the nodes: API reachable, MachineStatus ready, services healthy, etcd members agreeing, clocks in step',
    )
    .addOption(durationOption('--wait-timeout <duration>', 'how long to wait for every check to hold', '2m'))
    .option(
      '--control-plane-nodes <list>',
      'the control-plane nodes, comma-separated (default: found out)',
      collectList,
    )
    .option('--worker-nodes <list>', 'the worker nodes, comma-separated (default: found out)', collectList)
    .addOption(
      durationOption('--clock-tolerance <duration>', "how far a node's clock may be from this machine's", '2s'),
    )
    .addHelpText(
      'after',
      [
        '',
        'Without --control-plane-nodes and --worker-nodes, the nodes are those of -n or the context, and each',
        "node's role comes from its MachineType (or the control planes' Member resources).",
        NODES_HELP,
      ].join('\n'),
    )
    .action(async (flags: HealthFlags, cmd: Command) => {
      const timeoutMs = flags.waitTimeout;
      const clockToleranceMs = flags.clockTolerance;
      const g = globalOptions(cmd);
      const cps = flags.controlPlaneNodes ?? [];
      const workers = flags.workerNodes ?? [];
      const given = [...cps, ...workers];
      const { targets, tls } = await resolveConnection({
        talosconfig: g.talosconfig,
        context: g.context,
        endpoints: g.endpoints,
        nodes: given.length > 0 ? given : g.nodes,
        signal: ctx.signal,
      });
      const nodes = new NodeSet({ targets, tls, timeoutMs: 5000 });
      const roles = new Map<string, HealthRole>([
        ...cps.map((n): [string, HealthRole] => [n, 'controlplane']),
        ...workers.map((n): [string, HealthRole] => [n, 'worker']),
      ]);
      const state: HealthState = {
        nodes,
        tls,
        roles,
        hostnames: new Map(),
        clockToleranceMs,
        signal: ctx.signal,
      };
      const start = Date.now();
      try {
        ctx.io.out(`checking ${targets.length} node(s): ${targets.map((t) => t.node).join(', ')}`);
        for (const check of HEALTH_CHECKS) {
          let last: string | undefined;
          for (;;) {
            const why = await check.attempt(state);
            if (why === undefined) {
              ctx.io.out(`${check.title}: OK`);
              break;
            }
            if (why !== last) ctx.io.out(`waiting for ${check.title}: ${why}`);
            last = why;
            if (Date.now() - start >= timeoutMs) {
              throw new CommandFailure([
                `osctl: health check failed after ${seconds(Date.now() - start)} (--wait-timeout ${seconds(timeoutMs)}): ${check.title}: ${why}`,
              ]);
            }
            await sleep(1000, undefined, { signal: ctx.signal });
          }
        }
        const count = (r: HealthRole): number => targets.filter((t) => roles.get(t.node) === r).length;
        ctx.io.out(
          `healthy after ${seconds(Date.now() - start)}: ${targets.length} node(s), ${count('controlplane')} control plane(s), ${count('worker')} worker(s)`,
        );
      } finally {
        nodes.close();
      }
    });
}
