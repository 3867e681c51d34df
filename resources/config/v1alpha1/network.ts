// The machine.network section: links (plain, VLAN, bond, bridge, dummy), addresses, routes, resolvers, and per-link rules.
import { z } from 'zod';
import {
  AddressText,
  HostnameText,
  IpText,
  LinkNameText,
  SubnetText,
  field,
  listField,
  report,
  stringField,
} from './common.js';
import { checkGateways } from './gateway.js';

const Mtu = z.number().int().min(68).max(65535);
const U32 = z.number().int().min(0).max(4294967295);

const RouteSchema = z.looseObject({
  network: SubnetText.describe('The destination network; 0.0.0.0/0 (or ::/0) is the default route.').meta({
    example: '0.0.0.0/0',
  }),
  gateway: IpText.describe(
    'The next hop; it must lie in the subnet of an address on the same link, or be declared on-link (see "The gateway rule"). Leave it out for a route straight onto the link.',
  ).optional(),
  source: IpText.describe('The source address to prefer for traffic on this route, e.g. 10.5.0.2.').optional(),
  metric: U32.describe('The route priority: lower wins when two routes match, e.g. 1024.').optional(),
  mtu: Mtu.describe('The MTU for traffic on this route, when it must be lower than the link MTU.').optional(),
});

const linkFields = {
  addresses: z
    .array(AddressText)
    .describe('Static addresses with prefix length, e.g. [10.5.0.2/24, fd00::2/64]; a bare address means /32 or /128.')
    .optional(),
  routes: z
    .array(RouteSchema)
    .describe('Static routes through this link; with dhcp they are added to the routes DHCP provides.')
    .optional(),
  mtu: Mtu.describe('The link MTU in bytes; overrides what DHCP offers.').meta({ example: 1500 }).optional(),
  dhcp: z
    .boolean()
    .describe('Configure this link with DHCP; static addresses and routes are added to the lease.')
    .optional(),
};

const VlanSchema = z.looseObject({
  vlanId: z
    .number()
    .int()
    .min(1)
    .max(4094)
    .describe('The 802.1Q VLAN id, 1 to 4094; the link is named <parent>.<id>.')
    .meta({ example: 100 }),
  ...linkFields,
});

const BondSchema = z.looseObject({
  interfaces: z.array(LinkNameText).min(1).describe('The links that make up the bond, e.g. [eth0, eth1].'),
  mode: z
    .enum(['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'])
    .describe('The bonding mode; 802.3ad is LACP and needs switch support.')
    .optional(),
  xmitHashPolicy: z
    .enum(['layer2', 'layer3+4', 'layer2+3', 'encap2+3', 'encap3+4', 'vlan+srcmac'])
    .describe('How balance-xor and 802.3ad pick a member link for each flow.')
    .optional(),
  lacpRate: z
    .enum(['slow', 'fast'])
    .describe('How often 802.3ad partners exchange LACP packets: slow (30 s) or fast (1 s).')
    .optional(),
  miimon: U32.describe('Link monitoring interval in milliseconds, e.g. 100; 0 turns MII monitoring off.').optional(),
  updelay: U32.describe(
    'Milliseconds to wait before using a member link that came up, a multiple of miimon.',
  ).optional(),
  downdelay: U32.describe(
    'Milliseconds to wait before dropping a member link that went down, a multiple of miimon.',
  ).optional(),
  arpInterval: U32.describe('ARP monitoring interval in milliseconds (instead of miimon).').optional(),
  arpIPTarget: z.array(IpText).describe('Addresses to probe with ARP when arpInterval is set.').optional(),
  arpValidate: z
    .enum(['none', 'active', 'backup', 'all', 'filter', 'filter_active', 'filter_backup'])
    .describe('Which ARP probes and replies to validate.')
    .optional(),
  primary: LinkNameText.describe('The member link preferred in active-backup mode.').optional(),
  primaryReselect: z
    .enum(['always', 'better', 'failure'])
    .describe('When the primary link becomes active again.')
    .optional(),
  failOverMac: z.enum(['none', 'active', 'follow']).describe('How active-backup sets member MAC addresses.').optional(),
  adSelect: z.enum(['stable', 'bandwidth', 'count']).describe('How 802.3ad picks the active aggregator.').optional(),
  minLinks: U32.describe('Member links that must be up before the bond reports carrier.').optional(),
  useCarrier: z
    .boolean()
    .describe('Use the driver carrier state (true) rather than MII ioctls for link monitoring.')
    .optional(),
});

