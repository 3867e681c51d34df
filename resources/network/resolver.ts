// ResolverSpec (layered, then merged; id `resolvers`) and ResolverStatus (what /etc/resolv.conf under the node root says).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { LayerSchema } from './layer.js';
import { NETWORK_NAMESPACE } from './link-status.js';

/** The id of the one resolver spec and status. */
export const RESOLVERS_ID = 'resolvers';

/** Spec of ResolverSpec. */
export const ResolverSpecSpecSchema = z.object({
  dnsServers: z.array(z.string()).describe('Name servers in order, e.g. [1.1.1.1, 8.8.8.8].'),
  searchDomains: z.array(z.string()).describe('DNS search domains, e.g. [example.com].'),
  layer: LayerSchema.describe('The config layer this spec came from.'),
});

/** The inferred spec type. */
export type ResolverSpecSpec = z.infer<typeof ResolverSpecSpecSchema>;

/** The ResolverSpec type. */
export const ResolverSpecType = defineResource({
  type: 'ResolverSpec',
  schema: ResolverSpecSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['resolverspecs'],
  printColumns: [
    { name: 'Resolvers', jsonPath: '{.dnsServers}' },
    { name: 'Layer', jsonPath: '{.layer}' },
  ],
});

/** Spec of ResolverStatus. */
export const ResolverStatusSpecSchema = z.object({
  dnsServers: z.array(z.string()).describe('Name servers in effect.'),
  searchDomains: z.array(z.string()).describe('Search domains in effect.'),
});

/** The inferred spec type. */
export type ResolverStatusSpec = z.infer<typeof ResolverStatusSpecSchema>;

/** The ResolverStatus type. */
export const ResolverStatusType = defineResource({
  type: 'ResolverStatus',
  schema: ResolverStatusSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['resolvers'],
  printColumns: [{ name: 'Resolvers', jsonPath: '{.dnsServers}' }],
});
