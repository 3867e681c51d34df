// LinkSpec: a link as the node wants it (up, MTU, created kind, master); layered in `network-config`, merged in `network`.
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { LayerSchema } from './layer.js';
import { NETWORK_NAMESPACE } from './link-status.js';

/** Kinds of link the node creates itself; physical links (kind empty) must exist already. */
export const LinkKindSchema = z.enum(['', 'bridge', 'veth', 'vlan', 'bond', 'dummy']);

/** A link kind to create ('' for a physical link). */
export type LinkKind = z.infer<typeof LinkKindSchema>;

/** Spec of LinkSpec. */
export const LinkSpecSpecSchema = z.object({
  name: z.string().min(1).max(15).describe('The link name, e.g. eth0 or br0 (at most 15 characters).'),
  logical: z.boolean().describe('Created by the node (bridge, veth, vlan, bond, dummy) rather than found.'),
  kind: LinkKindSchema.describe('The kind to create when logical; empty for a physical link.'),
  up: z.boolean().describe('Set the link administratively up.'),
  mtu: z.number().int().min(0).max(65535).describe('The MTU to set; 0 leaves the kernel default.'),
  master: z.string().describe('The bridge or bond this link is enslaved to; empty for none.'),
  parent: z.string().describe('For a VLAN: the link it sits on; empty otherwise.'),
  vlanId: z.number().int().min(0).max(4094).describe('For a VLAN: its 802.1Q id; 0 otherwise.'),
  vethPeer: z.string().describe('For a veth: the name of the other end; empty otherwise.'),
  bondMode: z.string().describe('For a bond: the bonding mode (e.g. active-backup); empty otherwise.'),
  layer: LayerSchema.describe('The config layer this spec came from.'),
});

/** The inferred spec type. */
export type LinkSpecSpec = z.infer<typeof LinkSpecSpecSchema>;

/** The LinkSpec type; sensitive like LinkStatus (Talos makes both admin-only). */
export const LinkSpecType = defineResource({
  type: 'LinkSpec',
  schema: LinkSpecSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['linkspecs'],
  sensitive: true,
  printColumns: [
    { name: 'Kind', jsonPath: '{.kind}' },
    { name: 'Up', jsonPath: '{.up}' },
    { name: 'MTU', jsonPath: '{.mtu}' },
    { name: 'Master', jsonPath: '{.master}' },
    { name: 'Layer', jsonPath: '{.layer}' },
  ],
});