const BridgeSchema = z.looseObject({
  interfaces: z.array(LinkNameText).describe('The links attached to the bridge, e.g. [eth1, eth2].'),
  stp: z
    .looseObject({ enabled: z.boolean().describe('Run the Spanning Tree Protocol to avoid loops.').optional() })
    .describe('Spanning Tree Protocol settings.')
    .optional(),
});

function interfaceRule(v: unknown, ctx: z.core.$RefinementCtx): void {
  const name = stringField(v, 'interface') ?? 'this interface';
  if (field(v, 'bond') !== undefined && field(v, 'bridge') !== undefined) {
    report(
      ctx,
      ['bridge'],
      `${name} is configured as both a bond and a bridge; give each its own interface entry`,
      undefined,
    );
  }
  checkGateways(ctx, v, name, []);
  const seen = new Map<number, number>();
  listField(v, 'vlans').forEach((vlan, j) => {
    const id = field(vlan, 'vlanId');
    if (typeof id !== 'number') return;
    const first = seen.get(id);
    if (first !== undefined)
      report(
        ctx,
        ['vlans', j, 'vlanId'],
        `VLAN ${id} is already defined at vlans[${first}] of ${name}; merge the two entries`,
        id,
      );
    else seen.set(id, j);
    checkGateways(ctx, vlan, `${name}.${id}`, ['vlans', j]);
  });
}

const InterfaceSchema = z
  .looseObject({
    interface: LinkNameText.describe(
      'The link name, e.g. eth0, bond0, br0 or dummy0; bonds, bridges and dummies are created.',
    ),
    ...linkFields,
    vlans: z
      .array(VlanSchema)
      .describe('VLANs on top of this link, each with its own addresses and routes.')
      .optional(),
    bond: BondSchema.describe('Make this link a bond over other links.').optional(),
    bridge: BridgeSchema.describe('Make this link a bridge over other links.').optional(),
    dummy: z
      .boolean()
      .describe('Create this link as a dummy (virtual, no hardware), e.g. for a service address.')
      .optional(),
    ignore: z.boolean().describe('Leave this link alone: no addresses, routes or DHCP from the node.').optional(),
  })
  .superRefine(interfaceRule, { when: () => true });

function networkRule(v: unknown, ctx: z.core.$RefinementCtx): void {
  const seen = new Map<string, number>();
  listField(v, 'interfaces').forEach((iface, i) => {
    const name = stringField(iface, 'interface');
    if (name === undefined) return;
    const first = seen.get(name);
    if (first !== undefined)
      report(
        ctx,
        ['interfaces', i, 'interface'],
        `${name} is already configured at interfaces[${first}]; merge the two entries`,
        name,
      );
    else seen.set(name, i);
  });
}

/** machine.network. */
export const NetworkSchema = z
  .looseObject({
    hostname: HostnameText.describe(
      'The node hostname: DNS labels of letters, digits and hyphens, e.g. worker-1 or worker-1.example.com.',
    ).optional(),
    interfaces: z
      .array(InterfaceSchema)
      .describe('Per-link settings; links not listed here are left to DHCP defaults.')
      .optional(),
    nameservers: z
      .array(IpText)
      .describe('DNS resolvers to use instead of those from DHCP, e.g. [1.1.1.1, 8.8.8.8].')
      .optional(),
    searchDomains: z.array(HostnameText).describe('DNS search domains, e.g. [example.com].').optional(),
    extraHostEntries: z
      .array(
        z.looseObject({
          ip: IpText.describe('The address the aliases resolve to.'),
          aliases: z.array(HostnameText).describe('Names for the address, e.g. [registry.local].'),
        }),
      )
      .describe('Extra /etc/hosts lines.')
      .optional(),
  })
  .superRefine(networkRule, { when: () => true });
