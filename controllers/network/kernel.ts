// KernelNetwork: the slice of the rtnetlink adapter the network status controllers use, and a lazily opened Netlink behind it.
import {
  Netlink,
  type NetlinkError,
  type NetlinkAddress,
  type NetlinkAddressSpec,
  type NetlinkCallOptions,
  type NetlinkEvent,
  type NetlinkLink,
  type NetlinkLinkRef,
  type NetlinkRoute,
  type NetlinkRouteSpec,
} from '../../runtime/index.js';
import { perObject } from './memo.js';

/** A link for the node to create. */
export type LinkCreate =
  | { readonly kind: 'bridge' | 'dummy'; readonly name: string }
  | { readonly kind: 'veth'; readonly name: string; readonly peer: string }
  | { readonly kind: 'vlan'; readonly name: string; readonly parent: string; readonly vlanId: number }
  | { readonly kind: 'bond'; readonly name: string; readonly mode: string };

/**
 * The kernel's network as the network controllers see it: dumps, change events and changes. {@link LazyNetlink} is
 * the real one; controllers/network/testing.ts has an in-memory one for unit tests. Failures are NetlinkErrors with
 * the kernel's errno (code Exists, NotFound, Unsupported, Invalid, Unreachable, Busy, Failed).
 */
export interface KernelNetwork {
  links(opts?: NetlinkCallOptions): Promise<NetlinkLink[]>;
  addresses(opts?: NetlinkCallOptions): Promise<NetlinkAddress[]>;
  /** Routes of every table, or only of `tables` when given. */
  routes(opts?: NetlinkCallOptions & { readonly tables?: ReadonlySet<number> }): Promise<NetlinkRoute[]>;
  /**
   * Changes (and `overrun` when some were lost) until `signal` aborts, in the batches the kernel delivered them;
   * subscribed once it returns.
   */
  eventBatches(signal: AbortSignal): AsyncIterable<readonly NetlinkEvent[]>;
  setLinkUp(link: NetlinkLinkRef, up: boolean, opts?: NetlinkCallOptions): Promise<void>;
  setMtu(link: NetlinkLinkRef, mtu: number, opts?: NetlinkCallOptions): Promise<void>;
  /** Enslaves `link` to a bridge or bond, or frees it with null. */
  setMaster(link: NetlinkLinkRef, master: NetlinkLinkRef | null, opts?: NetlinkCallOptions): Promise<void>;
  createLink(spec: LinkCreate, opts?: NetlinkCallOptions): Promise<void>;
  deleteLink(link: NetlinkLinkRef, opts?: NetlinkCallOptions): Promise<void>;
  /** Adds an address; code Exists when the link has it already (unless `replace`). */
  addAddress(a: NetlinkAddressSpec, opts?: NetlinkCallOptions & { readonly replace?: boolean }): Promise<void>;
  /** Adds many addresses at once; per address, undefined when added or the kernel's refusal. */
  addAddresses(
    a: readonly NetlinkAddressSpec[],
    opts?: NetlinkCallOptions & { readonly replace?: boolean },
  ): Promise<(NetlinkError | undefined)[]>;
  deleteAddress(a: NetlinkAddressSpec, opts?: NetlinkCallOptions): Promise<void>;
  /** Adds many routes at once (replacing same-key ones unless `replace` is false); per route, undefined or the refusal. */
  addRoutes(
    r: readonly NetlinkRouteSpec[],
    opts?: NetlinkCallOptions & { readonly replace?: boolean },
  ): Promise<(NetlinkError | undefined)[]>;
  /** Adds a route, replacing one with the same key unless `replace` is false. */
  addRoute(r: NetlinkRouteSpec, opts?: NetlinkCallOptions & { readonly replace?: boolean }): Promise<void>;
  deleteRoute(r: NetlinkRouteSpec, opts?: NetlinkCallOptions): Promise<void>;
}

/**
 * A {@link KernelNetwork} that opens its netlink socket on first use, in the namespace of the process, and closes it
 * when the signal of the call that opened it aborts (a later call opens a new one). Calls without a signal are refused:
 * nothing would ever close the socket.
 */
export class LazyNetlink implements KernelNetwork {
  private nl: Netlink | undefined;

  constructor(private readonly open: () => Netlink = () => Netlink.open()) {}

  links(opts?: NetlinkCallOptions): Promise<NetlinkLink[]> {
    return this.netlink(opts?.signal).links(opts);
  }

  addresses(opts?: NetlinkCallOptions): Promise<NetlinkAddress[]> {
    return this.netlink(opts?.signal).addresses(opts);
  }

