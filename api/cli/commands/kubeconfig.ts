// `osctl kubeconfig [path]`: fetches the cluster's admin kubeconfig from a node and merges it into a local file.
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse, stringify } from 'yaml';
import { writePrivateFiles } from '../../config-gen/index.js';
import { NODES_HELP, withNodes } from '../connect.js';
import type { CommandContext } from '../global.js';
import { asKubeconfig, kubeconfigFromBytes, mergeKubeconfig } from '../kubeconfig-merge.js';
import { CommandFailure } from '../report.js';

/** Where the kubeconfig goes: the path given (a directory gets `kubeconfig` inside), else $KUBECONFIG, else ~/.kube/config. */
async function target(path: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  const p = path ?? env['KUBECONFIG']?.split(':')[0] ?? join(homedir(), '.kube', 'config');
  const st = await stat(p).catch(() => undefined);
  return st?.isDirectory() === true ? join(p, 'kubeconfig') : p;
}

async function readExisting(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e: unknown) {
    if ((e as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new CommandFailure([`osctl: cannot read ${path}: ${(e as Error).message}`]);
  }
}

/** Adds `kubeconfig` to `program`. */
export function addKubeconfigCommand(program: Command, ctx: CommandContext): void {
  program
    .command('kubeconfig')
    .description("fetch the cluster's admin kubeconfig from a control-plane node and merge it into a local file")
    .argument('[path]', 'the file (or directory) to write; default $KUBECONFIG or ~/.kube/config')
    .option('--force', 'replace entries of the same name instead of adding renamed copies (with --no-merge: overwrite)')
    .option('--no-merge', 'write the kubeconfig as it is instead of merging it into an existing file')
    .addHelpText('after', `\nThe first node is asked. ${NODES_HELP}`)
    .action(async (path: string | undefined, flags: { force?: boolean; merge: boolean }, cmd: Command) => {
      const file = await target(path, ctx.env);
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const [first] = nodes.nodes;
        if (first === undefined) return;
        const data = await first.machine.kubeconfig({ signal: ctx.signal });
        const incoming = kubeconfigFromBytes(data, `the kubeconfig from ${first.node}`);
        const existing = await readExisting(file);
        const force = flags.force === true;
        if (existing === undefined || !flags.merge || existing.trim() === '') {
          if (existing !== undefined && existing.trim() !== '' && !force) {
            throw new CommandFailure([`osctl: ${file} exists already; use --force to overwrite it, or merge into it`]);
          }
          await writePrivateFiles([{ path: file, content: stringify(incoming, { lineWidth: 0 }) }], {
            force: true,
            signal: ctx.signal,
          });
          ctx.io.out(`wrote ${file}`);
          return;
        }
        const { config, notes } = mergeKubeconfig(asKubeconfig(parse(existing), file), incoming, force);
        for (const n of notes) ctx.io.err(`note: ${n}`);
        await writePrivateFiles([{ path: file, content: stringify(config, { lineWidth: 0 }) }], {
          force: true,
          signal: ctx.signal,
        });
        ctx.io.out(`merged into ${file}; current context: ${config['current-context'] ?? ''}`);
      });
    });
}
