// HostnameSpec (layered, then merged; id `hostname`) and HostnameStatus (the kernel's UTS names; id `hostname`).
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { LayerSchema } from './layer.js';
import { NETWORK_NAMESPACE } from './link-status.js';

/** The id of the one hostname spec and status. */
export const HOSTNAME_ID = 'hostname';

/** Spec of HostnameSpec. */
export const HostnameSpecSpecSchema = z.object({
  hostname: z.string().min(1).max(63).describe('The short host name (the first DNS label), e.g. worker-1.'),
  domainname: z.string().max(253).describe('The domain name, e.g. example.com; empty for none.'),
  layer: LayerSchema.describe('The config layer this spec came from.'),
});

/** The inferred spec type. */
export type HostnameSpecSpec = z.infer<typeof HostnameSpecSpecSchema>;

/** The HostnameSpec type. */
export const HostnameSpecType = defineResource({
  type: 'HostnameSpec',
  schema: HostnameSpecSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['hostnamespecs'],
  printColumns: [
    { name: 'Hostname', jsonPath: '{.hostname}' },
    { name: 'Domainname', jsonPath: '{.domainname}' },
    { name: 'Layer', jsonPath: '{.layer}' },
  ],
});

/** Spec of HostnameStatus. */
export const HostnameStatusSpecSchema = z.object({
  hostname: z.string().describe('The kernel host name (UTS nodename).'),
  domainname: z.string().describe('The kernel domain name (UTS domainname); empty when "(none)".'),
});

/** The inferred spec type. */
export type HostnameStatusSpec = z.infer<typeof HostnameStatusSpecSchema>;

/** The HostnameStatus type. */
export const HostnameStatusType = defineResource({
  type: 'HostnameStatus',
  schema: HostnameStatusSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['hostname', 'hostnames'],
  printColumns: [
    { name: 'Hostname', jsonPath: '{.hostname}' },
    { name: 'Domainname', jsonPath: '{.domainname}' },
  ],
});
