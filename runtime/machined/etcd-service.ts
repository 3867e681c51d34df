// etcd as a system container on a control-plane node: its flags from EtcdSpec and how it joins the cluster, its
// certificates from EtcdSecrets written as files it reads (etcd reloads them on each new connection), its data under
// the node's state directory, and health = a linearizable read over TLS with the etcdctl client certificate.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ETCD_CLIENT_PORT, ETCD_PEER_PORT, type EtcdSecretsSpec, type EtcdSpecSpec } from '../../resources/index.js';
import { ContainerdRunner, prepareRootfs } from '../containerd/index.js';
import { EtcdClient } from '../etcd/index.js';
import type { ServiceCondition, ServiceDefinition } from '../services/index.js';
import { LOCAL_CLIENT_URL, etcdUrl as url, hasEtcdData, soloPlan, type StartPlan } from './etcd-join.js';
import type { ContainerHome } from './extension-service.js';

/** The etcd binary from the Debian package etcd-server. */
export const ETCD_BINARY = '/usr/bin/etcd';

/** Where etcd's certificates are inside its container. */
const PKI = '/etc/etcd/pki';
/** Where etcd's data is inside its container. */
const DATA = '/var/lib/etcd';

/** etcd's directories on the host. */
export interface EtcdDirs {
  /** The data directory (member ID, WAL, snapshots): kept across restarts. */
  readonly data: string;
  /** The certificates etcd reads. */
  readonly pki: string;
}

/** etcd's directories under a node's state directory. */
export function etcdDirs(stateDir: string): EtcdDirs {
  return { data: join(stateDir, 'etcd', 'data'), pki: join(stateDir, 'etcd', 'pki') };
}

/**
 * etcd's command line for `spec`: client and peer TLS required; the initial cluster of `plan` (by default this member
 * alone, bootstrapping a new cluster; etcd ignores it when its data directory holds a member already).
 */
export function etcdArgs(spec: EtcdSpecSpec, plan: StartPlan = soloPlan(spec)): string[] {
  const [advertised = '127.0.0.1'] = spec.advertisedAddresses;
  const flags: Record<string, string> = {
    name: spec.name,
    'data-dir': DATA,
    'listen-client-urls': spec.listenAddresses.map((ip) => url(ip, ETCD_CLIENT_PORT)).join(','),
    'advertise-client-urls': url(advertised, ETCD_CLIENT_PORT),
    'listen-peer-urls': spec.listenAddresses.map((ip) => url(ip, ETCD_PEER_PORT)).join(','),
    'initial-advertise-peer-urls': url(advertised, ETCD_PEER_PORT),
    'initial-cluster': plan.initialCluster,
    'initial-cluster-state': plan.state,
    'client-cert-auth': 'true',
    'trusted-ca-file': `${PKI}/ca.crt`,
    'cert-file': `${PKI}/server.crt`,
    'key-file': `${PKI}/server.key`,
    'peer-client-cert-auth': 'true',
    'peer-trusted-ca-file': `${PKI}/ca.crt`,
    'peer-cert-file': `${PKI}/peer.crt`,
    'peer-key-file': `${PKI}/peer.key`,
    ...spec.extraArgs,
  };
  return [ETCD_BINARY, ...Object.entries(flags).map(([k, v]) => `--${k}=${v}`)];
}

/** Writes etcd's certificates into `dir` (keys 0600), each file replaced whole so etcd never reads half of one. */
export async function writeEtcdPki(dir: string, secrets: EtcdSecretsSpec): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files: Record<string, string> = {
    'ca.crt': secrets.ca,
    'server.crt': secrets.server.crt,
    'server.key': secrets.server.key,
    'peer.crt': secrets.peer.crt,
    'peer.key': secrets.peer.key,
  };
  // Unique temporary names: a start (prepare) and a re-issue may write at the same time.
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  for (const [name, text] of Object.entries(files)) {
    const tmp = join(dir, `.${name}.${suffix}`);
    await writeFile(tmp, text, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, join(dir, name));
  }
}

/**
 * A client of the etcd cluster at `endpoints` (by default the local member) with the etcdctl certificate of `secrets`:
 * every control plane's is accepted by the others, as they share the etcd CA.
 */
export function etcdClient(secrets: EtcdSecretsSpec, endpoints: readonly string[] = [LOCAL_CLIENT_URL]): EtcdClient {
  return new EtcdClient({ endpoints, ca: secrets.ca, cert: secrets.admin.crt, key: secrets.admin.key });
}

/** A client of the local etcd member with the etcdctl certificate of `secrets`. */
export function localEtcdClient(secrets: EtcdSecretsSpec): EtcdClient {
  return etcdClient(secrets);
}

/**
 * The supervisor's definition of etcd for `spec`, reading its current certificates through `secrets` (they may be
 * re-issued while it runs: prepare writes the newest before each start). A node that does not bootstrap the cluster
 * waits before each start for `plan` (see planStart): on its first start, until the cluster has added it.
 */
export function etcdService(
  spec: EtcdSpecSpec,
  secrets: () => EtcdSecretsSpec,
  home: ContainerHome,
  dirs: EtcdDirs,
  plan: (signal: AbortSignal) => Promise<StartPlan>,
): ServiceDefinition {
  const rootfs = join(home.rootfsDir, 'etcd');
  // Decided by the condition just before each start; the runner reads it when it builds the container.
  let next = soloPlan(spec);
  const added: ServiceCondition = {
    name: `etcd at ${spec.joinEndpoints.join(', ')} to add this member`,
    wait: async (signal) => {
      next = await plan(signal);
    },
  };
  return {
    id: 'etcd',
    description: `etcd member ${spec.name} advertising ${spec.advertisedAddresses.join(', ')}`,
    dependsOn: ['containerd'],
    // Read by the supervisor at each start: only a start without data waits to be added (a restart never does).
    get conditions(): readonly ServiceCondition[] {
      return spec.bootstrap || hasEtcdData(dirs.data) ? [] : [added];
    },
    prepare: async (signal) => {
      next = soloPlan(spec);
      await writeEtcdPki(dirs.pki, secrets());
      await mkdir(dirs.data, { recursive: true, mode: 0o700 });
      await prepareRootfs({ dir: rootfs, files: [ETCD_BINARY], signal });
    },
    runner: new ContainerdRunner({
      socket: home.socket,
      namespace: 'system',
      id: 'etcd',
      rootfs,
      args: () => etcdArgs(spec, next),
      env: ['ETCD_UNSUPPORTED_ARCH=', 'PATH=/usr/bin:/bin'],
      mounts: [
        { source: dirs.data, destination: DATA },
        { source: dirs.pki, destination: PKI, readonly: true },
      ],
      nodeName: home.nodeName,
      runcRoot: home.runcRoot,
      fifoDir: home.fifoDir,
    }),
    restart: 'Forever',
    // etcd answers within about a second of starting; a linearizable read needs a leader, so it is the real check.
    health: {
      check: async (signal) => {
        const client = localEtcdClient(secrets());
        try {
          await client.health({ signal, timeoutMs: 2000 });
        } catch (e) {
          // etcd 3.4 serves no linearizable reads on a learner: it is healthy once promoted.
          if (e instanceof Error && /not supported for learner/.test(e.message)) {
            throw new Error('a learner: catching up with the leader before it is promoted to a voting member', {
              cause: e,
            });
          }
          throw e;
        } finally {
          client.close();
        }
      },
      initialDelayMs: 500,
      periodMs: 5000,
      timeoutMs: 2500,
    },
  };
}
