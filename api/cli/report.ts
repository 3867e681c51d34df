// How osctl turns an error into what a person reads and an exit status: one `osctl: ...` line (plus issue lines), no stack.
import { CommanderError } from 'commander';
import { ConfigValidationError, StoreError } from '../../resources/index.js';
import { ApiError } from '../codec/index.js';
import { InvalidEndpointError, NodeCallError, TalosconfigError } from '../client/index.js';
import { InvalidGeneratedConfigError, InvalidSecretsError, isConfigGenError } from '../config-gen/index.js';

/** Exit status of a command that failed (bad input, a file, an invalid config). */
export const EXIT_FAILURE = 1;

/** Exit status of a usage error: unknown command or option, missing argument, a value not among the choices. */
export const EXIT_USAGE = 2;

/** Exit status after SIGINT/SIGTERM aborted the command (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** A failure a command has already put into words: the lines to print and the exit status. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
  readonly code = 'CommandFailure' as const;
  constructor(
    readonly lines: readonly string[],
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(lines.join('\n'));
  }
}

/** Where a report goes: lines for stderr, and the exit status. */
export interface Report {
  readonly lines: readonly string[];
  readonly exitCode: number;
}

/** The report for `e`; commander's own errors were printed by commander and only map to an exit status. */
export function reportError(e: unknown, env: NodeJS.ProcessEnv = process.env): Report {
  if (e instanceof CommanderError) return { lines: [], exitCode: commanderExit(e) };
  if (e instanceof CommandFailure) return { lines: e.lines, exitCode: e.exitCode };
  if (e instanceof Error && e.name === 'AbortError')
    return { lines: ['osctl: interrupted'], exitCode: EXIT_INTERRUPTED };
  if (e instanceof InvalidGeneratedConfigError) {
    return { lines: issueLines(`${e.file} would not be valid after the patches`, e.issues), exitCode: EXIT_FAILURE };
  }
  if (e instanceof InvalidSecretsError) {
    const issues = e.issues.map((i) => ({ path: i.field, message: i.message }));
    return { lines: issueLines(`${e.source} is not a usable secrets bundle`, issues), exitCode: EXIT_FAILURE };
  }
  if (e instanceof ConfigValidationError) {
    return { lines: issueLines('the config is not valid', e.issues), exitCode: EXIT_FAILURE };
  }
  const known = expectedMessage(e);
  if (known !== undefined) return { lines: [`osctl: ${known}`], exitCode: EXIT_FAILURE };
  const message = e instanceof Error ? e.message : String(e);
  const lines = [`osctl: internal error: ${message} (a bug; set OSCTL_DEBUG=1 to print the stack trace)`];
  if (env['OSCTL_DEBUG'] === '1' && e instanceof Error && e.stack !== undefined) lines.push(e.stack);
  return { lines, exitCode: EXIT_FAILURE };
}

/**
 * The one-line message of an expected error (bad input, a node that failed or refused, a missing file), or undefined
 * for a bug. Node calls were put into sentences by the client; here they only lose any trailing period.
 */
export function expectedMessage(e: unknown): string | undefined {
  if (isConfigGenError(e) || e instanceof TalosconfigError || e instanceof InvalidEndpointError) return e.message;
  if (e instanceof NodeCallError || e instanceof StoreError || e instanceof ApiError)
    return e.message.replace(/\.$/, '');
  return undefined;
}

/** `osctl: what:` and one indented `path: message` line per issue; a single issue fits on one line. */
export function issueLines(what: string, issues: readonly { path: string; message: string }[]): string[] {
  const shown = issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`));
  if (shown.length === 1) return [`osctl: ${what}: ${shown[0] ?? ''}`];
  return [`osctl: ${what} (${shown.length} problems):`, ...shown.map((s) => `  ${s}`)];
}

function commanderExit(e: CommanderError): number {
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
  return EXIT_USAGE;
}

/** Commander's error text as one `osctl: ...` line: its `error: ` prefix replaced, a suggestion joined on. */
export function formatCommanderError(text: string): string {
  const oneLine = text
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
  return `osctl: ${oneLine.replace(/^error: /, '')}\n`;
}
