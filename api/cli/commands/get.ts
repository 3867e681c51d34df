// `osctl get <type> [id]`: resources of a type from each node, as a table, YAML, JSON or a JSONPath; --watch follows them.
import { Command, Option } from 'commander';
import type { NodeSet } from '../../client/index.js';
import type { Resource, ResourceDefinitionSpec } from '../../../resources/index.js';
import { NODES_HELP, outcomes, withNodes } from '../connect.js';
import type { CommandContext } from '../global.js';
import { parseOutputFormat, type OutputFormat } from '../output.js';
import { resourceOutput } from '../resource-rows.js';
import { definitionsOf, resolveType } from '../resource-types.js';
import { watchResources, watchStatusNotes } from './get-watch.js';

/** The flags of `get`. */
interface GetFlags {
  namespace?: string;
  output: OutputFormat;
  watch?: boolean;
  insecure?: boolean;
}

/** Adds `get` to `program`. */
export function addGetCommand(program: Command, ctx: CommandContext): void {
  program
    .command('get')
    .description('show resources of a type from each node (`osctl get rd` lists the types)')
    .argument('<type>', 'a type name or alias, any case, singular or plural (e.g. MachineStatus, machinestatuses, rd)')
    .argument('[id]', 'one resource of the type')
    .option('--namespace <namespace>', "the namespace (default: the type's own)")
    .addOption(
      new Option('-o, --output <format>', 'table, yaml, json or jsonpath={.path}')
        .argParser(parseOutputFormat)
        .default({ kind: 'table' }, 'table'),
    )
    .option('-w, --watch', 'keep watching: rows marked + when created, - when destroyed, blank when updated')
    .option('-i, --insecure', 'maintenance mode: no client certificate, the node is not verified')
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (type: string, id: string | undefined, flags: GetFlags, cmd: Command) => {
      const notes = watchStatusNotes(ctx);
      await withNodes(cmd, ctx, { insecure: flags.insecure, onWatchStatus: notes }, async (nodes) => {
        const def = await typeOf(nodes, type, ctx.signal);
        const kind = { namespace: flags.namespace ?? def.defaultNamespace, type: def.type };
        if (flags.watch === true) {
          await watchResources(nodes, def, kind, id, flags.output, ctx);
          return;
        }
        const opts = { signal: ctx.signal };
        const results = await nodes.each(async (n): Promise<Resource[]> =>
          id === undefined ? n.state.list(kind, opts) : [await n.state.get({ ...kind, id }, opts)],
        );
        const { ok, check } = outcomes(results);
        const lines = resourceOutput(def, ok, flags.output, nodes.several);
        if (flags.output.kind !== 'table' || ok.length > 0) for (const l of lines) ctx.io.out(l);
        check();
      });
    });
}

/** Resolves `name` against the definitions of the first node that answers. */
async function typeOf(nodes: NodeSet, name: string, signal: AbortSignal): Promise<ResourceDefinitionSpec> {
  const results = await nodes.each((n) => definitionsOf(n.state, signal));
  const first = results.find((r) => r.ok);
  if (first === undefined) outcomes(results).check();
  return resolveType(first?.ok === true ? first.value : [], name);
}
