// machine.services: the node's extension services, each a system container run by the supervisor through containerd.
import { z } from 'zod';
import { checkAbsolutePath, checkDuration, checkEnvName } from './checks.js';
import { PathText, checkedString, report } from './common.js';

/** Service ids the node uses itself; an extension service may not take them. */
export const RESERVED_SERVICE_NAMES: readonly string[] = [
  'machined',
  'containerd',
  'apid',
  'trustd',
  'etcd',
  'kubelet',
];

const checkServiceName = (s: string): string | undefined => {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(s)) {
    return `"${s}" is not a service name (lowercase letters, digits and '-', at most 63, e.g. web-probe)`;
  }
  return RESERVED_SERVICE_NAMES.includes(s)
    ? `"${s}" is a service of the node itself; pick another name (reserved: ${RESERVED_SERVICE_NAMES.join(', ')})`
    : undefined;
};

const Duration = checkedString(checkDuration, { format: 'duration', example: '5s' });

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds of a Go duration that passed checkDuration (30s, 1m30s, 250ms). */
export function durationMs(text: string): number {
  let ms = 0;
  for (const m of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g))
    ms += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 0);
  return ms;
}

/** machine.services[]. */
export const ExtensionServiceSchema = z.looseObject({
  name: checkedString(checkServiceName, { format: 'service name', example: 'web-probe' }).describe(
    'The service id (osctl service, logs and ps use it), e.g. web-probe.',
  ),
  command: z
    .array(z.string())
    .min(1)
    .superRefine((c, ctx) => {
      const message = c[0] === undefined ? undefined : checkAbsolutePath(c[0]);
      if (message !== undefined) report(ctx, [0], `the program must be an absolute path: ${message}`, c[0]);
    })
    .describe('The program (an absolute path on the node) and its arguments, e.g. [/bin/busybox, httpd, -f].'),
  files: z
    .array(PathText)
    .describe(
      'Other host files the service needs in its root filesystem (the program and its shared libraries are added ' +
        'by themselves), e.g. [/etc/ssl/certs/ca-certificates.crt].',
    )
    .optional(),
  environment: z
    .record(z.string(), z.string())
    .superRefine((m, ctx) => {
      for (const k of Object.keys(m)) {
        const message = checkEnvName(k);
        if (message !== undefined) report(ctx, [k], message, k);
      }
    })
    .describe('Environment variables of the service, e.g. { LOG_LEVEL: debug }.')
    .optional(),
  restart: z
    .enum(['always', 'never', 'untilSuccess'])
    .describe('always restarts it whenever it ends; untilSuccess until it exits 0; never runs it once.')
    .meta({ default: 'always' })
    .optional(),
  healthCheck: z
    .looseObject({
      tcpPort: z
        .number()
        .int()
        .min(1)
        .max(65535)
        .describe('Healthy while a TCP connection to this port on the node (127.0.0.1) succeeds, e.g. 8080.'),
      initialDelay: Duration.describe('How long after a start the first check runs, e.g. 1s.')
        .meta({ default: '1s' })
        .optional(),
      period: Duration.describe('How often it checks, e.g. 5s.').meta({ default: '5s' }).optional(),
      timeout: Duration.describe('How long one check may take, e.g. 500ms.').meta({ default: '500ms' }).optional(),
    })
    .describe('How the supervisor tells the service is healthy; without it, health is unknown.')
    .optional(),
});

/** machine.services: names must be unique. */
export const ExtensionServicesSchema = z
  .array(ExtensionServiceSchema)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (seen.has(s.name))
        report(ctx, [i, 'name'], `service "${s.name}" is defined twice; names must be unique`, s.name);
      seen.add(s.name);
    });
  })
  .describe('Extension services: programs the node runs as system containers, restarted and health-checked.');

/** One extension service as configured. */
export type ExtensionService = z.infer<typeof ExtensionServiceSchema>;
