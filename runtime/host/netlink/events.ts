// Kernel change events from rtnetlink's multicast groups, woken by poll(2) on a worker thread rather than polling.
import { NetlinkError } from './errors.js';
import {
  addMembership,
  closeFd,
  openNetlinkSocket,
  openWakeFd,
  pollReadable,
  recvInto,
  setReceiveBuffer,
  wake,
} from './ffi.js';
import { RTM, RTNLGRP, decodeMessages } from './messages.js';
import { decodeAddress, decodeLink, decodeRoute, type Address, type Link, type Route } from './objects.js';

/** Whether the kernel object appeared/changed (`new`) or went away (`del`). */
export type EventOp = 'new' | 'del';

/** One kernel change; `overrun` means events were lost (socket buffer full): resynchronize with dumps. */
export type NetlinkEvent =
  | { readonly kind: 'link'; readonly op: EventOp; readonly link: Link }
  | { readonly kind: 'address'; readonly op: EventOp; readonly address: Address }
  | { readonly kind: 'route'; readonly op: EventOp; readonly route: Route }
  | { readonly kind: 'overrun' };

const GROUPS = [RTNLGRP.LINK, RTNLGRP.IPV4_IFADDR, RTNLGRP.IPV6_IFADDR, RTNLGRP.IPV4_ROUTE, RTNLGRP.IPV6_ROUTE];
/** Room for bursts (thousands of routes) before the kernel drops events and we report an overrun. */
const SOCKET_BUFFER = 8 * 1024 * 1024;
const RECV_BUFFER = 64 * 1024;
/** Datagrams read per turn before yielding, so one burst cannot hold the event loop for long. */
const BATCH_DATAGRAMS = 256;
const ENOBUFS = 105;

function toEvent(type: number, payload: Buffer): NetlinkEvent | undefined {
  switch (type) {
    case RTM.NEWLINK:
    case RTM.DELLINK:
      return { kind: 'link', op: type === RTM.NEWLINK ? 'new' : 'del', link: decodeLink(payload) };
    case RTM.NEWADDR:
    case RTM.DELADDR:
      return { kind: 'address', op: type === RTM.NEWADDR ? 'new' : 'del', address: decodeAddress(payload) };
    case RTM.NEWROUTE:
    case RTM.DELROUTE:
      return { kind: 'route', op: type === RTM.NEWROUTE ? 'new' : 'del', route: decodeRoute(payload) };
    default:
      return undefined;
  }
}

/**
 * A subscription: the socket joins the groups when created, so changes made after it returns are seen.
 * It waits for readability with poll(2) on [socket, eventfd] in koffi's worker thread; an abort writes the eventfd,
 * which ends the poll, and the fds are closed only once no poll is in flight (no fd reuse race).
 */
class Subscription implements AsyncIterable<readonly NetlinkEvent[]> {
  private polling = false;
  private closed = false;
  private readonly buf = Buffer.alloc(RECV_BUFFER);

  constructor(
    private readonly fd: number,
    private readonly wakeFd: number,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
    if (signal.aborted) this.dispose();
  }

  private readonly onAbort = (): void => {
    if (this.polling) wake(this.wakeFd);
    else this.dispose();
  };

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal.removeEventListener('abort', this.onAbort);
    closeFd(this.fd);
    closeFd(this.wakeFd);
  }

  /** Reads what is queued without blocking. */
  private drain(): NetlinkEvent[] {
    const out: NetlinkEvent[] = [];
    for (let i = 0; i < BATCH_DATAGRAMS; i++) {
      let n: number;
      try {
        n = recvInto(this.fd, this.buf, true, 'event receive');
      } catch (e) {
        if (e instanceof NetlinkError && e.errno === ENOBUFS) {
          out.push({ kind: 'overrun' });
          continue;
        }
        throw e;
      }
      if (n === 0) break;
      for (const m of decodeMessages(this.buf, n)) {
        const event = toEvent(m.type, m.payload);
        if (event !== undefined) out.push(event);
      }
    }
    return out;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<readonly NetlinkEvent[]> {
    try {
      while (!this.closed && !this.signal.aborted) {
        const batch = this.drain();
        if (batch.length > 0) {
          yield batch;
          continue;
        }
        this.polling = true;
        let readable: boolean;
        try {
          readable = await pollReadable(this.fd, this.wakeFd);
        } finally {
          this.polling = false;
        }
        if (!readable) break;
      }
    } finally {
      this.dispose();
    }
  }
}

/**
 * Subscribes now to link, IPv4/IPv6 address and route changes; iterate to receive them in batches (what one read of
 * the socket held: a burst of a thousand changes costs a few iterations, not a thousand), abort `signal` to stop.
 */
export function netlinkEvents(signal: AbortSignal): AsyncIterable<readonly NetlinkEvent[]> {
  const fd = openNetlinkSocket(true);
  let wakeFd = -1;
  try {
    wakeFd = openWakeFd();
    setReceiveBuffer(fd, SOCKET_BUFFER);
    for (const g of GROUPS) addMembership(fd, g);
  } catch (e) {
    closeFd(fd);
    if (wakeFd >= 0) closeFd(wakeFd);
    throw e;
  }
  return new Subscription(fd, wakeFd, signal);
}
