// `osctl validate -c FILE --mode metal|container|cloud [--strict]`: checks a machine config file with the v1alpha1 validator.
import { Command, Option } from 'commander';
import { ConfigValidationError, parseMachineConfigYaml, type ValidationMode } from '../../../resources/index.js';
import { readTextFile } from '../../config-gen/index.js';
import type { CommandContext } from '../global.js';
import { CommandFailure, issueLines } from '../report.js';

/** The modes a config can be validated for, as Talos names them. */
export const VALIDATION_MODES: readonly ValidationMode[] = ['metal', 'container', 'cloud'];

/** Adds `validate` to `program`. */
export function addValidateCommand(program: Command, ctx: CommandContext): void {
  program
    .command('validate')
    .description('check a machine config file')
    .requiredOption('-c, --config <file>', 'the machine config file')
    .addOption(
      new Option('-m, --mode <mode>', 'what the node runs on')
        .choices(VALIDATION_MODES as ValidationMode[])
        .makeOptionMandatory(),
    )
    .option('--strict', 'treat warnings as problems')
    .action(async (flags: { config: string; mode: ValidationMode; strict?: boolean }) => {
      const text = await readTextFile(flags.config, 'config file', ctx.signal);
      const strict = flags.strict === true;
      let warnings: readonly { path: string; message: string }[];
      try {
        ({ warnings } = parseMachineConfigYaml(text, { mode: flags.mode, strict, source: flags.config }));
      } catch (e: unknown) {
        if (!(e instanceof ConfigValidationError)) throw e;
        const what = `${flags.config} is not valid for ${flags.mode} mode${strict ? ' (strict)' : ''}`;
        throw new CommandFailure(issueLines(what, e.issues));
      }
      for (const w of warnings) ctx.io.err(`warning: ${w.path === '' ? '' : `${w.path}: `}${w.message}`);
      ctx.io.out(`${flags.config} is valid for ${flags.mode} mode`);
    });
}
