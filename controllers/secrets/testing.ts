// Test helpers of the secrets controllers: a clock moved by hand, CAs made by the openssl binary, certificate checks
// by openssl (a tool we did not write), and the config and node-name resources the controllers read.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  HOSTNAME_ID,
  HostnameStatusType,
  MachineConfigType,
  NETWORK_NAMESPACE,
  NodeAddressType,
  putResource,
  type State,
} from '../../resources/index.js';
import { fullConfig, workerConfig } from '../../resources/config/v1alpha1/fixture.js';
import type { Clock } from '../../runtime/index.js';
import { SAN_ADDRESSES_ID } from './issuing.js';

/** A clock that stands still until `advance` moves it; sleeps end when it passes their deadline (or on abort). */
export class ManualClock implements Clock {
  private readonly sleepers = new Set<{ at: number; wake: () => void }>();
  /** Every sleep asked for, in ms. */
  readonly requested: number[] = [];

  constructor(private t: number = Date.now()) {}

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.requested.push(ms);
    return new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const s = {
        at: this.t + ms,
        wake: () => {
          this.sleepers.delete(s);
          signal.removeEventListener('abort', s.wake);
          resolve();
        },
      };
      this.sleepers.add(s);
      signal.addEventListener('abort', s.wake, { once: true });
      if (ms <= 0) s.wake();
    });
  }

  /** Moves time on by `ms`, waking every sleep whose deadline passed. */
  advance(ms: number): void {
    this.t += ms;
    for (const s of [...this.sleepers]) if (s.at <= this.t) s.wake();
  }

  /** Sleeps pending (what a test waits for before it moves the clock). */
  get pending(): number {
    return this.sleepers.size;
  }
}

/** Runs openssl with `args`; resolves with its stdout, rejects with its stderr. */
export function openssl(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('openssl', [...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err === null) resolve(stdout);
      else reject(new Error(`openssl ${args[0] ?? ''} failed: ${stderr || err.message}`));
    });
  });
}

/** A scratch directory for PEM files, removed by `done`. */
export async function pemDir(): Promise<{
  write: (name: string, pem: string) => Promise<string>;
  done: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'osnode-pki-'));
  return {
    write: async (name, pem) => {
      const path = join(dir, name);
      await writeFile(path, pem, { mode: 0o600 });
      return path;
    },
    done: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A self-signed CA made by `openssl req -x509` with an RSA 2048, ECDSA P-256 or Ed25519 key, valid `days`. */
export async function opensslCa(
  kind: 'rsa' | 'ec' | 'ed25519',
  cn: string,
  days = 30,
): Promise<{ crt: string; key: string }> {
  const d = await pemDir();
  try {
    const newkey =
      kind === 'rsa'
        ? ['-newkey', 'rsa:2048']
        : kind === 'ec'
          ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
          : ['-newkey', 'ed25519'];
    const crt = await d.write('ca.crt', '');
    const key = await d.write('ca.key', '');
    await openssl([
      'req',
      '-x509',
      ...newkey,
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-days',
      String(days),
      '-subj',
      `/O=osnode tests/CN=${cn}`,
    ]);
    return { crt: await readFile(crt, 'utf8'), key: await readFile(key, 'utf8') };
  } finally {
    await d.done();
  }
}

/**
 * What openssl says of `crt` against `ca`: `verify` (its one-line verdict, at `attime` if given, ignoring validity
 * dates for 'any') and `text` (`x509 -text -noout`).
 */
export async function inspect(
  ca: string,
  crt: string,
  attime?: number | 'any',
): Promise<{ verify: string; text: string }> {
  const d = await pemDir();
  try {
    const caFile = await d.write('ca.crt', ca);
    const crtFile = await d.write('leaf.crt', crt);
    const at =
      attime === undefined
        ? []
        : attime === 'any'
          ? ['-no_check_time']
          : ['-attime', String(Math.floor(attime / 1000))];
    const verify = (await openssl(['verify', ...at, '-CAfile', caFile, crtFile])).trim();
    const text = await openssl(['x509', '-in', crtFile, '-text', '-noout']);
    return { verify, text };
  } finally {
    await d.done();
  }
}

/** Writes the active MachineConfig: the full control-plane fixture, or its worker counterpart, with `edit` applied. */
export async function putConfig(
  state: State,
  role: 'controlplane' | 'worker' = 'controlplane',
  edit: (doc: ReturnType<typeof fullConfig>) => void = () => undefined,
): Promise<void> {
  const doc = role === 'controlplane' ? fullConfig() : workerConfig();
  edit(doc);
  await putResource(state, { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID }, doc);
}

/** Writes the node's names as the network controllers would: HostnameStatus and NodeAddress `accumulative`. */
export async function putNames(state: State, hostname: string, addresses: readonly string[]): Promise<void> {
  await putResource(
    state,
    { namespace: NETWORK_NAMESPACE, type: HostnameStatusType.type, id: HOSTNAME_ID },
    {
      hostname,
      domainname: '',
    },
  );
  await putResource(
    state,
    { namespace: NETWORK_NAMESPACE, type: NodeAddressType.type, id: SAN_ADDRESSES_ID },
    {
      addresses: [...addresses],
    },
  );
}

/** base64 of PEM text, as a config holds certificates and keys. */
export const b64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');
