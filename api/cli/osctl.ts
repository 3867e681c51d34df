#!/usr/bin/env node
// The osctl executable: runs the program on the process's arguments; SIGINT/SIGTERM abort the command cleanly.
import { processIo } from './global.js';
import { runOsctl } from './program.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    controller.abort();
  });
}
// A reader that went away (`osctl get rd | head -3`) ends the command quietly, as it does any Unix tool.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
});
const code = await runOsctl(process.argv.slice(2), {
  io: processIo,
  signal: controller.signal,
  env: process.env,
});
// osctl ends when its command does, as any CLI: a connection attempt to a node that stopped answering (the kernel
// retries its SYN for two minutes) must not hold the process once the command has failed or finished. What was
// written goes out first.
await Promise.all(
  [process.stdout, process.stderr].map(
    (s) =>
      new Promise<void>((done) =>
        s.write('', () => {
          done();
        }),
      ),
  ),
);
process.exit(code);
