// The reference store for the watch benchmarks: a local etcd (Debian etcd-server) on loopback with --unsafe-no-fsync.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';

/** A port nobody listens on right now (the kernel's pick, released before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

/** A running etcd and a way to stop it (the data directory is removed). */
export interface LocalEtcd {
  readonly endpoint: string;
  client(): Etcd3;
  stop(): Promise<void>;
}

/** Starts etcd on 127.0.0.1 without fsync (so that neither store pays for the disk) and waits until it answers. */
export async function startEtcd(): Promise<LocalEtcd> {
  const dir = await mkdtemp(join(tmpdir(), 'osnode-bench-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  const child: ChildProcess = spawn(
    'etcd',
    [
      '--name=bench',
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=bench=http://127.0.0.1:${peer}`,
      '--unsafe-no-fsync',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) =>
    child.on('exit', () => {
      resolve();
    }),
  );
  const clients: Etcd3[] = [];
  const probe = new Etcd3({ hosts: endpoint });
  clients.push(probe);
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await probe.put('/bench/ready').value('1');
      break;
    } catch (e) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`etcd did not start: ${(e as Error).message}\n${stderr}`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    endpoint,
    client: () => {
      const c = new Etcd3({ hosts: endpoint });
      clients.push(c);
      return c;
    },
    stop: async () => {
      for (const c of clients) c.close();
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
