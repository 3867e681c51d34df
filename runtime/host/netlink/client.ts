// The rtnetlink client: requests with acks, dumps of links/addresses/routes, link/address/route changes and events.
import { NetlinkError } from './errors.js';
import { netlinkEvents, type NetlinkEvent } from './events.js';
import { AF_INET, AF_INET6 } from './ip.js';
import { NLM_F, RTM, attr, nestedAttr, strAttr, u32Attr } from './messages.js';
import {
  IFF_UP,
  IFLA,
  IFLA_INFO,
  VETH_INFO_PEER,
  decodeAddress,
  decodeLink,
  decodeRoute,
  routeTable,
  ifaddrmsg,
  ifinfomsg,
  rtmsg,
  type Address,
  type Link,
  type Route,
} from './objects.js';
import {
  AddressRequest,
  RouteRequest,
  type AddressSpec,
  type ChangeRequest,
  type LinkRef,
  type RouteSpec,
} from './requests.js';
import { RequestSocket } from './socket.js';
import { SharedStream } from '../shared-stream.js';

/** The process's one event subscription, shared by every caller of {@link Netlink.events}. */
const SHARED_EVENTS = new SharedStream(netlinkEvents);

export type { AddressSpec, LinkRef, RouteSpec } from './requests.js';

/** Options of every call: an abort before the call starts rejects it with the signal's reason. */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

const IFLA_EXT_MASK = 29;
const IFLA_LINK = 5;
const IFLA_VLAN_ID = 1;
const IFLA_BOND_MODE = 1;
/** Bonding modes in the order of their kernel numbers (BOND_MODE_*). */
const BOND_MODES = [
  'balance-rr',
  'active-backup',
  'balance-xor',
  'broadcast',
  '802.3ad',
  'balance-tlb',
  'balance-alb',
] as const;
const RTEXT_FILTER_SKIP_STATS = 1 << 3;

/** rtnetlink in the calling process's network namespace: typed dumps and changes (see RequestSocket for the bound). */
export class Netlink {
  private constructor(private readonly sock: RequestSocket) {}

  /** Opens a request socket in the current network namespace. */
  static open(): Netlink {
    return new Netlink(RequestSocket.open());
  }

  /** Closes the request socket; event streams have their own sockets and end with their signal. */
  close(): void {
    this.sock.close();
  }

  /** All links (RTM_GETLINK dump). */
  links(opts?: CallOptions): Promise<Link[]> {
    return this.call(opts, () =>
      this.sock.dump(
        RTM.GETLINK,
        ifinfomsg(0),
        [u32Attr(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS)],
        decodeLink,
        'link list',
      ),
    );
  }

  /** One link by index or name; rejects with code NotFound when it does not exist. */
  link(ref: LinkRef, opts?: CallOptions): Promise<Link> {
    return this.call(opts, () => this.getLink(ref));
  }

  /** All addresses, optionally of one family (RTM_GETADDR dump). */
  addresses(opts?: CallOptions & { readonly family?: 4 | 6 }): Promise<Address[]> {
    const family = opts?.family === 4 ? AF_INET : opts?.family === 6 ? AF_INET6 : 0;
    return this.call(opts, () =>
      this.sock.dump(RTM.GETADDR, ifaddrmsg(family, 0, 0, 0), [], decodeAddress, 'address list'),
    );
  }

  /**
   * All routes of every table, optionally of one family and of some tables (RTM_GETROUTE dump). Routes of other
   * tables are skipped before they are decoded: the local table holds two routes per address.
   */
  routes(opts?: CallOptions & { readonly family?: 4 | 6; readonly tables?: ReadonlySet<number> }): Promise<Route[]> {
    const family = opts?.family === 4 ? AF_INET : opts?.family === 6 ? AF_INET6 : 0;
    const body = rtmsg({ family, dstLen: 0, table: 0, protocol: 0, scope: 0, type: 0 });
    const tables = opts?.tables;
    const decode =
      tables === undefined ? decodeRoute : (p: Buffer) => (tables.has(routeTable(p)) ? decodeRoute(p) : undefined);
    return this.call(opts, () =>
      this.sock.dump(RTM.GETROUTE, body, [], decode, 'route list').filter((r): r is Route => r !== undefined),
    );
  }

  /** Sets a link administratively up or down. */
  setLinkUp(link: LinkRef, up: boolean, opts?: CallOptions): Promise<void> {
    return this.changeLink(link, `link set ${link} ${up ? 'up' : 'down'}`, opts, [], up ? IFF_UP : 0, IFF_UP);
  }

  /** Sets a link's MTU. */
  setMtu(link: LinkRef, mtu: number, opts?: CallOptions): Promise<void> {
    return this.changeLink(link, `link set ${link} mtu ${mtu}`, opts, [u32Attr(IFLA.MTU, mtu)]);
  }

  /** Enslaves a link to a master (bridge, bond), or frees it with `null`. */
  setMaster(link: LinkRef, master: LinkRef | null, opts?: CallOptions): Promise<void> {
    const op = `link set ${link} ${master === null ? 'nomaster' : `master ${master}`}`;
    return this.call(opts, () => {
      const index = master === null ? 0 : this.resolve(master);
      this.sock.ack(RTM.NEWLINK, 0, ifinfomsg(0), [...this.ifRef(link), u32Attr(IFLA.MASTER, index)], op);
    });
  }

