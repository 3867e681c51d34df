// KernelNetwork: the slice of the rtnetlink adapter the network status controllers use, and a lazily opened Netlink behind it.
import {
  Netlink,
  type NetlinkAddress,
  type NetlinkCallOptions,
  type NetlinkEvent,
  type NetlinkLink,
  type NetlinkRoute,
} from '../../runtime/index.js';

/** Dumps of the kernel's links, addresses and routes, and its change events; {@link Netlink} satisfies it. */
export interface KernelNetwork {
  links(opts?: NetlinkCallOptions): Promise<NetlinkLink[]>;
  addresses(opts?: NetlinkCallOptions): Promise<NetlinkAddress[]>;
  routes(opts?: NetlinkCallOptions): Promise<NetlinkRoute[]>;
  /** Changes (and `overrun` when some were lost) until `signal` aborts; subscribed once it returns. */
  events(signal: AbortSignal): AsyncIterable<NetlinkEvent>;
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

  routes(opts?: NetlinkCallOptions): Promise<NetlinkRoute[]> {
    return this.netlink(opts?.signal).routes(opts);
  }

  events(signal: AbortSignal): AsyncIterable<NetlinkEvent> {
    return this.netlink(signal).events(signal);
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
  const events = kernel.events(signal);
  changed();
  for await (const e of events) {
    if (e.kind === 'overrun' || kinds.includes(e.kind)) changed();
  }
}
