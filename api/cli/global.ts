// What every osctl command shares: its context (output, abort signal, environment) and the global flags (--talosconfig, -e, -n, --context).
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';

/** Where a command prints: whole lines, newline added. stdout is for results, stderr for notes and warnings. */
export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** The context a command runs in. */
export interface CommandContext {
  readonly io: Io;
  /** Aborted on SIGINT/SIGTERM: commands pass it to every I/O call and stop cleanly. */
  readonly signal: AbortSignal;
  readonly env: NodeJS.ProcessEnv;
}

/** Io on the process's stdout and stderr. */
export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** The global flags after parsing; the API commands (issue 4) pick the client config, context and targets from them. */
export interface GlobalOptions {
  /** The client config file: --talosconfig, else $TALOSCONFIG, else ~/.talos/config. */
  readonly talosconfig: string;
  /** Endpoints to connect to instead of the context's (comma-separated, repeatable). */
  readonly endpoints: readonly string[];
  /** Nodes the call is for (comma-separated, repeatable); each is dialled directly as its own endpoint. */
  readonly nodes: readonly string[];
  /** The context to use instead of the config's current one. */
  readonly context?: string;
}

/** Appends the comma-separated items of `value` to `previous`: `-n a,b -n c` gives [a, b, c]. */
export function collectList(value: string, previous: readonly string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}

/** Appends `value` whole to `previous` (for values that may hold commas, like inline JSON patches). */
export function collectRepeated(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The default client config path for `env`. */
export function defaultTalosconfig(env: NodeJS.ProcessEnv = process.env): string {
  // The same place talosctl uses, so that people who know it find their contexts where they expect them.
  const fromEnv = env['TALOSCONFIG'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.talos', 'config');
}

/** Declares the global flags on the root command. */
export function addGlobalOptions(program: Command, env: NodeJS.ProcessEnv = process.env): Command {
  return program
    .option('--talosconfig <path>', 'the client config file', defaultTalosconfig(env))
    .option('-e, --endpoints <list>', 'endpoints to connect to, comma-separated (repeatable)', collectList)
    .option(
      '-n, --nodes <list>',
      'nodes to act on, comma-separated (repeatable); each is dialled directly',
      collectList,
    )
    .option('--context <name>', 'the context of the client config to use');
}

/** The global flags as parsed, from any command of the program. */
export function globalOptions(command: Command): GlobalOptions {
  let root = command;
  while (root.parent !== null) root = root.parent;
  const o = root.opts<{ talosconfig: string; endpoints?: string[]; nodes?: string[]; context?: string }>();
  return {
    talosconfig: o.talosconfig,
    endpoints: o.endpoints ?? [],
    nodes: o.nodes ?? [],
    ...(o.context === undefined ? {} : { context: o.context }),
  };
}
