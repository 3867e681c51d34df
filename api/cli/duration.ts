// Durations as people type them on the command line: 1m, 30s, 1m30s, 500ms, 720h.
import { InvalidArgumentError, Option } from 'commander';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of `text` (Go-style: a sequence of number+unit); a bad value names the flag and an example. */
export function parseDuration(text: string, flag: string): number {
  const t = text.trim();
  let total = 0;
  let rest = t;
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (m?.[1] === undefined || m[2] === undefined) {
      throw new InvalidArgumentError(`${flag} ${JSON.stringify(text)} is not a duration such as 1m, 30s or 1m30s`);
    }
    total += Number(m[1]) * (UNITS[m[2]] ?? 0);
    rest = rest.slice(m[0].length);
  }
  if (t === '' || total <= 0) throw new InvalidArgumentError(`${flag} must be a positive duration such as 1m or 30s`);
  return Math.round(total);
}

/** A duration option, parsed when read (so that commander reports a bad value), with its default as people write it. */
export function durationOption(flags: string, description: string, fallback: string): Option {
  const name = flags.split(' ')[0] ?? flags;
  return new Option(flags, description)
    .argParser((v: string) => parseDuration(v, name))
    .default(parseDuration(fallback, name), fallback);
}
