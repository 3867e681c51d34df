// AddressStatus: one address assigned to a link as the kernel reports it (namespace `network`, id `link/address/prefix`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { NETWORK_NAMESPACE } from './link-status.js';

/** Address families as Talos names them. */
export const FamilySchema = z.enum(['inet4', 'inet6']);

/** Spec of AddressStatus. */
export const AddressStatusSpecSchema = z.object({
  address: z.string().describe('The address with its prefix length, e.g. 10.5.0.2/24.'),
  linkName: z.string().describe('The name of the link it is assigned to.'),
  linkIndex: z.number().int().nonnegative().describe('The kernel index of the link.'),
  family: FamilySchema.describe('The address family.'),
  scope: z.string().describe('The scope: global, site, link, host or nowhere (or the number).'),
  flags: z.string().describe('IFA_F_* flags, comma-separated (e.g. permanent,noprefixroute); empty when none.'),
});

/** The inferred spec type. */
export type AddressStatusSpec = z.infer<typeof AddressStatusSpecSchema>;

/** The AddressStatus type. */
export const AddressStatusType = defineResource({
  type: 'AddressStatus',
  schema: AddressStatusSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['address', 'addresses'],
  printColumns: [
    { name: 'Address', jsonPath: '{.address}' },
    { name: 'Link', jsonPath: '{.linkName}' },
  ],
});
