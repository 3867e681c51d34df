// What the end-to-end tests share: running a command to completion, requiring success, and waiting for a state.
import { expect } from 'chai';
import { execFile } from 'node:child_process';

/** How a command ended. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (killed after `timeout` ms); rejects only when it did not exit normally. */
export function exec(cmd: string, args: readonly string[], timeout = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout }, (err, stdout, stderr) => {
      if (err === null) resolve({ code: 0, stdout, stderr });
      else if (typeof err.code === 'number') resolve({ code: err.code, stdout, stderr });
      else
        reject(new Error(`${cmd} ${args.join(' ')} did not exit normally: ${err.message}\n${stderr}`, { cause: err }));
    });
  });
}

/** Runs a command and fails with its stderr unless it exits 0; resolves with its stdout. */
export async function must(cmd: string, args: readonly string[]): Promise<string> {
  const r = await exec(cmd, args);
  expect(r.code, `${cmd} ${args.join(' ')}: ${r.stderr}`).to.equal(0);
  return r.stdout;
}

/** Resolves once `check` holds, trying every 50 ms; rejects naming `what` after `ms`. */
export async function until(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
