// `osctl version`: the client's version, and each node's (tag, commit, build, runtime, platform).
import { readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { NODES_HELP, outcomes, withNodes } from '../connect.js';
import type { CommandContext } from '../global.js';

/** The version of this osctl, from the package manifest it was built from. */
export function clientVersion(): string {
  try {
    const path = fileURLToPath(new URL('../../../../package.json', import.meta.url));
    const v = (JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? `v${v}` : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The platform as one value: its name, and its mode when that differs (e.g. `metal (maintenance)`). */
function platformOf(p: { name: string; mode: string } | null): string {
  if (p === null) return '';
  return p.mode === '' || p.mode === p.name ? p.name : `${p.name} (${p.mode})`;
}

/** `label:` padded like talosctl's version output, after a tab. */
const field = (label: string, value: string): string => `\t${`${label}:`.padEnd(13)}${value}`;

/** Adds `version` to `program`. */
export function addVersionCommand(program: Command, ctx: CommandContext): void {
  program
    .command('version')
    .description("print the client's version and each node's")
    .option('--client', 'print the client version only')
    .option('-i, --insecure', 'maintenance mode: no client certificate, the node is not verified')
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (flags: { client?: boolean; insecure?: boolean }, cmd: Command) => {
      ctx.io.out('Client:');
      ctx.io.out(field('Tag', clientVersion()));
      ctx.io.out(field('Node.js', process.version));
      ctx.io.out(field('OS/Arch', `${platform()}/${arch()}`));
      if (flags.client === true) return;
      await withNodes(cmd, ctx, { insecure: flags.insecure }, async (nodes) => {
        const { ok, check } = outcomes(await nodes.each((n) => n.machine.version({ signal: ctx.signal })));
        if (ok.length > 0) ctx.io.out('Server:');
        for (const { node, value } of ok) {
          for (const v of value) {
            ctx.io.out(field('NODE', node));
            ctx.io.out(field('Tag', v.version?.tag ?? ''));
            ctx.io.out(field('SHA', v.version?.sha ?? ''));
            ctx.io.out(field('Built', v.version?.built ?? ''));
            ctx.io.out(field('Node.js', v.version?.runtimeVersion ?? ''));
            ctx.io.out(field('OS/Arch', `${v.version?.os ?? ''}/${v.version?.arch ?? ''}`));
            ctx.io.out(field('Platform', platformOf(v.platform)));
          }
        }
        check();
      });
    });
}
