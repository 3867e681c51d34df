// TimeServerSpec (layered, then merged; id `timeservers`) and TimeServerStatus (the servers in effect).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { LayerSchema } from './layer.js';
import { NETWORK_NAMESPACE } from './link-status.js';

/** The id of the one time server spec and status. */
export const TIMESERVERS_ID = 'timeservers';

/** Spec of TimeServerSpec. */
export const TimeServerSpecSpecSchema = z.object({
  ntpServers: z.array(z.string()).describe('NTP servers in order, e.g. [time.cloudflare.com].'),
  layer: LayerSchema.describe('The config layer this spec came from.'),
});

/** The inferred spec type. */
export type TimeServerSpecSpec = z.infer<typeof TimeServerSpecSpecSchema>;

/** The TimeServerSpec type. */
export const TimeServerSpecType = defineResource({
  type: 'TimeServerSpec',
  schema: TimeServerSpecSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['timeserverspecs'],
  printColumns: [
    { name: 'Timeservers', jsonPath: '{.ntpServers}' },
    { name: 'Layer', jsonPath: '{.layer}' },
  ],
});

/** Spec of TimeServerStatus. */
export const TimeServerStatusSpecSchema = z.object({
  ntpServers: z.array(z.string()).describe('NTP servers in effect.'),
});

/** The inferred spec type. */
export type TimeServerStatusSpec = z.infer<typeof TimeServerStatusSpecSchema>;

/** The TimeServerStatus type. */
export const TimeServerStatusType = defineResource({
  type: 'TimeServerStatus',
  schema: TimeServerStatusSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['timeservers'],
  printColumns: [{ name: 'Timeservers', jsonPath: '{.ntpServers}' }],
});
