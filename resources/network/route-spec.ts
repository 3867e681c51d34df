// RouteSpec: a route the node installs; layered in `network-config`, merged in `network` (id like RouteStatus's).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { FamilySchema } from './address-status.js';
import { LayerSchema } from './layer.js';
import { NETWORK_NAMESPACE } from './link-status.js';

/** Spec of RouteSpec. */
export const RouteSpecSpecSchema = z.object({
  family: FamilySchema.describe('The address family.'),
  destination: z.string().describe('The destination prefix, e.g. 10.6.0.0/24; 0.0.0.0/0 or ::/0 for a default route.'),
  source: z.string().describe('The preferred source address; empty when unset.'),
  gateway: z.string().describe('The gateway; empty for a route straight onto the link.'),
  outLinkName: z.string().describe('The outgoing link; empty to let the kernel find it from the gateway.'),
  table: z.string().describe('The routing table: main, local, default or a number.'),
  metric: z.number().int().nonnegative().describe('The route priority; lower wins.'),
  scope: z.string().describe('The scope: global, link or host.'),
  type: z.string().describe('The route type: unicast, blackhole, unreachable, prohibit.'),
  protocol: z.string().describe('The protocol stamped on the route: static unless said otherwise.'),
  mtu: z.number().int().nonnegative().describe('The route MTU; 0 for the link MTU.'),
  layer: LayerSchema.describe('The config layer this spec came from.'),
});

/** The inferred spec type. */
export type RouteSpecSpec = z.infer<typeof RouteSpecSpecSchema>;

/** The RouteSpec type. */
export const RouteSpecType = defineResource({
  type: 'RouteSpec',
  schema: RouteSpecSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['routespecs'],
  printColumns: [
    { name: 'Destination', jsonPath: '{.destination}' },
    { name: 'Gateway', jsonPath: '{.gateway}' },
    { name: 'Link', jsonPath: '{.outLinkName}' },
    { name: 'Metric', jsonPath: '{.metric}' },
    { name: 'Layer', jsonPath: '{.layer}' },
  ],
});
