// The osctl program: the root command with its global flags and subcommands, and running it to an exit status.
import { Command } from 'commander';
import { addApplyConfigCommand } from './commands/apply-config.js';
import { addClusterCommand } from './commands/cluster.js';
import { addConfigCommand } from './commands/config.js';
import { addContainerCommands } from './commands/containers.js';
import { addEtcdCommand } from './commands/etcd.js';
import { addGenCommand } from './commands/gen.js';
import { addGetCommand } from './commands/get.js';
import { addKernelCommand } from './commands/kernel.js';
import { addHealthCommand } from './commands/health.js';
import { addKubeconfigCommand } from './commands/kubeconfig.js';
import { addLogCommands } from './commands/logs.js';
import { addPowerCommands } from './commands/power.js';
import { addServiceCommand } from './commands/service.js';
import { addStatsCommands } from './commands/stats.js';
import { addValidateCommand } from './commands/validate.js';
import { addVersionCommand } from './commands/version.js';
import { addGlobalOptions, type CommandContext, type Io } from './global.js';
import { formatCommanderError, reportError } from './report.js';

/** The osctl root command, wired to `ctx` (output, abort signal, environment). Usage errors throw, not exit. */
export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('osctl')
    .description('Manage the nodes of an API-managed OS for Kubernetes, and generate their configs.')
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (s) => {
        writeLines(ctx.io.out, s);
      },
      writeErr: (s) => {
        writeLines(ctx.io.err, s);
      },
      outputError: (s, write) => {
        write(formatCommanderError(s));
      },
    });
  addGlobalOptions(program, ctx.env);
  addGenCommand(program, ctx);
  addValidateCommand(program, ctx);
  addConfigCommand(program, ctx);
  addGetCommand(program, ctx);
  addVersionCommand(program, ctx);
  addApplyConfigCommand(program, ctx);
  addPowerCommands(program, ctx);
  addServiceCommand(program, ctx);
  addLogCommands(program, ctx);
  addStatsCommands(program, ctx);
  addContainerCommands(program, ctx);
  addEtcdCommand(program, ctx);
  addKubeconfigCommand(program, ctx);
  addKernelCommand(program, ctx);
  addClusterCommand(program, ctx);
  addHealthCommand(program, ctx);
  return program;
}

function writeLines(write: Io['out'], text: string): void {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  for (const line of body.split('\n')) write(line);
}

/** Runs osctl with `args` (without node and the script) and returns the exit status; prints errors, never throws. */
export async function runOsctl(args: readonly string[], ctx: CommandContext): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (e: unknown) {
    const report = reportError(e, ctx.env);
    for (const line of report.lines) ctx.io.err(line);
    return report.exitCode;
  }
}
