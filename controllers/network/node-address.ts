// NodeAddressController: produces NodeAddress (default, current, accumulative) from AddressStatus and LinkStatus.
import { isIPv4 } from 'node:net';
import {
  AddressStatusType,
  LinkStatusType,
  NETWORK_NAMESPACE,
  NodeAddressType,
  type AddressStatusSpec,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';

/** The 16 bytes of an IPv6 address (no zone), for ordering. */
function ipv6Bytes(ip: string): number[] {
  const [head = '', tail] = ip.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  let left = groups(head);
  let right = tail === undefined ? [] : groups(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const v4 = (gs: string[]): string[] => {
    const last = gs.at(-1);
    if (last === undefined || !isIPv4(last)) return gs;
    const o = last.split('.').map(Number);
    const hex = (a = 0, b = 0): string => ((a << 8) | b).toString(16);
    return [...gs.slice(0, -1), hex(o[0], o[1]), hex(o[2], o[3])];
  };
  if (tail === undefined) left = v4(left);
  else right = v4(right);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

function addressKey(a: string): number[] {
  const ip = a.split('/')[0] ?? '';
  const prefix = Number(a.split('/')[1] ?? 0);
  if (isIPv4(ip)) return [4, ...ip.split('.').map(Number), prefix];
  return [6, ...ipv6Bytes(ip), prefix];
}

/** Orders `a/prefix` strings: IPv4 before IPv6, then by address bytes, then by prefix length. */
export function compareAddresses(a: string, b: string): number {
  const ka = addressKey(a);
  const kb = addressKey(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const d = (ka[i] ?? -1) - (kb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** The node's own addresses among `addresses`: global scope and not on a loopback link, sorted, without repeats. */
export function nodeAddresses(addresses: readonly AddressStatusSpec[], loopbacks: ReadonlySet<string>): string[] {
  const picked = addresses.filter((a) => a.scope === 'global' && !loopbacks.has(a.linkName)).map((a) => a.address);
  return [...new Set(picked)].sort(compareAddresses);
}

/**
 * Keeps `network/NodeAddress/current` equal to the node's global addresses (IPv4 first, each `a/prefix`), `default`
 * to the first of them (or none), and `accumulative` to every address `current` has held since the store started
 * (it unions with what it wrote before, so a controller restart does not forget).
 */
export class NodeAddressController implements Controller {
  readonly name = 'network.NodeAddressController';
  readonly inputs = [
    { namespace: NETWORK_NAMESPACE, type: AddressStatusType.type, kind: 'weak' as const },
    { namespace: NETWORK_NAMESPACE, type: LinkStatusType.type, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: NodeAddressType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const links = await ctx.list(LinkStatusType, NETWORK_NAMESPACE);
    const loopbacks = new Set(links.filter((l) => l.spec.type === 'loopback').map((l) => l.metadata.id));
    loopbacks.add('lo');
    const addresses = await ctx.list(AddressStatusType, NETWORK_NAMESPACE);
    const current = nodeAddresses(
      addresses.map((a) => a.spec),
      loopbacks,
    );
    await ctx.modify(NodeAddressType, NETWORK_NAMESPACE, 'current', () => ({ addresses: current }));
    await ctx.modify(NodeAddressType, NETWORK_NAMESPACE, 'default', () => ({ addresses: current.slice(0, 1) }));
    await ctx.modify(NodeAddressType, NETWORK_NAMESPACE, 'accumulative', (cur) => ({
      addresses: [...new Set([...(cur?.spec.addresses ?? []), ...current])].sort(compareAddresses),
    }));
  }
}
