// `osctl reboot` and `osctl shutdown`: ask each node to reboot or power off.
import { Command, Option } from 'commander';
import { NODES_HELP, outcomes, withNodes } from '../connect.js';
import type { CommandContext } from '../global.js';

/** Adds `reboot` and `shutdown` to `program`. */
export function addPowerCommands(program: Command, ctx: CommandContext): void {
  program
    .command('reboot')
    .description('reboot each node')
    .addOption(
      new Option('-m, --mode <mode>', 'default, or powercycle').choices(['default', 'powercycle']).default('default'),
    )
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (flags: { mode: 'default' | 'powercycle' }, cmd: Command) => {
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const { ok, check } = outcomes(await nodes.each((n) => n.machine.reboot(flags.mode, { signal: ctx.signal })));
        for (const { node } of ok) ctx.io.out(`${node}: rebooting`);
        check();
      });
    });
  program
    .command('shutdown')
    .description('shut each node down')
    .option('--force', 'do not wait for services to stop cleanly')
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (flags: { force?: boolean }, cmd: Command) => {
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const calls = await nodes.each((n) => n.machine.shutdown(flags.force === true, { signal: ctx.signal }));
        const { ok, check } = outcomes(calls);
        for (const { node } of ok) ctx.io.out(`${node}: shutting down`);
        check();
      });
    });
}
