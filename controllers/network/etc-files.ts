// EtcFileController: renders /etc/resolv.conf and /etc/hosts under the node root from ResolverStatus, HostnameStatus,
// NodeAddress and the machine config's extra host entries, and produces EtcFileStatus for each file written.
import { mkdir, readFile, rename, rm, watch, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  EtcFileStatusType,
  HOSTNAME_ID,
  HostnameStatusType,
  MachineConfigType,
  NETWORK_NAMESPACE,
  NodeAddressType,
  RESOLVERS_ID,
  ResolverStatusType,
  type EtcFileStatusSpec,
  type HostnameStatusSpec,
  type ResolverStatusSpec,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';

/** One extra /etc/hosts line. */
export interface HostEntry {
  readonly ip: string;
  readonly aliases: readonly string[];
}

/** The text of resolv.conf: one `nameserver` line per server, then a `search` line when there are domains. */
export function renderResolvConf(r: ResolverStatusSpec): string {
  const lines = r.dnsServers.map((s) => `nameserver ${s}`);
  if (r.searchDomains.length > 0) lines.push(`search ${r.searchDomains.join(' ')}`);
  return lines.map((l) => `${l}\n`).join('');
}

/**
 * The text of /etc/hosts: localhost, the node's own name on its default address (127.0.1.1 when it has none, as
 * Debian does), the IPv6 loopback names, then the extra entries in config order.
 */
export function renderHosts(
  host: HostnameStatusSpec,
  address: string | undefined,
  extra: readonly HostEntry[],
): string {
  const lines = ['127.0.0.1\tlocalhost'];
  if (host.hostname !== '') {
    const names = host.domainname === '' ? [host.hostname] : [`${host.hostname}.${host.domainname}`, host.hostname];
    lines.push(`${address ?? '127.0.1.1'}\t${names.join(' ')}`);
  }
  lines.push('::1\tlocalhost ip6-localhost ip6-loopback');
  for (const e of extra) if (e.aliases.length > 0) lines.push(`${e.ip}\t${e.aliases.join(' ')}`);
  return lines.map((l) => `${l}\n`).join('');
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Writes `contents` to `path` through a temporary file and rename, so readers see the old or the new file, never half. */
async function writeAtomically(path: string, contents: string, signal: AbortSignal): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, contents, { mode: 0o644, signal });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Keeps `<rootDir>/etc/resolv.conf` (once ResolverStatus exists) and `<rootDir>/etc/hosts` (once HostnameStatus exists)
 * equal to what their inputs render, writing only when the file on disk differs, and `network/EtcFileStatus/<name>`
 * saying what it wrote. A file edited or removed by hand is put back: the etc directory is watched with inotify.
 */
export class EtcFileController implements Controller {
  readonly name = 'network.EtcFileController';
  readonly inputs = [
    { namespace: NETWORK_NAMESPACE, type: ResolverStatusType.type, id: RESOLVERS_ID, kind: 'weak' as const },
    { namespace: NETWORK_NAMESPACE, type: HostnameStatusType.type, id: HOSTNAME_ID, kind: 'weak' as const },
    { namespace: NETWORK_NAMESPACE, type: NodeAddressType.type, id: 'default', kind: 'weak' as const },
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: EtcFileStatusType.type, kind: 'exclusive' as const }];
  private readonly etcDir: string;

  constructor(rootDir: string) {
    this.etcDir = join(rootDir, 'etc');
  }

  async reconcile(ctx: ControllerContext): Promise<void> {
    const files = new Map<string, string>();
    const resolver = await ctx.get(ResolverStatusType, NETWORK_NAMESPACE, RESOLVERS_ID);
    if (resolver !== undefined) files.set('resolv.conf', renderResolvConf(resolver.spec));
    const host = await ctx.get(HostnameStatusType, NETWORK_NAMESPACE, HOSTNAME_ID);
    if (host !== undefined) {
      const dflt = await ctx.get(NodeAddressType, NETWORK_NAMESPACE, 'default');
      const address = dflt?.spec.addresses[0]?.split('/')[0];
      const config = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
      const extra = config?.spec.machine.network?.extraHostEntries ?? [];
      files.set('hosts', renderHosts(host.spec, address, extra));
    }

    await mkdir(this.etcDir, { recursive: true });
    const desired = new Map<string, EtcFileStatusSpec>();
    for (const [name, contents] of files) {
      const path = join(this.etcDir, name);
      if ((await readOrUndefined(path)) !== contents) await writeAtomically(path, contents, ctx.signal);
      desired.set(name, { path, contents });
    }
    for (const [id, spec] of desired) await ctx.modify(EtcFileStatusType, NETWORK_NAMESPACE, id, () => spec);
    await ctx.cleanupOutputs(EtcFileStatusType, NETWORK_NAMESPACE, new Set(desired.keys()));
  }

  async watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    await mkdir(this.etcDir, { recursive: true });
    try {
      const events = watch(this.etcDir, { signal });
      // Changes before the watch started are caught by this pass.
      changed();
      for await (const e of events) {
        // Own writes wake a pass too; it finds the file equal and writes nothing, so this settles.
        if (e.filename === null || e.filename === 'resolv.conf' || e.filename === 'hosts') changed();
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  }
}
