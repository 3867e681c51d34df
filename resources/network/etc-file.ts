// EtcFileStatus: a file the node renders under its root directory (ids `resolv.conf`, `hosts`), with what it wrote.
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { NETWORK_NAMESPACE } from './link-status.js';

/** Spec of EtcFileStatus. */
export const EtcFileStatusSpecSchema = z.object({
  path: z.string().describe('Where the file is, e.g. /var/lib/osnode/root/etc/resolv.conf.'),
  contents: z.string().describe('What was written.'),
});

/** The inferred spec type. */
export type EtcFileStatusSpec = z.infer<typeof EtcFileStatusSpecSchema>;

/** The EtcFileStatus type. */
export const EtcFileStatusType = defineResource({
  type: 'EtcFileStatus',
  schema: EtcFileStatusSpecSchema,
  defaultNamespace: NETWORK_NAMESPACE,
  aliases: ['etcfiles'],
  printColumns: [{ name: 'Path', jsonPath: '{.path}' }],
});