  routes(opts?: NetlinkCallOptions & { readonly tables?: ReadonlySet<number> }): Promise<NetlinkRoute[]> {
    return this.netlink(opts?.signal).routes(opts);
  }

  eventBatches(signal: AbortSignal): AsyncIterable<readonly NetlinkEvent[]> {
    return this.netlink(signal).eventBatches(signal);
  }

  setLinkUp(link: NetlinkLinkRef, up: boolean, opts?: NetlinkCallOptions): Promise<void> {
    return this.netlink(opts?.signal).setLinkUp(link, up, opts);
  }

  setMtu(link: NetlinkLinkRef, mtu: number, opts?: NetlinkCallOptions): Promise<void> {
    return this.netlink(opts?.signal).setMtu(link, mtu, opts);
  }

  setMaster(link: NetlinkLinkRef, master: NetlinkLinkRef | null, opts?: NetlinkCallOptions): Promise<void> {
    return this.netlink(opts?.signal).setMaster(link, master, opts);
  }

  createLink(spec: LinkCreate, opts?: NetlinkCallOptions): Promise<void> {
    const nl = this.netlink(opts?.signal);
    switch (spec.kind) {
      case 'veth':
        return nl.createVeth(spec.name, spec.peer, opts);
      case 'vlan':
        return nl.createVlan(spec.name, spec.parent, spec.vlanId, opts);
      case 'bond':
        return nl.createBond(spec.name, spec.mode, opts);
      default:
        return nl.createLink(spec.name, spec.kind, opts);
    }
  }

  deleteLink(link: NetlinkLinkRef, opts?: NetlinkCallOptions): Promise<void> {
    return this.netlink(opts?.signal).deleteLink(link, opts);
  }

  addAddress(a: NetlinkAddressSpec, opts?: NetlinkCallOptions & { readonly replace?: boolean }): Promise<void> {
    return this.netlink(opts?.signal).addAddress(a, opts);
  }

  deleteAddress(a: NetlinkAddressSpec, opts?: NetlinkCallOptions): Promise<void> {
    return this.netlink(opts?.signal).deleteAddress(a, opts);
  }

  addAddresses(
    a: readonly NetlinkAddressSpec[],
    opts?: NetlinkCallOptions & { readonly replace?: boolean },
  ): Promise<(NetlinkError | undefined)[]> {
    return this.netlink(opts?.signal).addAddresses(a, opts);
  }

  addRoutes(
    r: readonly NetlinkRouteSpec[],
    opts?: NetlinkCallOptions & { readonly replace?: boolean },
  ): Promise<(NetlinkError | undefined)[]> {
    return this.netlink(opts?.signal).addRoutes(r, opts);
  }

  addRoute(r: NetlinkRouteSpec, opts?: NetlinkCallOptions & { readonly replace?: boolean }): Promise<void> {
    return this.netlink(opts?.signal).addRoute(r, opts);
  }

  deleteRoute(r: NetlinkRouteSpec, opts?: NetlinkCallOptions): Promise<void> {
    return this.netlink(opts?.signal).deleteRoute(r, opts);
  }

  private netlink(signal: AbortSignal | undefined): Netlink {
    if (signal === undefined) throw new TypeError('LazyNetlink needs a signal to know when to close its socket');
    signal.throwIfAborted();
    if (this.nl !== undefined) return this.nl;
    const nl = this.open();
    this.nl = nl;
    signal.addEventListener(
      'abort',
      () => {
        nl.close();
        if (this.nl === nl) this.nl = undefined;
      },
      { once: true },
    );
    return nl;
  }
}

/** Which kinds of kernel change a status controller reacts to; an overrun always counts. */
export type EventKind = Exclude<NetlinkEvent['kind'], 'overrun'>;

/**
 * A status controller's watchOutside: subscribes, signals one pass (so a change made between the first dump and the
 * subscription is not lost), then signals a pass for every event of `kinds` and every overrun until `signal` aborts.
 */
export async function watchKernel(
  kernel: KernelNetwork,
  kinds: readonly EventKind[],
  signal: AbortSignal,
  changed: () => void,
): Promise<void> {
  const batches = kernel.eventBatches(signal);
  changed();
  for await (const batch of batches) {
    const present = kindsIn(batch);
    if (present.has('overrun') || kinds.some((k) => present.has(k))) changed();
  }
}

/**
 * The kinds of event in a batch, found once per batch: every status controller sees the same batch (one subscription
 * is shared), and a burst of a thousand changes would otherwise be scanned by each of them.
 */
const kindsIn = perObject((batch: readonly NetlinkEvent[]): ReadonlySet<NetlinkEvent['kind']> => {
  const out = new Set<NetlinkEvent['kind']>();
  for (const e of batch) out.add(e.kind);
  return out;
});
