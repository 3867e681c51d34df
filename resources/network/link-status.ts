// LinkStatus: one network link as the kernel reports it (namespace `network`, id = link name).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';

/** The namespace of observed and desired network state. */
export const NETWORK_NAMESPACE = 'network';

/** RFC 2863 operational states, as the kernel names them. */
export const OperationalStateSchema = z.enum([
  'unknown',
  'notpresent',
  'down',
  'lowerlayerdown',
  'testing',
  'dormant',
  'up',
]);

/** Spec of LinkStatus. */
export const LinkStatusSpecSchema = z.object({
  index: z.number().int().nonnegative().describe('The kernel interface index.'),
  type: z.string().describe('The hardware type (ARPHRD): ether, loopback, none, tunnel and so on (or the number).'),
  kind: z.string().describe('The kernel link kind (bridge, veth, vlan); empty for kindless links such as loopback.'),
  up: z.boolean().describe('Administratively up (IFF_UP).'),
  operationalState: OperationalStateSchema.describe('The operational state (RFC 2863) the kernel reports.'),
  carrier: z
    .boolean()
    .nullable()
    .describe('Whether the link has carrier (a cable, a peer); null when the kernel does not say.'),
  mtu: z.number().int().nonnegative().describe('The MTU in bytes.'),
  hardwareAddr: z.string().describe('The hardware address as aa:bb:cc:dd:ee:ff; empty when the link has none.'),
  masterIndex: z.number().int().positive().nullable().describe('Index of the master (bridge, bond); null if none.'),
});

/** The inferred spec type. */
export type LinkStatusSpec = z.infer<typeof LinkStatusSpecSchema>;

/** The LinkStatus type; sensitive (reading it needs admin), like Talos. */
export const LinkStatusType = defineResource({
  type: 'LinkStatus',
  schema: LinkStatusSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['link', 'links'],
  sensitive: true,
  printColumns: [
    { name: 'Type', jsonPath: '{.type}' },
    { name: 'Kind', jsonPath: '{.kind}' },
    { name: 'Hw Addr', jsonPath: '{.hardwareAddr}' },
    { name: 'Oper State', jsonPath: '{.operationalState}' },
    { name: 'Link State', jsonPath: '{.up}' },
  ],
});
