// ApiStatus: whether the node API (apid) serves, in which mode and where (namespace `runtime`, id `apid`), written by machined.
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { RUNTIME_NAMESPACE } from './machine-stage.js';

/** The id of the one ApiStatus resource. */
export const API_STATUS_ID = 'apid';

/** Spec of ApiStatus. */
export const ApiStatusSpecSchema = z.object({
  mode: z
    .enum(['secure', 'maintenance', 'off'])
    .describe('secure: mutual TLS with the OS CA; maintenance: server-only TLS for apply-config; off: not serving.'),
  endpoint: z.string().describe('The address and port it listens on, e.g. 0.0.0.0:50000; empty when off.'),
  reason: z.string().describe('Why the API is off, and what would start it; empty otherwise.'),
});

/** The inferred spec type. */
export type ApiStatusSpec = z.infer<typeof ApiStatusSpecSchema>;

/** The ApiStatus type (an input of MachineStatus; only machined writes it). */
export const ApiStatusType = defineResource({
  type: 'ApiStatus',
  schema: ApiStatusSpecSchema,
  defaultNamespace: RUNTIME_NAMESPACE,
  aliases: ['apistatuses'],
  printColumns: [
    { name: 'Mode', jsonPath: '{.mode}' },
    { name: 'Endpoint', jsonPath: '{.endpoint}' },
  ],
});
