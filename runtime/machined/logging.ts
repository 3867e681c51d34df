// machined's logs: JSON lines under the state directory (for osctl logs later) and readable lines on stderr.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { LogLevel, Logger } from '../controller/index.js';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger that can be closed (flushes its file). */
export interface NodeLogger extends Logger {
  close(): Promise<void>;
}

/**
 * Writes every line as JSON (`{"time","level","component","msg"}`) to `<stateDir>/logs/machined.log`, and lines at or
 * above `consoleLevel` as `time level component msg` to stderr.
 */
export function nodeLogger(stateDir: string, consoleLevel: LogLevel = 'info'): NodeLogger {
  const dir = join(stateDir, 'logs');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file: WriteStream = createWriteStream(join(dir, 'machined.log'), { flags: 'a', mode: 0o600 });
  return {
    log: (level, component, msg) => {
      const time = new Date().toISOString();
      file.write(`${JSON.stringify({ time, level, component, msg })}\n`);
      if (RANK[level] >= RANK[consoleLevel]) process.stderr.write(`${time} ${level} ${component} ${msg}\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        file.end(resolve);
      }),
  };
}
