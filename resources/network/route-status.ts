// RouteStatus: one route of any table as the kernel reports it (namespace `network`, id `table/family/gateway/dst/metric/link`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { FamilySchema } from './address-status.js';
import { NETWORK_NAMESPACE } from './link-status.js';

/** Spec of RouteStatus. */
export const RouteStatusSpecSchema = z.object({
  family: FamilySchema.describe('The address family.'),
  destination: z.string().describe('The destination prefix, e.g. 10.5.0.0/24; 0.0.0.0/0 or ::/0 for a default route.'),
  source: z.string().describe('The preferred source address; empty when unset.'),
  gateway: z.string().describe('The gateway address; empty for a directly connected route.'),
  outLinkName: z.string().describe('The name of the outgoing link; empty when the route has none.'),
  table: z.string().describe('The routing table: main, local, default or its number.'),
  metric: z.number().int().nonnegative().describe('The route priority (metric); 0 when unset.'),
  scope: z.string().describe('The scope: global, site, link, host or nowhere (or the number).'),
  type: z.string().describe('The route type: unicast, local, broadcast, blackhole and so on (or the number).'),
  protocol: z.string().describe('Who installed it: kernel, boot, static, dhcp and so on (or the number).'),
});

/** The inferred spec type. */
export type RouteStatusSpec = z.infer<typeof RouteStatusSpecSchema>;

/** The RouteStatus type. */
export const RouteStatusType = defineResource({
  type: 'RouteStatus',
  schema: RouteStatusSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['route', 'routes'],
  printColumns: [
    { name: 'Destination', jsonPath: '{.destination}' },
    { name: 'Gateway', jsonPath: '{.gateway}' },
    { name: 'Link', jsonPath: '{.outLinkName}' },
    { name: 'Metric', jsonPath: '{.metric}' },
  ],
});
