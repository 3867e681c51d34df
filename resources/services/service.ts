// Service: one system service as the supervisor sees it (namespace `v1alpha1`, id = the service id), written by machined.
import { z } from 'zod';
import { defineResource } from '../resource-type.js';

/** The namespace of system services, as Talos names it. */
export const SERVICES_NAMESPACE = 'v1alpha1';

/** The states a service goes through (reference.md, "Services"). */
export const ServiceStateSchema = z.enum([
  'Initialized',
  'Preparing',
  'Waiting',
  'Starting',
  'Running',
  'Stopping',
  'Finished',
  'Failed',
  'Skipped',
]);

/** A service state name. */
export type ServiceStateName = z.infer<typeof ServiceStateSchema>;

/** Spec of Service. */
export const ServiceSpecSchema = z.object({
  state: ServiceStateSchema.describe('Where the service is in its life cycle.'),
  running: z.boolean().describe('Whether its workload is running now.'),
  healthy: z.boolean().describe('Whether its last health check passed (false while unknown).'),
  unknown: z.boolean().describe('Whether its health is unknown: no check has run yet, or it has no health check.'),
  pid: z.number().int().nonnegative().describe('The pid of its workload while running, else 0.'),
  restarts: z.number().int().nonnegative().describe('How many times the supervisor has restarted it.'),
  message: z.string().describe("The message of its last event, e.g. 'killed by SIGKILL' or 'started, pid 123'."),
  healthMessage: z.string().describe('The last health check message, empty when healthy or unknown.'),
});

/** The inferred spec type. */
export type ServiceSpec = z.infer<typeof ServiceSpecSchema>;

/** The Service type: `osctl get services --watch` shows a crash and the recovery. */
export const ServiceType = defineResource({
  type: 'Service',
  schema: ServiceSpecSchema,
  defaultNamespace: SERVICES_NAMESPACE,
  aliases: ['services', 'svc'],
  printColumns: [
    { name: 'State', jsonPath: '{.state}' },
    { name: 'Running', jsonPath: '{.running}' },
    { name: 'Healthy', jsonPath: '{.healthy}' },
    { name: 'Health Unknown', jsonPath: '{.unknown}' },
    { name: 'Message', jsonPath: '{.message}' },
  ],
});
