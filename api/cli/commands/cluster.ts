// `osctl cluster create|destroy|show`: local clusters of machined nodes in network namespaces on one bridge.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import {
  ClusterError,
  createCluster,
  destroyCluster,
  loadRecord,
  showLines,
  summaryLines,
  usageLines,
} from '../cluster/index.js';
import { defaultTalosconfig, globalOptions, processIo, type CommandContext } from '../global.js';
import { durationOption } from '../duration.js';

/** Where local clusters live by default, as talosctl keeps them. */
export function defaultStateRoot(): string {
  return join(homedir(), '.talos', 'clusters');
}

const DEFAULT_NAME = 'osnode';

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

/** The flags every cluster subcommand shares. */
interface ClusterFlags {
  name: string;
  state: string;
}

/** ` --state DIR` when it is not the default (for the commands a person is told to run next). */
const stateFlag = (state: string): string => (state === defaultStateRoot() ? '' : ` --state ${state}`);

function withCommon(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'the name of the cluster', DEFAULT_NAME)
    .option('--state <dir>', 'where clusters keep their state', (dir: string) => resolve(dir), defaultStateRoot());
}

/** Adds `cluster` and its subcommands to `program`. */
export function addClusterCommand(program: Command, ctx: CommandContext): void {
  const cluster = program
    .command('cluster')
    .description('local clusters: machined nodes in network namespaces on a bridge of this machine (needs root)');
  withCommon(cluster.command('create'))
    .description('create a local cluster, merge its context into the talosconfig, and wait until its nodes are ready')
    .option('--controlplanes <n>', 'the number of control-plane nodes', count, 1)
    .option('--workers <n>', 'the number of worker nodes', count, 1)
    .option(
      '--cidr <cidr>',
      'the network of the bridge: this machine takes the first address, nodes the next',
      '10.5.0.0/24',
    )
    .addOption(durationOption('--wait-timeout <duration>', 'how long to wait for the nodes to be ready', '5m'))
    .action(
      async (
        flags: ClusterFlags & { controlplanes: number; workers: number; cidr: string; waitTimeout: number },
        cmd: Command,
      ) => {
        const talosconfig = globalOptions(cmd).talosconfig;
        const started = Date.now();
        const { record, views, context } = await createCluster({
          name: flags.name,
          controlPlanes: flags.controlplanes,
          workers: flags.workers,
          cidr: flags.cidr,
          stateRoot: flags.state,
          talosconfig,
          progress: {
            io: ctx.io,
            interactive: ctx.io === processIo && process.stderr.isTTY,
            columns: process.stderr.columns,
            timeoutMs: flags.waitTimeout,
          },
          signal: ctx.signal,
        });
        const cps = record.nodes.filter((n) => n.role === 'controlplane').length;
        ctx.io.out(
          `cluster "${record.name}" is up after ${((Date.now() - started) / 1000).toFixed(1)}s: ${cps} control plane(s), ${record.nodes.length - cps} worker(s) on bridge ${record.bridge} (${record.gateway}/${record.prefixLength})`,
        );
        ctx.io.out('');
        for (const l of summaryLines(record, views)) ctx.io.out(l);
        ctx.io.out('');
        const usage = await usageLines(record, context, {
          defaultTalosconfig: talosconfig === defaultTalosconfig(ctx.env),
          stateFlag: stateFlag(flags.state),
          signal: ctx.signal,
        });
        for (const l of usage) ctx.io.out(l);
      },
    );

  withCommon(cluster.command('destroy'))
    .description('stop every node of a local cluster and remove its namespaces, links, cgroups, state and context')
    .addOption(
      durationOption(
        '--grace <duration>',
        'how long the nodes get to stop after SIGTERM before they are killed',
        '30s',
      ),
    )
    .action(async (flags: ClusterFlags & { grace: number }) => {
      if (process.getuid?.() !== 0) {
        throw new ClusterError(
          'cluster destroy needs root: it removes network namespaces and links (run it with sudo)',
        );
      }
      const started = Date.now();
      const report = await destroyCluster({
        name: flags.name,
        stateRoot: flags.state,
        graceMs: flags.grace,
        note: ctx.io.err,
        signal: ctx.signal,
      });
      for (const l of report.lines) ctx.io.out(l);
      ctx.io.out(`destroyed cluster "${flags.name}" in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    });

  withCommon(cluster.command('show'))
    .description("show a local cluster's network and nodes, with each machined's pid and whether it runs")
    .action(async (flags: ClusterFlags) => {
      const record = await loadRecord(join(flags.state, flags.name));
      if (record === undefined) {
        throw new ClusterError(
          `no cluster named "${flags.name}" in ${flags.state}: create one with \`osctl cluster create\``,
        );
      }
      for (const l of await showLines(record)) ctx.io.out(l);
    });
}
