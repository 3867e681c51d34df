// What the issuing controllers share: PEM from the config, the node's names from live resources, lifetimes, renewal at
// 2/3 of the lifetime, and the reconcile step that keeps one bundle of certificates issued and current.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import {
  HOSTNAME_ID,
  HostnameStatusType,
  NETWORK_NAMESPACE,
  NodeAddressType,
  SECRETS_NAMESPACE,
  deepEqual,
  type ResourceType,
} from '../../resources/index.js';
import type { Clock, ControllerContext, Logger } from '../../runtime/index.js';
import type { RenewalTimer } from './renewal.js';

/** Leaf certificates live a year by default, like kubeadm's; they are re-issued 2/3 into it. */
export const LEAF_TTL_MS = 365 * 86_400_000;

/** Backdating tolerates peers whose clocks are a little behind this node's. */
export const BACKDATE_MS = 5 * 60_000;

/** The NodeAddress id whose addresses go into certificates: every address the node has had, so old ones keep working. */
export const SAN_ADDRESSES_ID = 'accumulative';

/** Options every issuing controller takes: the clock (injected in tests), a logger, and the leaf lifetime. */
export interface IssuingOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly ttlMs?: number;
}

/** The inputs of an issuing controller besides its root secret: the node's addresses and its hostname. */
export const NAME_INPUTS = [
  { namespace: NETWORK_NAMESPACE, type: NodeAddressType.type, id: SAN_ADDRESSES_ID, kind: 'weak' as const },
  { namespace: NETWORK_NAMESPACE, type: HostnameStatusType.type, id: HOSTNAME_ID, kind: 'weak' as const },
];

/** Plain PEM from a config value (base64 of PEM); '' for none. Talos's "ED25519 PRIVATE KEY" label becomes PKCS#8's. */
export function pemFromConfig(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  return Buffer.from(value, 'base64')
    .toString('utf8')
    .replace(/(-----(?:BEGIN|END) )ED25519 (PRIVATE KEY-----)/g, '$1$2');
}

/** Subject alternative names split by kind. */
export interface Sans {
  readonly dnsNames: string[];
  readonly ips: string[];
}

/** Splits names and addresses (an address may carry a /prefix) into DNS names and IPs, without repeats, in order. */
export function splitSans(values: Iterable<string>): Sans {
  const dnsNames = new Set<string>();
  const ips = new Set<string>();
  for (const v of values) {
    const bare = v.replace(/\/\d+$/, '');
    if (bare === '') continue;
    if (isIP(bare) === 0) dnsNames.add(v.toLowerCase());
    else ips.add(bare);
  }
  return { dnsNames: [...dnsNames], ips: [...ips] };
}

/** The node's names from live resources: hostname (and FQDN) from HostnameStatus, addresses from NodeAddress. */
export async function nodeNames(ctx: ControllerContext): Promise<{ hostnames: string[]; addresses: string[] }> {
  const host = await ctx.get(HostnameStatusType, NETWORK_NAMESPACE, HOSTNAME_ID);
  const addrs = await ctx.get(NodeAddressType, NETWORK_NAMESPACE, SAN_ADDRESSES_ID);
  const hostnames: string[] = [];
  if (host !== undefined && host.spec.hostname !== '') {
    hostnames.push(host.spec.hostname);
    if (host.spec.domainname !== '') hostnames.push(`${host.spec.hostname}.${host.spec.domainname}`);
  }
  return { hostnames, addresses: addrs?.spec.addresses ?? [] };
}

/** ISO 8601 to the second (certificates hold whole seconds), e.g. 2027-07-27T20:30:44Z. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** When the first of `crts` (PEM) reaches 2/3 of its lifetime, as ISO 8601 (rounded down to the second). */
export function renewAt(crts: readonly string[]): string {
  let at = Infinity;
  for (const crt of crts) {
    const c = new X509Certificate(crt);
    const from = Date.parse(c.validFrom);
    at = Math.min(at, from + ((Date.parse(c.validTo) - from) * 2) / 3);
  }
  return isoSeconds(at);
}

/** Validity of certificates issued at `now`: backdated a little, `ttlMs` long. */
export function validity(now: number, ttlMs: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + ttlMs) };
}

/** Logs `msg` at info once per distinct message (a pass repeats itself; the log should not). */
export class NoteOnce {
  private last: string | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly controller: string,
  ) {}

  /** Logs `msg` unless it was the last message; undefined forgets the last one. */
  note(msg: string | undefined): void {
    if (msg !== undefined && msg !== this.last) this.logger.log('info', this.controller, msg);
    this.last = msg;
  }
}

/** A bundle of issued certificates as its resource holds it: what it was issued for and when it is due. */
export interface IssuedBundle {
  readonly dnsNames: string[];
  readonly ips: string[];
  readonly renewAt: string;
}

/** What {@link keepIssued} needs to keep one bundle current. */
export interface KeepIssued<S extends IssuedBundle> {
  readonly type: ResourceType<S>;
  readonly id: string;
  /** The SANs the bundle must carry now. */
  readonly sans: Sans;
  /** True when the stored bundle was issued from the current roots (its CAs and identity still match). */
  readonly sameRoots: (current: S) => boolean;
  /** Issues a fresh bundle valid from `now` (here, or by asking another node). */
  readonly issue: (now: number) => S | Promise<S>;
  readonly clock: Clock;
  readonly renewal: RenewalTimer;
  readonly note: NoteOnce;
  /** What the bundle is, for log lines, e.g. "the API certificate". */
  readonly what: string;
}

/**
 * Keeps `secrets/<type>/<id>` issued: re-issues it when absent, issued from other roots, carrying other SANs, or past
 * its renewal time; then arms the renewal timer. Log lines name SANs and dates, never key material.
 */
export async function keepIssued<S extends IssuedBundle>(ctx: ControllerContext, o: KeepIssued<S>): Promise<void> {
  const now = o.clock.now();
  const cur = await ctx.get(o.type, SECRETS_NAMESPACE, o.id);
  const why =
    cur === undefined
      ? 'first issue'
      : !o.sameRoots(cur.spec)
        ? 'its CA changed'
        : !deepEqual([cur.spec.dnsNames, cur.spec.ips], [o.sans.dnsNames, o.sans.ips])
          ? 'its names changed'
          : now >= Date.parse(cur.spec.renewAt)
            ? 'it passed 2/3 of its lifetime'
            : undefined;
  if (why === undefined && cur !== undefined) {
    o.renewal.set(Date.parse(cur.spec.renewAt));
    return;
  }
  const spec = await o.issue(now);
  await ctx.modify(o.type, SECRETS_NAMESPACE, o.id, () => spec);
  o.renewal.set(Date.parse(spec.renewAt));
  const names = [...spec.dnsNames, ...spec.ips].join(', ');
  o.note.note(`issued ${o.what} (${why ?? 'first issue'}) for ${names}; renewal at ${spec.renewAt}`);
}

/** Removes the bundle (the roots are gone or cannot sign) and cancels the renewal; `reason` is logged once. */
export async function dropIssued<S>(
  ctx: ControllerContext,
  o: { type: ResourceType<S>; id: string; renewal: RenewalTimer; note: NoteOnce; reason: string | undefined },
): Promise<void> {
  o.renewal.set(undefined);
  await ctx.teardownAndDestroy(o.type, SECRETS_NAMESPACE, o.id);
  o.note.note(o.reason);
}
