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
import { NLMSG_HDRLEN, RTM, RTNLGRP, get16, get32 } from './messages.js';
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
/** Receive chunks hold many datagrams (rtnetlink events are a few hundred bytes each). */
const CHUNK = 4 * RECV_BUFFER;
/** Datagrams read per turn before yielding, so one burst cannot hold the event loop for long. */
const BATCH_DATAGRAMS = 256;
const ENOBUFS = 105;

/** An event's payload: where it lies in its receive chunk, made a view only when the event is decoded. */
function payload(chunk: Buffer | undefined, start: number, end: number): Buffer {
  return chunk === undefined ? Buffer.alloc(0) : chunk.subarray(start, end);
}

/**
 * Events decode their object when it is first read. Most subscribers only ask which kind of thing changed (and then
 * dump), and a burst of a thousand changes would otherwise be decoded in full for nobody. The payload lies in a
 * receive chunk that is never written again (see Subscription.drain), so it stays valid for as long as the event.
 */
abstract class LazyEvent<T> {
  #chunk: Buffer | undefined;
  readonly #start: number;
  readonly #end: number;
  #value: T | undefined;

  constructor(
    readonly op: EventOp,
    chunk: Buffer,
    start: number,
    end: number,
  ) {
    this.#chunk = chunk;
    this.#start = start;
    this.#end = end;
  }

  /** The object, decoded by `decode` on the first call; the chunk is let go then. */
  protected decoded(decode: (payload: Buffer) => T): T {
    if (this.#value === undefined) {
      this.#value = decode(payload(this.#chunk, this.#start, this.#end));
      this.#chunk = undefined;
    }
    return this.#value;
  }
}

/** A link change, decoded when read. */
class LinkEvent extends LazyEvent<Link> {
  readonly kind = 'link';

  get link(): Link {
    return this.decoded(decodeLink);
  }

  toJSON(): unknown {
    return { kind: this.kind, op: this.op, link: this.link };
  }
}

/** An address change, decoded when read. */
class AddressEvent extends LazyEvent<Address> {
  readonly kind = 'address';

  get address(): Address {
    return this.decoded(decodeAddress);
  }

  toJSON(): unknown {
    return { kind: this.kind, op: this.op, address: this.address };
  }
}

/** A route change, decoded when read. */
class RouteEvent extends LazyEvent<Route> {
  readonly kind = 'route';

  get route(): Route {
    return this.decoded(decodeRoute);
  }

  toJSON(): unknown {
    return { kind: this.kind, op: this.op, route: this.route };
  }
}

function toEvent(type: number, chunk: Buffer, start: number, end: number): NetlinkEvent | undefined {
  switch (type) {
    case RTM.NEWLINK:
    case RTM.DELLINK:
      return new LinkEvent(type === RTM.NEWLINK ? 'new' : 'del', chunk, start, end);
    case RTM.NEWADDR:
    case RTM.DELADDR:
      return new AddressEvent(type === RTM.NEWADDR ? 'new' : 'del', chunk, start, end);
    case RTM.NEWROUTE:
    case RTM.DELROUTE:
      return new RouteEvent(type === RTM.NEWROUTE ? 'new' : 'del', chunk, start, end);
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
  /**
   * Datagrams are received one after another into a chunk, which is replaced (never rewritten) once less than one
   * receive buffer of it is left: events keep views of their payloads until they are decoded.
   */
  private chunk = Buffer.allocUnsafe(CHUNK);
  private used = 0;

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
      if (CHUNK - this.used < RECV_BUFFER) {
        this.chunk = Buffer.allocUnsafe(CHUNK);
        this.used = 0;
      }
      const buf = this.chunk.subarray(this.used, this.used + RECV_BUFFER);
      let n: number;
      try {
        n = recvInto(this.fd, buf, true, 'event receive');
      } catch (e) {
        if (e instanceof NetlinkError && e.errno === ENOBUFS) {
          out.push({ kind: 'overrun' });
          continue;
        }
        throw e;
      }
      if (n === 0) break;
      const start = this.used;
      this.used += (n + 7) & ~7;
      // The messages of the datagram, walked in place (as decodeMessages does, without an object per message).
      for (let at = 0; at + NLMSG_HDRLEN <= n;) {
        const len = get32(buf, at);
        if (len < NLMSG_HDRLEN || at + len > n) break;
        const event = toEvent(get16(buf, at + 4), this.chunk, start + at + NLMSG_HDRLEN, start + at + len);
        if (event !== undefined) out.push(event);
        at += (len + 3) & ~3;
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
