// `osctl logs <id>` and `osctl dmesg`: a service's log or the kernel log from each node, optionally followed.
import { Command, InvalidArgumentError } from 'commander';
import { StringDecoder } from 'node:string_decoder';
import type { NodeClients, NodeSet } from '../../client/index.js';
import { NODES_HELP, outcomes, withNodes } from '../connect.js';
import type { CommandContext, Io } from '../global.js';

/** Splits a byte stream into whole lines (a partial last line waits for its end), with an optional prefix. */
export class LineSplitter {
  private rest = '';
  /** Keeps a character split across chunks whole. */
  private readonly decoder = new StringDecoder('utf8');
  constructor(
    private readonly write: Io['out'],
    private readonly prefix = '',
  ) {}

  /** Feeds one chunk; its whole lines go out in one write (a line per write costs more than the transfer). */
  push(chunk: Buffer): void {
    const text = this.rest + this.decoder.write(chunk);
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.rest = text;
      return;
    }
    this.rest = text.slice(end + 1);
    const whole = text.slice(0, end);
    const plain = this.prefix === '' && !whole.includes('\r');
    this.write(
      plain
        ? whole
        : whole
            .split('\n')
            .map((l) => this.prefix + l.replace(/\r$/, ''))
            .join('\n'),
    );
  }

  /** Prints a last line without a newline, if any. */
  flush(): void {
    if (this.rest !== '') this.write(this.prefix + this.rest);
    this.rest = '';
  }
}

/** Streams `open(node)` from every node to stdout, prefixing lines with the node when there are several. */
async function streamAll(
  nodes: NodeSet,
  ctx: CommandContext,
  open: (n: NodeClients) => AsyncIterable<Buffer>,
): Promise<void> {
  const results = await nodes.each(async (n) => {
    const lines = new LineSplitter(ctx.io.out, nodes.several ? `${n.node}: ` : '');
    try {
      for await (const chunk of open(n)) lines.push(chunk);
    } finally {
      lines.flush();
    }
  });
  outcomes(results).check();
}

/** Parses `--tail` for logs: a whole number of lines. */
function tailLines(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of lines');
  return n;
}

/** Adds `logs` and `dmesg` to `program`. */
export function addLogCommands(program: Command, ctx: CommandContext): void {
  program
    .command('logs')
    .description("print a service's log from each node (machined's own: `osctl logs machined`)")
    .argument('<id>', 'the service')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('--tail <lines>', 'only the last N lines', tailLines)
    .option('-k, --kubernetes', 'a Kubernetes container (namespace k8s.io) instead of a system service')
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (id: string, flags: { follow?: boolean; tail?: number; kubernetes?: boolean }, cmd: Command) => {
      await withNodes(cmd, ctx, {}, (nodes) =>
        streamAll(nodes, ctx, (n) =>
          n.machine.logs(
            {
              id,
              namespace: flags.kubernetes === true ? 'k8s.io' : 'system',
              follow: flags.follow === true,
              ...(flags.tail === undefined ? {} : { tailLines: flags.tail }),
            },
            { signal: ctx.signal },
          ),
        ),
      );
    });
  program
    .command('dmesg')
    .description('print the kernel log of each node')
    .option('-f, --follow', 'keep printing new messages until interrupted')
    .option('--tail', 'start at the end of the log (with -f: only new messages)')
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (flags: { follow?: boolean; tail?: boolean }, cmd: Command) => {
      await withNodes(cmd, ctx, {}, (nodes) =>
        streamAll(nodes, ctx, (n) =>
          n.machine.dmesg({ follow: flags.follow === true, tail: flags.tail === true }, { signal: ctx.signal }),
        ),
      );
    });
}