  /** Creates a link of a kind that needs no data (bridge, dummy); code Unsupported when the kernel lacks the kind. */
  createLink(name: string, kind: string, opts?: CallOptions): Promise<void> {
    const info = nestedAttr(IFLA.LINKINFO, [strAttr(IFLA_INFO.KIND, kind)]);
    return this.call(opts, () => {
      this.createWith(name, kind, [info]);
    });
  }

  /** Creates a bridge. */
  createBridge(name: string, opts?: CallOptions): Promise<void> {
    return this.createLink(name, 'bridge', opts);
  }

  /** Creates a veth pair `name` <-> `peer`. */
  createVeth(name: string, peer: string, opts?: CallOptions): Promise<void> {
    const peerInfo = nestedAttr(VETH_INFO_PEER, [ifinfomsg(0), strAttr(IFLA.IFNAME, peer)]);
    const info = nestedAttr(IFLA.LINKINFO, [strAttr(IFLA_INFO.KIND, 'veth'), nestedAttr(IFLA_INFO.DATA, [peerInfo])]);
    return this.call(opts, () => {
      this.createWith(name, 'veth', [info]);
    });
  }

  /** Creates VLAN `vlanId` on `parent` (802.1Q); code Unsupported when the kernel lacks 8021q. */
  createVlan(name: string, parent: LinkRef, vlanId: number, opts?: CallOptions): Promise<void> {
    return this.call(opts, () => {
      const id = Buffer.alloc(2);
      id.writeUInt16LE(vlanId, 0);
      const data = nestedAttr(IFLA_INFO.DATA, [attr(IFLA_VLAN_ID, id)]);
      const info = nestedAttr(IFLA.LINKINFO, [strAttr(IFLA_INFO.KIND, 'vlan'), data]);
      this.createWith(name, 'vlan', [u32Attr(IFLA_LINK, this.resolve(parent)), info]);
    });
  }

  /** Creates a bond in `mode` (e.g. active-backup); code Unsupported when the kernel lacks bonding. */
  createBond(name: string, mode: string, opts?: CallOptions): Promise<void> {
    return this.call(opts, () => {
      const n = BOND_MODES.indexOf(mode as (typeof BOND_MODES)[number]);
      if (n < 0)
        throw new NetlinkError('Invalid', `link add ${name} type bond`, 22, 'EINVAL', `unknown bond mode ${mode}`);
      const data = nestedAttr(IFLA_INFO.DATA, [attr(IFLA_BOND_MODE, Buffer.from([n]))]);
      this.createWith(name, 'bond', [nestedAttr(IFLA.LINKINFO, [strAttr(IFLA_INFO.KIND, 'bond'), data])]);
    });
  }

  /** Deletes a link (both ends of a veth pair). */
  deleteLink(link: LinkRef, opts?: CallOptions): Promise<void> {
    return this.call(opts, () => {
      this.sock.ack(RTM.DELLINK, 0, ifinfomsg(0), this.ifRef(link), `link delete ${link}`);
    });
  }

  /** Adds an address; code Exists when the link already has it, unless `replace`. */
  addAddress(a: AddressSpec, opts?: CallOptions & { readonly replace?: boolean }): Promise<void> {
    const flags = NLM_F.CREATE | (opts?.replace === true ? NLM_F.REPLACE : NLM_F.EXCL);
    return this.call(opts, () => {
      this.changeAddress(RTM.NEWADDR, flags, a, 'address add');
    });
  }

  /**
   * Adds many addresses in few round trips (see RequestSocket.ackBatch); per address, undefined when added or the
   * kernel's refusal (Exists when the link has it already, unless `replace`). A missing link fails only its addresses.
   */
  addAddresses(
    specs: readonly AddressSpec[],
    opts?: CallOptions & { readonly replace?: boolean },
  ): Promise<(NetlinkError | undefined)[]> {
    const flags = NLM_F.CREATE | (opts?.replace === true ? NLM_F.REPLACE : NLM_F.EXCL);
    return this.call(opts, () =>
      this.batch(specs, (a, index) => new AddressRequest(RTM.NEWADDR, flags, a, index, 'address add')),
    );
  }

  /** Adds (or, unless `replace` is false, replaces) many routes in few round trips; per route, undefined or the refusal. */
  addRoutes(
    specs: readonly RouteSpec[],
    opts?: CallOptions & { readonly replace?: boolean },
  ): Promise<(NetlinkError | undefined)[]> {
    const flags = NLM_F.CREATE | (opts?.replace === false ? NLM_F.EXCL : NLM_F.REPLACE);
    return this.call(opts, () =>
      this.batch(specs, (r, index) => new RouteRequest(RTM.NEWROUTE, flags, r, index, 'route add')),
    );
  }

  /** Deletes an address; code NotFound when the link does not have it. */
  deleteAddress(a: AddressSpec, opts?: CallOptions): Promise<void> {
    return this.call(opts, () => {
      this.changeAddress(RTM.DELADDR, 0, a, 'address delete');
    });
  }

