// Injected logging for the controller runtime: one call per line, silent by default, or plain stderr lines.
import type { Clock } from './clock.js';
import { realClock } from './clock.js';

/** Severity of a runtime log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the runtime reports crashes, restarts and watch recoveries; `controller` is a runtime name or `runtime`. */
export interface Logger {
  log(level: LogLevel, controller: string, msg: string): void;
}

/** Drops every line (the default: a daemon chooses its own logger). */
export const silentLogger: Logger = { log: () => undefined };

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Writes `time level controller msg` lines to stderr for levels at or above `minLevel`. */
export function stderrLogger(minLevel: LogLevel = 'info', clock: Clock = realClock): Logger {
  return {
    log: (level, controller, msg) => {
      if (RANK[level] < RANK[minLevel]) return;
      process.stderr.write(`${new Date(clock.now()).toISOString()} ${level} ${controller} ${msg}\n`);
    },
  };
}

/** The message of a thrown value, for logs and stats. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
