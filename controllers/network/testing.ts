// An in-memory KernelNetwork for the network controller unit tests (the real-kernel tests use netlink in a throwaway
// namespace). It keeps links, addresses and routes, answers changes with the errors the kernel gives (EEXIST, ENODEV,
// EOPNOTSUPP for kinds it is told to lack, ENETUNREACH for an off-link gateway) and emits the events the kernel would.
import { BlockList, isIPv4 } from 'node:net';
import {
  NetlinkError,
  type NetlinkAddress,
  type NetlinkAddressSpec,
  type NetlinkEvent,
  type NetlinkLink,
  type NetlinkLinkRef,
  type NetlinkRoute,
  type NetlinkRouteSpec,
} from '../../runtime/index.js';
import type { KernelNetwork, LinkCreate } from './kernel.js';

const ERRNO = { EEXIST: 17, ENODEV: 19, EINVAL: 22, EADDRNOTAVAIL: 99, ENETUNREACH: 101, ESRCH: 3, EOPNOTSUPP: 95 };

/**
 * A fake kernel. Dumps return copies; every change emits the kernel's event; `emit` delivers any event by hand.
 * Writing `links_`, `addresses_` or `routes_` directly changes the state without events (an unnoticed change).
 */
export class FakeKernel implements KernelNetwork {
  links_: NetlinkLink[] = [];
  addresses_: NetlinkAddress[] = [];
  routes_: NetlinkRoute[] = [];
  /** Number of subscriptions currently open. */
  subscribers = 0;
  /** Link kinds this kernel lacks: creating one fails with EOPNOTSUPP, as on this machine's kernel for dummy. */
  readonly missingKinds = new Set<string>();
  /** The largest MTU links accept (EINVAL above it). */
  maxMtu = 9000;
  /** Every change asked for, as `ip`-like text, in order (what tests count to prove nothing spins). */
  readonly calls: string[] = [];
  private nextIndex = 100;
  private readonly listeners = new Set<(e: NetlinkEvent) => void>();

  /** Adds a link as if it appeared on its own (hardware, or made by someone else), with its event. */
  plug(link: NetlinkLink): void {
    this.links_.push(link);
    this.emit({ kind: 'link', op: 'new', link });
  }

  setLinkUp(ref: NetlinkLinkRef, up: boolean): Promise<void> {
    return this.change(`link set ${String(ref)} ${up ? 'up' : 'down'}`, () => {
      const l = this.link(ref, 'link set');
      this.replaceLink(l, { ...l, up, operState: up ? 'up' : 'down' });
    });
  }

  setMtu(ref: NetlinkLinkRef, mtu: number): Promise<void> {
    return this.change(`link set ${String(ref)} mtu ${String(mtu)}`, (op) => {
      const l = this.link(ref, op);
      if (mtu < 68 || mtu > this.maxMtu) throw NetlinkError.fromErrno(op, ERRNO.EINVAL, 'MTU is out of range');
      this.replaceLink(l, { ...l, mtu });
    });
  }

  setMaster(ref: NetlinkLinkRef, master: NetlinkLinkRef | null): Promise<void> {
    return this.change(`link set ${String(ref)} master ${String(master)}`, (op) => {
      const l = this.link(ref, op);
      const m = master === null ? null : this.link(master, op);
      this.replaceLink(l, { ...l, master: m === null ? null : m.index });
    });
  }

  createLink(spec: LinkCreate): Promise<void> {
    return this.change(`link add ${spec.name} type ${spec.kind}`, (op) => {
      if (this.missingKinds.has(spec.kind)) throw NetlinkError.fromErrno(op, ERRNO.EOPNOTSUPP, 'Unknown device type');
      if (this.find(spec.name) !== undefined) throw NetlinkError.fromErrno(op, ERRNO.EEXIST);
      if (spec.kind === 'vlan') this.link(spec.parent, op);
      const make = (name: string): NetlinkLink =>
        fakeLink(this.nextIndex++, name, { up: false, operState: 'down', kind: spec.kind });
      this.plug(make(spec.name));
      if (spec.kind === 'veth') this.plug(make(spec.peer));
    });
  }

