// Test fixture: a certificate authority made with openssl, and real etcd 3.4 members that require mutual TLS.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EtcdClient } from './client.js';

const execFileAsync = promisify(execFile);

export const ETCD = '/usr/bin/etcd';
export const ETCDCTL = '/usr/bin/etcdctl';

/** Why etcd tests cannot run here, or undefined when they can. */
export function etcdSkipReason(): string | undefined {
  for (const bin of [ETCD, ETCDCTL, '/usr/bin/openssl']) {
    if (!existsSync(bin)) return `needs ${bin} (Debian packages etcd-server, etcd-client, openssl)`;
  }
  return undefined;
}

/** One certificate and its key: PEM text and the files holding it. */
export interface CertFiles {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A CA and the certificates it issued: etcd's serving and peer certificates (127.0.0.1, localhost), and a client's. */
export interface TestPki {
  readonly ca: CertFiles;
  readonly server: CertFiles;
  readonly peer: CertFiles;
  readonly client: CertFiles;
  /** A serving certificate for another host only (DNS:elsewhere.example): a server that must not be trusted here. */
  readonly elsewhere: CertFiles;
}

// Extensions as etcd expects them: members dial each other (and the client gateway dials the member) with their
// serving certificates, so those carry clientAuth as well as serverAuth.
const OPENSSL_CNF = `[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[member]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[elsewhere]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:elsewhere.example
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
`;

/** Issues a CA (named `name`) and its certificates with openssl (ECDSA P-256, valid 2 days) into `dir`. */
export async function createPki(dir: string, name: string): Promise<TestPki> {
  const cnf = join(dir, `${name}-openssl.cnf`);
  await writeFile(cnf, OPENSSL_CNF);
  const issue = async (file: string, ext: string, cn: string, signer?: CertFiles): Promise<CertFiles> => {
    const certFile = join(dir, `${name}-${file}.crt`);
    const keyFile = join(dir, `${name}-${file}.key`);
    const args = ['req', '-x509', '-config', cnf, '-extensions', ext, '-newkey', 'ec'];
    args.push('-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile);
    args.push('-subj', `/CN=${cn}`, '-days', '2');
    if (signer !== undefined) args.push('-CA', signer.certFile, '-CAkey', signer.keyFile);
    await execFileAsync('/usr/bin/openssl', args);
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile, keyFile };
  };
  const ca = await issue('ca', 'ca', `${name} etcd CA`);
  const [server, peer, client, elsewhere] = await Promise.all([
    issue('server', 'member', 'etcd-server', ca),
    issue('peer', 'member', 'etcd-peer', ca),
    issue('client', 'client', 'osnode-client', ca),
    issue('elsewhere', 'elsewhere', 'elsewhere.example', ca),
  ]);
  return { ca, server, peer, client, elsewhere };
}

/** A free TCP port on 127.0.0.1 (free when asked; etcd binds it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** How to start one member. */
export interface MemberOptions {
  readonly name: string;
  readonly pki: TestPki;
  /** Parent of the member's data directory (tmpfs: etcd 3.4 has no --unsafe-no-fsync). */
  readonly dir: string;
  /** The whole initial cluster (`a=https://…,b=https://…`); just this member by default. */
  readonly initialCluster?: string;
  readonly initialClusterState?: 'new' | 'existing';
  readonly clientPort: number;
  readonly peerPort: number;
}

/** One etcd process; its log is kept in memory for failure messages. */
export class EtcdMember {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private log: string[] = [];

  private constructor(readonly options: MemberOptions) {}

  /** https://127.0.0.1:CLIENT_PORT */
  get clientURL(): string {
    return `https://127.0.0.1:${String(this.options.clientPort)}`;
  }

  /** https://127.0.0.1:PEER_PORT */
  get peerURL(): string {
    return `https://127.0.0.1:${String(this.options.peerPort)}`;
  }

  get dataDir(): string {
    return join(this.options.dir, `${this.options.name}.etcd`);
  }

  /** Starts a member and waits until it serves clients (a joining member: until it has joined). */
  static async start(options: MemberOptions): Promise<EtcdMember> {
    const m = new EtcdMember(options);
    await m.spawn();
    return m;
  }

  /** The last lines etcd wrote, for failure messages. */
  logTail(lines = 30): string {
    return this.log.slice(-lines).join('\n');
  }

