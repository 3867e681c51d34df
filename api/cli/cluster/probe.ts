// Whether a node's API port accepts TCP connections, asked with a socket osctl owns and always closes. An API call's
// own connection attempt to a node that does not answer (partitioned, or its address not up yet) outlives the closed
// client until the kernel gives up on it (minutes), keeping osctl from exiting; a probe first avoids starting one.
import { connect } from 'node:net';

/** Why `host`:`port` cannot be reached within `timeoutMs` (`connection refused`, `no route to host`...), or undefined. */
export function probePort(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (why: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => {
      done(`no answer within ${timeoutMs / 1000}s`);
    }, timeoutMs);
    socket.once('connect', () => {
      done(undefined);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const words: Record<string, string> = {
        ECONNREFUSED: 'connection refused',
        EHOSTUNREACH: 'no route to host',
        ENETUNREACH: 'network unreachable',
      };
      done(words[e.code ?? ''] ?? e.message);
    });
  });
}