  deleteLink(ref: NetlinkLinkRef): Promise<void> {
    return this.change(`link delete ${String(ref)}`, (op) => {
      const l = this.link(ref, op);
      this.links_ = this.links_.filter((x) => x !== l);
      for (const a of this.addresses_.filter((x) => x.linkIndex === l.index)) this.dropAddress(a);
      for (const r of this.routes_.filter((x) => x.oif === l.index)) this.dropRoute(r);
      this.emit({ kind: 'link', op: 'del', link: l });
    });
  }

  addAddress(a: NetlinkAddressSpec, opts?: { readonly replace?: boolean }): Promise<void> {
    return this.change(`address add ${a.address}/${String(a.prefixLength)} dev ${String(a.link)}`, (op) => {
      const l = this.link(a.link, op);
      const existing = this.addresses_.find((x) => x.linkIndex === l.index && x.address === a.address);
      if (existing !== undefined && opts?.replace !== true) throw NetlinkError.fromErrno(op, ERRNO.EEXIST);
      if (existing !== undefined) this.addresses_ = this.addresses_.filter((x) => x !== existing);
      const added: NetlinkAddress = {
        ...fakeAddress(l.index, a.address, a.prefixLength),
        scope: a.scope ?? 0,
        flags: 0x80 | (a.flags ?? 0),
      };
      this.addresses_.push(added);
      this.emit({ kind: 'address', op: 'new', address: added });
    });
  }

  async addAddresses(
    list: readonly NetlinkAddressSpec[],
    opts?: { readonly replace?: boolean },
  ): Promise<(NetlinkError | undefined)[]> {
    return this.each(list, (a) => this.addAddress(a, opts));
  }

  async addRoutes(
    list: readonly NetlinkRouteSpec[],
    opts?: { readonly replace?: boolean },
  ): Promise<(NetlinkError | undefined)[]> {
    return this.each(list, (r) => this.addRoute(r, opts));
  }

  /** Runs `fn` on each item in order; a NetlinkError becomes that item's result, as in a kernel batch. */
  private async each<T>(list: readonly T[], fn: (x: T) => Promise<void>): Promise<(NetlinkError | undefined)[]> {
    const out: (NetlinkError | undefined)[] = [];
    for (const x of list) {
      try {
        await fn(x);
        out.push(undefined);
      } catch (e) {
        if (!(e instanceof NetlinkError)) throw e;
        out.push(e);
      }
    }
    return out;
  }

  deleteAddress(a: NetlinkAddressSpec): Promise<void> {
    return this.change(`address delete ${a.address}/${String(a.prefixLength)} dev ${String(a.link)}`, (op) => {
      const l = this.link(a.link, op);
      const found = this.addresses_.find(
        (x) => x.linkIndex === l.index && x.address === a.address && x.prefixLength === a.prefixLength,
      );
      if (found === undefined) throw NetlinkError.fromErrno(op, ERRNO.EADDRNOTAVAIL);
      this.dropAddress(found);
    });
  }

  addRoute(r: NetlinkRouteSpec, opts?: { readonly replace?: boolean }): Promise<void> {
    return this.change(`route add ${r.dst}/${String(r.dstLen)} via ${r.gateway ?? '-'}`, (op) => {
      const oif = r.oif === undefined ? undefined : this.link(r.oif, op);
      if (r.gateway !== undefined && !this.onLink(r.gateway, oif?.index)) {
        throw NetlinkError.fromErrno(op, ERRNO.ENETUNREACH);
      }
      const route = fakeRoute(r.dst, r.dstLen, {
        gateway: r.gateway ?? null,
        oif: oif?.index ?? null,
        priority: r.priority ?? null,
        table: r.table ?? 254,
        scope: r.scope ?? (r.gateway === undefined ? 253 : 0),
        protocol: r.protocol ?? 4,
        type: r.type ?? 1,
        prefsrc: r.prefsrc ?? null,
        mtu: r.mtu ?? null,
      });
      const same = this.routes_.find((x) => sameRouteKey(x, route));
      if (same !== undefined && opts?.replace === false) throw NetlinkError.fromErrno(op, ERRNO.EEXIST);
      if (same !== undefined) this.routes_ = this.routes_.filter((x) => x !== same);
      this.routes_.push(route);
      this.emit({ kind: 'route', op: 'new', route });
    });
  }

