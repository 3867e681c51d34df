// `osctl apply-config -f FILE`: sends a machine config to each node (live, with a reboot, staged or on trial; or a dry run).
import { Command, Option } from 'commander';
import { readTextFile } from '../../config-gen/index.js';
import type { ApplyMode } from '../../client/index.js';
import { NODES_HELP, outcomes, withNodes } from '../connect.js';
import { parseDuration } from '../duration.js';
import type { CommandContext } from '../global.js';
import { CommandFailure } from '../report.js';

/** The modes of apply-config, as talosctl names them. */
export const APPLY_MODES: readonly ApplyMode[] = ['auto', 'no-reboot', 'reboot', 'staged', 'try'];

/** The flags of apply-config. */
interface ApplyFlags {
  file: string;
  mode: ApplyMode;
  dryRun?: boolean;
  insecure?: boolean;
  /** Milliseconds, parsed when the option is read (a bad value is reported like any bad option). */
  timeout?: number;
}

/** Adds `apply-config` to `program`. */
export function addApplyConfigCommand(program: Command, ctx: CommandContext): void {
  program
    .command('apply-config')
    .description('apply a machine config to each node')
    .requiredOption('-f, --file <file>', 'the machine config (YAML)')
    .addOption(
      new Option('-m, --mode <mode>', 'how it takes effect: auto picks no-reboot or reboot as the changes need')
        .choices(APPLY_MODES as ApplyMode[])
        .default('auto'),
    )
    .option('--dry-run', 'validate and show the changes and the mode that would be used; change nothing')
    .option('-i, --insecure', 'maintenance mode: a node without a config yet (no client certificate, not verified)')
    .option(
      '--timeout <duration>',
      'with --mode try: revert after this long unless another config is applied (default 1m)',
      (v: string) => parseDuration(v, '--timeout'),
    )
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (flags: ApplyFlags, cmd: Command) => {
      if (flags.timeout !== undefined && flags.mode !== 'try') {
        throw new CommandFailure([`osctl: --timeout applies to --mode try only (got --mode ${flags.mode})`], 2);
      }
      const tryTimeoutMs = flags.timeout;
      const data = await readTextFile(flags.file, 'machine config', ctx.signal);
      await withNodes(cmd, ctx, { insecure: flags.insecure }, async (nodes) => {
        const request = {
          data,
          mode: flags.mode,
          dryRun: flags.dryRun === true,
          ...(tryTimeoutMs === undefined ? {} : { tryTimeoutMs }),
        };
        const results = await nodes.each((n) => n.machine.applyConfiguration(request, { signal: ctx.signal }));
        const { ok, check } = outcomes(results);
        for (const { node, value } of ok) {
          const prefix = nodes.several ? `${node}: ` : '';
          for (const reply of value) {
            for (const w of reply.warnings) ctx.io.err(`warning: ${prefix}${w}`);
            if (flags.dryRun !== true) {
              ctx.io.out(`${prefix}${reply.modeDetails}`);
              continue;
            }
            if (nodes.several) ctx.io.out(`${node}:`);
            ctx.io.out('Dry run summary:');
            ctx.io.out(reply.modeDetails);
            ctx.io.out('');
            ctx.io.out('Config diff:');
            ctx.io.out('');
            for (const l of (reply.diff === '' ? '(no changes)' : reply.diff).trimEnd().split('\n')) ctx.io.out(l);
          }
        }
        check();
      });
    });
}
