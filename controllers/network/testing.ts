// An in-memory KernelNetwork for the network status controller tests: set its links, addresses and routes, then emit events.
import type { NetlinkAddress, NetlinkEvent, NetlinkLink, NetlinkRoute } from '../../runtime/index.js';
import type { KernelNetwork } from './kernel.js';

/** A fake kernel: dumps return copies of the arrays; `emit` delivers an event to every open subscription. */
export class FakeKernel implements KernelNetwork {
  links_: NetlinkLink[] = [];
  addresses_: NetlinkAddress[] = [];
  routes_: NetlinkRoute[] = [];
  /** Number of subscriptions currently open. */
  subscribers = 0;
  private readonly listeners = new Set<(e: NetlinkEvent) => void>();

  links(): Promise<NetlinkLink[]> {
    return Promise.resolve([...this.links_]);
  }

  addresses(): Promise<NetlinkAddress[]> {
    return Promise.resolve([...this.addresses_]);
  }

  routes(): Promise<NetlinkRoute[]> {
    return Promise.resolve([...this.routes_]);
  }

  /** Delivers `e` to every open subscription. */
  emit(e: NetlinkEvent): void {
    for (const l of this.listeners) l(e);
  }

  events(signal: AbortSignal): AsyncIterable<NetlinkEvent> {
    const queue: NetlinkEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (e: NetlinkEvent): void => {
      queue.push(e);
      wake?.();
    };
    this.listeners.add(listener);
    this.subscribers++;
    const onAbort = (): void => wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      if (!this.listeners.delete(listener)) return;
      this.subscribers--;
      signal.removeEventListener('abort', onAbort);
    };
    return {
      async *[Symbol.asyncIterator]() {
        try {
          while (!signal.aborted) {
            const e = queue.shift();
            if (e !== undefined) {
              yield e;
              continue;
            }
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
          }
        } finally {
          done();
        }
      },
    };
  }
}

/** A link with defaults for what a test does not care about. */
export function fakeLink(index: number, name: string, more: Partial<NetlinkLink> = {}): NetlinkLink {
  return {
    index,
    name,
    mtu: 1500,
    up: true,
    operState: 'up',
    mac: '02:00:00:00:00:01',
    kind: null,
    master: null,
    ...more,
  };
}

/** An address with defaults (global scope, permanent). */
export function fakeAddress(linkIndex: number, address: string, prefixLength: number): NetlinkAddress {
  return {
    linkIndex,
    family: address.includes(':') ? 6 : 4,
    address,
    prefixLength,
    scope: 0,
    flags: 0x80,
    label: null,
  };
}

/** A main-table static unicast route with defaults. */
export function fakeRoute(dst: string, dstLen: number, more: Partial<NetlinkRoute> = {}): NetlinkRoute {
  return {
    family: dst.includes(':') ? 6 : 4,
    dst,
    dstLen,
    gateway: null,
    oif: null,
    priority: null,
    table: 254,
    scope: 0,
    protocol: 4,
    type: 1,
    prefsrc: null,
    ...more,
  };
}