  deleteRoute(r: NetlinkRouteSpec): Promise<void> {
    return this.change(`route delete ${r.dst}/${String(r.dstLen)}`, (op) => {
      const table = r.table ?? 254;
      const found = this.routes_.find(
        (x) =>
          x.dst === r.dst &&
          x.dstLen === r.dstLen &&
          x.table === table &&
          (r.priority === undefined || x.priority === r.priority) &&
          (r.gateway === undefined || x.gateway === r.gateway),
      );
      if (found === undefined) throw NetlinkError.fromErrno(op, ERRNO.ESRCH);
      this.dropRoute(found);
    });
  }

  /** Removes an address as `ip addr del` would, with its event. */
  dropAddress(a: NetlinkAddress): void {
    this.addresses_ = this.addresses_.filter((x) => x !== a);
    this.emit({ kind: 'address', op: 'del', address: a });
  }

  /** Removes a route as `ip route del` would, with its event. */
  dropRoute(r: NetlinkRoute): void {
    this.routes_ = this.routes_.filter((x) => x !== r);
    this.emit({ kind: 'route', op: 'del', route: r });
  }

  /** Replaces a link's state as the kernel would (a change made by someone else), with its event. */
  replaceLink(old: NetlinkLink, next: NetlinkLink): void {
    this.links_ = this.links_.map((x) => (x === old ? next : x));
    this.emit({ kind: 'link', op: 'new', link: next });
  }

  /** The link called or numbered `ref`. */
  find(ref: NetlinkLinkRef): NetlinkLink | undefined {
    return this.links_.find((l) => (typeof ref === 'number' ? l.index === ref : l.name === ref));
  }

  private link(ref: NetlinkLinkRef, op: string): NetlinkLink {
    const l = this.find(ref);
    if (l === undefined) throw NetlinkError.fromErrno(op, ERRNO.ENODEV);
    return l;
  }

  /** True when `gateway` lies in the subnet of an address on `oif` (any link when undefined). */
  private onLink(gateway: string, oif: number | undefined): boolean {
    return this.addresses_.some((a) => {
      if (oif !== undefined && a.linkIndex !== oif) return false;
      if (isIPv4(a.address) !== isIPv4(gateway)) return false;
      const subnet = new BlockList();
      subnet.addSubnet(a.address, a.prefixLength, isIPv4(a.address) ? 'ipv4' : 'ipv6');
      return subnet.check(gateway, isIPv4(gateway) ? 'ipv4' : 'ipv6');
    });
  }

  private change(op: string, fn: (op: string) => void): Promise<void> {
    this.calls.push(op);
    return new Promise<void>((resolve) => {
      fn(op);
      resolve();
    });
  }

  links(): Promise<NetlinkLink[]> {
    return Promise.resolve([...this.links_]);
  }

  addresses(): Promise<NetlinkAddress[]> {
    return Promise.resolve([...this.addresses_]);
  }

  routes(opts?: { readonly tables?: ReadonlySet<number> }): Promise<NetlinkRoute[]> {
    const tables = opts?.tables;
    return Promise.resolve(this.routes_.filter((r) => tables === undefined || tables.has(r.table)));
  }

  /** Delivers `e` to every open subscription. */
  emit(e: NetlinkEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** Every emitted event as a batch of one (the kernel batches what one read holds; one is a valid batch). */
  eventBatches(signal: AbortSignal): AsyncIterable<readonly NetlinkEvent[]> {
    const events = this.events(signal);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const e of events) yield [e];
      },
    };
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
    type: name === 'lo' ? 772 : 1,
    carrier: true,
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
    mtu: null,
    ...more,
  };
}

/** The kernel's key of a route: table, destination, priority (and family, implied by the destination). */
function sameRouteKey(a: NetlinkRoute, b: NetlinkRoute): boolean {
  return a.table === b.table && a.dst === b.dst && a.dstLen === b.dstLen && a.priority === b.priority;
}
