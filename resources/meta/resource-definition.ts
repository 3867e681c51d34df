// ResourceDefinition: how each registered type presents itself, stored in namespace `meta`.
import { z } from 'zod';
import { defineResource } from '../resource-type.js';

/** The namespace holding resource definitions and namespaces. */
export const META_NAMESPACE = 'meta';

/** Spec of a ResourceDefinition (one per registered type, id = the type name). */
export const ResourceDefinitionSpecSchema = z.object({
  type: z.string().describe('The type name, e.g. AddressStatus.'),
  aliases: z.array(z.string()).describe('Lower-case names the CLI accepts for the type.'),
  defaultNamespace: z.string().describe('The namespace the CLI uses when none is given.'),
  printColumns: z
    .array(z.object({ name: z.string(), jsonPath: z.string() }))
    .describe('Extra columns of `osctl get`, as JSONPath into the spec.'),
  sensitivity: z.enum(['public', 'sensitive']).describe('Sensitive types are readable by os:admin only.'),
});

/** The inferred spec type. */
export type ResourceDefinitionSpec = z.infer<typeof ResourceDefinitionSpecSchema>;

/** The ResourceDefinition type. */
export const ResourceDefinitionType = defineResource({
  type: 'ResourceDefinition',
  schema: ResourceDefinitionSpecSchema,
  defaultNamespace: META_NAMESPACE,
  aliases: ['rd', 'rds', 'resourcedefinitions'],
  printColumns: [
    { name: 'Aliases', jsonPath: '{.aliases}' },
    { name: 'Namespace', jsonPath: '{.defaultNamespace}' },
  ],
});
