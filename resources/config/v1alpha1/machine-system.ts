// Host-level parts of the machine section: files, environment, time, sysctls, kernel modules, image registries.
import { z } from 'zod';
import {
  checkDuration,
  checkEnvName,
  checkFileMode,
  checkMirrorUrl,
  checkModuleName,
  checkModuleParameter,
  checkSysctlName,
  checkTimeServer,
  type Check,
} from './checks.js';
import { CertAndKeySchema, PathText, checkedString, report } from './common.js';
import { parseCertificate } from './pem.js';

/** A map whose keys must pass `check` (sysctl names, environment variable names). */
function checkedKeys<V extends z.ZodType>(value: V, check: Check<string>) {
  return z.record(z.string(), value).superRefine((m, ctx) => {
    for (const k of Object.keys(m)) {
      const message = check(k);
      if (message !== undefined) report(ctx, [k], message, k);
    }
  });
}

const FileMode = z
  .number()
  .int()
  .superRefine((n, ctx) => {
    const message = checkFileMode(n);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: n });
  })
  .meta({ format: 'octal mode', example: '0o644' });

/** machine.files[]. */
export const FileSchema = z.looseObject({
  content: z.string().describe('The file contents, as plain text (not base64).'),
  permissions: FileMode.describe('The file mode in octal, e.g. 0o644 (YAML 0644 also reads as octal, as in Talos).'),
  path: PathText.describe('The absolute path of the file, e.g. /var/etc/example.conf.'),
  op: z
    .enum(['create', 'append', 'overwrite'])
    .describe('create writes a new file (it must not exist), append adds to an existing one, overwrite replaces it.'),
});

/** machine.env: environment variables for every service. */
export const EnvSchema = checkedKeys(z.string(), checkEnvName)
  .describe('Environment variables set for the node and every service, e.g. { HTTPS_PROXY: http://proxy:3128 }.')
  .meta({ example: { HTTPS_PROXY: 'http://proxy.example.com:3128' } });

/** machine.time. */
export const TimeSchema = z.looseObject({
  disabled: z
    .boolean()
    .describe('Turn time synchronization off (leave the clock as it is).')
    .meta({ default: false })
    .optional(),
  servers: z
    .array(checkedString(checkTimeServer, { format: 'time server', example: 'time.cloudflare.com' }))
    .describe('NTP servers (names or addresses) or a PTP device such as /dev/ptp0.')
    .meta({ default: ['time.cloudflare.com'] })
    .optional(),
  bootTimeout: checkedString(checkDuration, { format: 'duration', example: '2m' })
    .describe('How long boot waits for the clock to sync before going on, e.g. 2m; unset waits indefinitely.')
    .optional(),
});

/** machine.sysctls. */
export const SysctlsSchema = checkedKeys(z.union([z.string(), z.number()]), checkSysctlName)
  .describe('Kernel parameters to set, name to value, e.g. { net.ipv4.ip_forward: "1" }.')
  .meta({ example: { 'net.ipv4.ip_forward': '1' } });

/** machine.kernel. */
export const KernelSchema = z.looseObject({
  modules: z
    .array(
      z.looseObject({
        name: checkedString(checkModuleName, { format: 'module name', example: 'br_netfilter' }).describe(
          'The kernel module to load, e.g. br_netfilter.',
        ),
        parameters: z
          .array(checkedString(checkModuleParameter, { format: 'name=value', example: 'nf_conntrack_max=131072' }))
          .describe('Module parameters as name=value, e.g. [nf_conntrack_max=131072].')
          .optional(),
      }),
    )
    .describe('Kernel modules to load at boot.')
    .optional(),
});

const MirrorSchema = z.looseObject({
  endpoints: z
    .array(checkedString(checkMirrorUrl, { format: 'URL', example: 'https://mirror.example.com' }))
    .min(1)
    .describe('Mirror URLs tried in order, e.g. [https://mirror.example.com]; http is allowed for local caches.'),
  overridePath: z.boolean().describe('Use the endpoint path as given instead of appending /v2.').optional(),
  skipFallback: z.boolean().describe('Do not fall back to the upstream registry when every mirror fails.').optional(),
});

const RegistryCa = checkedString(
  (s) => {
    const c = parseCertificate(s);
    return c.ok ? undefined : c.message;
  },
  { format: 'base64 PEM certificate' },
);

const RegistryConfigSchema = z.looseObject({
  tls: z
    .looseObject({
      clientIdentity: CertAndKeySchema.describe(
        'A client certificate and key for mutual TLS with the registry.',
      ).optional(),
      ca: RegistryCa.describe('The CA that signed the registry certificate, base64-encoded PEM.').optional(),
      insecureSkipVerify: z
        .boolean()
        .describe('Skip verifying the registry certificate (unsafe; for tests only).')
        .optional(),
    })
    .describe('TLS settings for the registry.')
    .optional(),
  auth: z
    .looseObject({
      username: z.string().describe('The user name to log in with.').optional(),
      password: z.string().describe('The password to log in with.').meta({ sensitive: true }).optional(),
      auth: z
        .string()
        .describe('base64 of user:password, as in ~/.docker/config.json.')
        .meta({ sensitive: true })
        .optional(),
      identityToken: z.string().describe('An identity token from the registry.').meta({ sensitive: true }).optional(),
    })
    .describe('Credentials for the registry.')
    .optional(),
});

/** machine.registries. */
export const RegistriesSchema = z.looseObject({
  mirrors: z
    .record(z.string(), MirrorSchema)
    .describe('Mirrors per registry host (the first part of an image name, e.g. docker.io); "*" matches any host.')
    .optional(),
  config: z
    .record(z.string(), RegistryConfigSchema)
    .describe('TLS and credentials per registry host and port, e.g. registry.example.com:5000.')
    .optional(),
});
