// NodeAddressController: produces NodeAddress (default, current, accumulative) from AddressStatus and LinkStatus.
import {
  AddressStatusType,
  LinkStatusType,
  NETWORK_NAMESPACE,
  NodeAddressType,
  type AddressStatusSpec,
} from '../../resources/index.js';
import { ipToBytes, type Controller, type ControllerContext } from '../../runtime/index.js';

/** The sort key of `a/prefix`: the address length (IPv4 first), the address bytes, the prefix length. */
function addressKey(a: string): Buffer {
  const [ip = '', prefix = '0'] = a.split('/');
  const bytes = ipToBytes(ip);
  return Buffer.concat([Buffer.from([bytes.length]), bytes, Buffer.from([Number(prefix)])]);
}

/** Orders `a/prefix` strings: IPv4 before IPv6, then by address bytes, then by prefix length. */
export function compareAddresses(a: string, b: string): number {
  return Buffer.compare(addressKey(a), addressKey(b));
}

/** `addresses` sorted by {@link compareAddresses}, each key computed once (thousands of addresses are normal). */
export function sortAddresses(addresses: Iterable<string>): string[] {
  return [...addresses]
    .map((a) => [addressKey(a), a] as const)
    .sort((x, y) => Buffer.compare(x[0], y[0]))
    .map(([, a]) => a);
}

/** The node's own addresses among `addresses`: global scope and not on a loopback link, sorted, without repeats. */
export function nodeAddresses(addresses: readonly AddressStatusSpec[], loopbacks: ReadonlySet<string>): string[] {
  const picked = addresses.filter((a) => a.scope === 'global' && !loopbacks.has(a.linkName)).map((a) => a.address);
  return sortAddresses(new Set(picked));
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
      addresses: sortAddresses(new Set([...(cur?.spec.addresses ?? []), ...current])),
    }));
  }
}
