// AddressSpec: an address the node assigns to a link; layered in `network-config`, merged in `network` (id `link/address/prefix`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { FamilySchema } from './address-status.js';
import { LayerSchema } from './layer.js';
import { NETWORK_NAMESPACE } from './link-status.js';

/** Spec of AddressSpec. */
export const AddressSpecSpecSchema = z.object({
  address: z.string().describe('The address with its prefix length, e.g. 10.5.0.2/24.'),
  linkName: z.string().min(1).describe('The link to assign it to.'),
  family: FamilySchema.describe('The address family.'),
  scope: z.string().describe('The scope: global, site, link or host.'),
  flags: z.string().describe('IFA_F_* flags to set, comma-separated (e.g. nodad); empty for none.'),
  layer: LayerSchema.describe('The config layer this spec came from.'),
});

/** The inferred spec type. */
export type AddressSpecSpec = z.infer<typeof AddressSpecSpecSchema>;

/** The AddressSpec type. */
export const AddressSpecType = defineResource({
  type: 'AddressSpec',
  schema: AddressSpecSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['addressspecs'],
  printColumns: [
    { name: 'Address', jsonPath: '{.address}' },
    { name: 'Link', jsonPath: '{.linkName}' },
    { name: 'Layer', jsonPath: '{.layer}' },
  ],
});