  /** (Re)starts the process with the same flags and data directory. */
  async spawn(timeoutMs = 20_000): Promise<void> {
    const o = this.options;
    const { pki } = o;
    const args = [
      ...['--name', o.name, '--data-dir', this.dataDir, '--logger', 'zap', '--log-outputs', 'stderr'],
      ...['--listen-client-urls', this.clientURL, '--advertise-client-urls', this.clientURL],
      ...['--listen-peer-urls', this.peerURL, '--initial-advertise-peer-urls', this.peerURL],
      ...['--initial-cluster', o.initialCluster ?? `${o.name}=${this.peerURL}`],
      ...['--initial-cluster-state', o.initialClusterState ?? 'new', '--initial-cluster-token', 'osnode-test'],
      ...['--client-cert-auth', '--trusted-ca-file', pki.ca.certFile],
      ...['--cert-file', pki.server.certFile, '--key-file', pki.server.keyFile],
      ...['--peer-client-cert-auth', '--peer-trusted-ca-file', pki.ca.certFile],
      ...['--peer-cert-file', pki.peer.certFile, '--peer-key-file', pki.peer.keyFile],
      ...['--heartbeat-interval', '50', '--election-timeout', '500'],
    ];
    const child = spawn(ETCD, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    let partial = '';
    let onLine: ((line: string) => void) | undefined;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        this.log.push(line);
        onLine?.(line);
      }
      if (this.log.length > 500) this.log = this.log.slice(-200);
    });
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        child.off('exit', onExit);
        onLine = undefined;
      };
      const fail = (why: string): void => {
        done();
        reject(new Error(`etcd ${o.name} ${why}:\n${this.logTail()}`));
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null): void => {
        fail(`exited (${String(code ?? sig)})`);
      };
      const timer = setTimeout(() => {
        fail(`did not serve clients within ${String(timeoutMs)} ms`);
      }, timeoutMs);
      child.once('exit', onExit);
      onLine = (line) => {
        if (!line.includes('serving client traffic securely')) return;
        done();
        resolve();
      };
    }).catch(async (e: unknown) => {
      await this.stop();
      throw e;
    });
  }

  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 10_000);
      });
      await Promise.race([this.exited, killed]);
      clearTimeout(timer);
      await this.exited;
    }
    child.stderr?.destroy();
  }
}

/** A temporary directory in tmpfs when there is one (etcd fsyncs every write). */
export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : '/tmp', prefix));
}

/** Removes a directory made by tempDir. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Runs etcdctl against `endpoint` as `pki`'s client; resolves with stdout, rejects with stderr in the message. */
export async function etcdctl(pki: TestPki, endpoint: string, ...args: string[]): Promise<string> {
  const tls = ['--cacert', pki.ca.certFile, '--cert', pki.client.certFile, '--key', pki.client.keyFile];
  try {
    const { stdout } = await execFileAsync(ETCDCTL, [...tls, '--endpoints', endpoint, ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
    });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`etcdctl ${args.join(' ')}: ${err.stderr ?? err.message}`, { cause: e });
  }
}

/** etcdctl without endpoint or TLS flags (e.g. `snapshot status FILE`). */
export async function etcdctlLocal(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(ETCDCTL, args, { env: { ...process.env, ETCDCTL_API: '3' } });
  return stdout;
}

/** One real etcd member with a PKI of its own in a temporary directory, and a client to it that has checked health. */
export class SoloEtcd {
  private constructor(
    readonly dir: string,
    readonly pki: TestPki,
    readonly member: EtcdMember,
    readonly client: EtcdClient,
  ) {}

  /** Starts member `name` (files under a new directory named after `name`). */
  static async start(name: string): Promise<SoloEtcd> {
    const dir = await tempDir(`osnode-${name}-`);
    try {
      const pki = await createPki(dir, name);
      const member = await EtcdMember.start({
        name,
        pki,
        dir,
        clientPort: await freePort(),
        peerPort: await freePort(),
      });
      const client = new EtcdClient({
        endpoints: [member.clientURL],
        ca: pki.ca.cert,
        cert: pki.client.cert,
        key: pki.client.key,
      });
      try {
        await client.health();
      } catch (e) {
        client.close();
        await member.stop();
        throw e;
      }
      return new SoloEtcd(dir, pki, member, client);
    } catch (e) {
      await removeDir(dir);
      throw e;
    }
  }

  /** etcdctl against this member as the PKI's client. */
  etcdctl(...args: string[]): Promise<string> {
    return etcdctl(this.pki, this.member.clientURL, ...args);
  }

  /** Closes the client, stops the member and removes its files. */
  async stop(): Promise<void> {
    this.client.close();
    await this.member.stop();
    await removeDir(this.dir);
  }
}