  /** Adds a route, or replaces the one with the same key when `replace` (the default). */
  addRoute(r: RouteSpec, opts?: CallOptions & { readonly replace?: boolean }): Promise<void> {
    const flags = NLM_F.CREATE | (opts?.replace === false ? NLM_F.EXCL : NLM_F.REPLACE);
    return this.call(opts, () => {
      this.changeRoute(RTM.NEWROUTE, flags, r, 'route add');
    });
  }

  /** Deletes a route; code NotFound when there is no such route. */
  deleteRoute(r: RouteSpec, opts?: CallOptions): Promise<void> {
    return this.call(opts, () => {
      this.changeRoute(RTM.DELROUTE, 0, r, 'route delete');
    });
  }

  /**
   * Kernel changes to links, addresses and routes (both families) until `signal` aborts; see {@link netlinkEvents}.
   * Every subscription in the process shares one multicast socket (and the one worker thread that waits on it).
   */
  events(signal: AbortSignal): AsyncIterable<NetlinkEvent> {
    const batches = SHARED_EVENTS.subscribe(signal);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const batch of batches) yield* batch;
      },
    };
  }

  /** The same changes as {@link events}, in the batches the socket delivered them: cheaper for "something changed". */
  eventBatches(signal: AbortSignal): AsyncIterable<readonly NetlinkEvent[]> {
    return SHARED_EVENTS.subscribe(signal);
  }

  private call<T>(opts: CallOptions | undefined, fn: () => T): Promise<T> {
    return new Promise<T>((resolve) => {
      opts?.signal?.throwIfAborted();
      if (!this.sock.isOpen) throw new NetlinkError('Failed', 'netlink request', 9, 'EBADF', 'the socket is closed');
      resolve(fn());
    });
  }

  private ifRef(link: LinkRef): Buffer[] {
    return typeof link === 'number' ? [] : [strAttr(IFLA.IFNAME, link)];
  }

  private changeLink(link: LinkRef, op: string, opts: CallOptions | undefined, attrs: Buffer[], f = 0, change = 0) {
    const body = ifinfomsg(typeof link === 'number' ? link : 0, f, change);
    return this.call(opts, () => {
      this.sock.ack(RTM.NEWLINK, 0, body, [...this.ifRef(link), ...attrs], op);
    });
  }

  private createWith(name: string, kind: string, attrs: Buffer[]): void {
    const flags = NLM_F.CREATE | NLM_F.EXCL;
    this.sock.ack(
      RTM.NEWLINK,
      flags,
      ifinfomsg(0),
      [strAttr(IFLA.IFNAME, name), ...attrs],
      `link add ${name} type ${kind}`,
    );
  }

  private getLink(ref: LinkRef): Link {
    const op = `link show ${ref}`;
    const body = ifinfomsg(typeof ref === 'number' ? ref : 0);
    const extMask = u32Attr(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    const [link] = this.sock.get(RTM.GETLINK, body, [...this.ifRef(ref), extMask], decodeLink, op);
    if (link === undefined) throw NetlinkError.fromErrno(op, 19 /* ENODEV */);
    return link;
  }

  private resolve(ref: LinkRef): number {
    return typeof ref === 'number' ? ref : this.getLink(ref).index;
  }

  private changeAddress(type: number, flags: number, a: AddressSpec, verb: string): void {
    this.change(new AddressRequest(type, flags, a, (ref) => this.resolve(ref), verb));
  }

  /** Sends one change and waits for its ack; throws the kernel's refusal. */
  private change(req: ChangeRequest): void {
    const [refusal] = this.sock.ackBatch([req]);
    if (refusal !== undefined) throw refusal;
  }

  /**
   * Builds one request per item (resolving each link name once) and sends them as a batch; an item whose request
   * cannot be built (its link is missing) gets that error without being sent.
   */
  private batch<T>(
    items: readonly T[],
    build: (item: T, index: (ref: LinkRef) => number) => ChangeRequest,
  ): (NetlinkError | undefined)[] {
    const indexes = new Map<string, number>();
    const index = (ref: LinkRef): number => {
      if (typeof ref === 'number') return ref;
      let i = indexes.get(ref);
      if (i === undefined) {
        i = this.getLink(ref).index;
        indexes.set(ref, i);
      }
      return i;
    };
    const results: (NetlinkError | undefined)[] = new Array<NetlinkError | undefined>(items.length).fill(undefined);
    const sent: number[] = [];
    const reqs: ChangeRequest[] = [];
    items.forEach((item, i) => {
      try {
        reqs.push(build(item, index));
        sent.push(i);
      } catch (e) {
        if (!(e instanceof NetlinkError)) throw e;
        results[i] = e;
      }
    });
    this.sock.ackBatch(reqs).forEach((r, j) => {
      results[sent[j] ?? 0] = r;
    });
    return results;
  }

  private changeRoute(type: number, flags: number, r: RouteSpec, verb: string): void {
    this.change(new RouteRequest(type, flags, r, (ref) => this.resolve(ref), verb));
  }
}
