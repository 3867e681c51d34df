// `osctl config endpoint|node|contexts|context|merge|new`: the client config's contexts, and new client certificates.
import { Command } from 'commander';
import { writePrivateFiles } from '../../config-gen/index.js';
import {
  loadTalosconfig,
  loadTalosconfigOrEmpty,
  mergeTalosconfig,
  parseEndpoint,
  parseTalosconfig,
  selectContext,
  talosconfigToYaml,
  type Talosconfig,
} from '../../client/index.js';
import { NODES_HELP, withNodes } from '../connect.js';
import { durationOption } from '../duration.js';
import { collectList, globalOptions, type CommandContext } from '../global.js';
import { CommandFailure } from '../report.js';
import { formatTable } from '../table.js';

/** Writes the talosconfig back, 0600, atomically. */
async function save(path: string, cfg: Talosconfig, signal: AbortSignal): Promise<void> {
  await writePrivateFiles([{ path, content: talosconfigToYaml(cfg) }], { force: true, signal });
}

/** The rows of `config contexts`: the current one starred. */
export function contextRows(cfg: Talosconfig): string[] {
  const rows = Object.entries(cfg.contexts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]) => [name === cfg.context ? '*' : '', name, c.endpoints.join(','), c.nodes.join(',')]);
  return formatTable(['CURRENT', 'NAME', 'ENDPOINTS', 'NODES'], rows);
}

/** Adds `config` and its subcommands to `program`. */
export function addConfigCommand(program: Command, ctx: CommandContext): void {
  const config = program.command('config').description('manage the client config (talosconfig) and its contexts');
  const setList = (name: 'endpoint' | 'node', field: 'endpoints' | 'nodes', what: string): void => {
    config
      .command(name)
      .description(`set the ${what} of the current context`)
      .argument('<values...>', `${what}: host or host:port, comma- or space-separated`)
      .action(async (values: string[], _flags: unknown, cmd: Command) => {
        const g = globalOptions(cmd);
        const list = values.reduce<string[]>((acc, v) => collectList(v, acc), []);
        for (const v of list) parseEndpoint(v);
        const cfg = await loadTalosconfig(g.talosconfig, ctx.signal);
        const { name, context } = selectContext(cfg, g.talosconfig, g.context);
        cfg.contexts[name] = { ...context, [field]: list };
        await save(g.talosconfig, cfg, ctx.signal);
        ctx.io.out(`context "${name}": ${what} ${list.join(', ')}`);
      });
  };
  setList('endpoint', 'endpoints', 'endpoints');
  setList('node', 'nodes', 'nodes');

  config
    .command('contexts')
    .description('list the contexts')
    .action(async (_flags: unknown, cmd: Command) => {
      const cfg = await loadTalosconfig(globalOptions(cmd).talosconfig, ctx.signal);
      for (const l of contextRows(cfg)) ctx.io.out(l);
    });

  config
    .command('context')
    .description('make a context the current one')
    .argument('<name>', 'the context')
    .action(async (name: string, _flags: unknown, cmd: Command) => {
      const path = globalOptions(cmd).talosconfig;
      const cfg = await loadTalosconfig(path, ctx.signal);
      selectContext(cfg, path, name);
      await save(path, { ...cfg, context: name }, ctx.signal);
      ctx.io.out(`current context: ${name}`);
    });

  config
    .command('merge')
    .description('merge the contexts of another client config into this one (taken names get -1, -2, ...)')
    .argument('<file>', 'the client config to merge in')
    .action(async (file: string, _flags: unknown, cmd: Command) => {
      const path = globalOptions(cmd).talosconfig;
      const from = await loadTalosconfig(file, ctx.signal);
      const { config: merged, renamed } = mergeTalosconfig(await loadTalosconfigOrEmpty(path, ctx.signal), from);
      for (const [a, b] of renamed) ctx.io.err(`note: context "${a}" exists already; merged as "${b}"`);
      await save(path, merged, ctx.signal);
      ctx.io.out(
        `merged ${Object.keys(from.contexts).length} context(s) into ${path}; current context: ${merged.context}`,
      );
    });

  addConfigNew(config, ctx);
}

function addConfigNew(config: Command, ctx: CommandContext): void {
  config
    .command('new')
    .description('ask a node for a client certificate with the given roles and write a client config holding it')
    .argument('[path]', 'where to write it', 'talosconfig')
    .option('--roles <list>', 'roles of the certificate, comma-separated (repeatable)', collectList)
    .addOption(durationOption('--crt-ttl <duration>', 'how long the certificate is valid, e.g. 720h', '8760h'))
    .option('--force', 'overwrite an existing file')
    .addHelpText('after', `\nThe first node is asked. ${NODES_HELP}`)
    .action(async (path: string, flags: { roles?: string[]; crtTtl: number; force?: boolean }, cmd: Command) => {
      const roles = flags.roles ?? ['os:admin'];
      const crtTtlMs = flags.crtTtl;
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const [first] = nodes.nodes;
        if (first === undefined) return;
        const [reply] = await first.machine.generateClientConfiguration({ roles, crtTtlMs }, { signal: ctx.signal });
        if (reply === undefined || reply.talosconfig.length === 0) {
          throw new CommandFailure([`osctl: ${first.node} sent no client config`]);
        }
        const cfg = parseTalosconfig(reply.talosconfig.toString('utf8'), `the client config from ${first.node}`);
        await writePrivateFiles([{ path, content: talosconfigToYaml(cfg) }], {
          force: flags.force === true,
          signal: ctx.signal,
        });
        ctx.io.out(`created ${path} (roles ${roles.join(', ')}, context "${cfg.context}")`);
      });
    });
}
