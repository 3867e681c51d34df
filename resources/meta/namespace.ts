// Namespace: the namespaces the store holds, with a description, stored in namespace `meta`.
import { z } from 'zod';
import { defineResource } from '../resource-type.js';
import { META_NAMESPACE } from './resource-definition.js';

/** Spec of a Namespace resource (id = the namespace name). */
export const NamespaceSpecSchema = z.object({
  description: z.string().describe('What the namespace holds.'),
});

/** The inferred spec type. */
export type NamespaceSpec = z.infer<typeof NamespaceSpecSchema>;

/** The Namespace type. */
export const NamespaceType = defineResource({
  type: 'Namespace',
  schema: NamespaceSpecSchema,
  defaultNamespace: META_NAMESPACE,
  aliases: ['ns', 'namespaces'],
  printColumns: [{ name: 'Description', jsonPath: '{.description}' }],
});
