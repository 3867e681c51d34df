// `gen config` end to end: checks the inputs, makes or loads secrets, builds, patches and validates both configs, writes them.
import { join } from 'node:path';
import { FileExistsError, InvalidGeneratedConfigError, InvalidSecretsError } from './errors.js';
import { existingPaths, writePrivateFiles } from './files.js';
import {
  DEFAULTS,
  DEFAULT_KUBERNETES_VERSION,
  checkClusterName,
  controlPlaneConfig,
  normalizeEndpoint,
  normalizeKubernetesVersion,
  talosconfig,
  toYaml,
  workerConfig,
  type ClusterInput,
} from './generate.js';
import type { JsonObject } from './json.js';
import { applyPatches, loadPatches, type ConfigPatch } from './patch.js';
import { CLIENT_VALIDITY_DAYS, fromBase64Pem, generateRsaKey, issueClientCertificate } from './pki.js';
import { generateSecrets, loadSecrets, type SecretsBundle } from './secrets.js';
import { ConfigValidationError, validateMachineConfig, type ValidationMode } from '../../resources/index.js';

/** The role in the client certificate of the talosconfig gen config writes. */
export const ADMIN_ROLE = 'os:admin';

/** The files gen config writes into the output directory. */
export const GEN_CONFIG_FILES = {
  controlPlane: 'controlplane.yaml',
  worker: 'worker.yaml',
  talosconfig: 'talosconfig',
} as const;

/** What gen config is asked for: the CLI's arguments and flags. */
export interface GenConfigOptions {
  readonly clusterName: string;
  readonly endpoint: string;
  readonly outputDir: string;
  /** A secrets bundle file to reuse; fresh secrets otherwise. */
  readonly withSecrets?: string;
  /** `--config-patch` values, applied to both configs first, then the per-role ones. */
  readonly patches?: readonly string[];
  readonly patchesControlPlane?: readonly string[];
  readonly patchesWorker?: readonly string[];
  readonly additionalSans?: readonly string[];
  readonly dnsDomain?: string;
  readonly kubernetesVersion?: string;
  readonly installDisk?: string;
  /** The mode the patched configs must validate for; metal by default (the configs name an install disk). */
  readonly mode?: ValidationMode;
  readonly force?: boolean;
  readonly now?: Date;
  readonly signal?: AbortSignal;
}

/** A validator warning about one of the written files. */
export interface GenConfigWarning {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

/** What gen config did: the files it wrote (in order) and the validator's warnings. */
export interface GenConfigResult {
  readonly written: readonly string[];
  readonly endpoint: URL;
  readonly warnings: readonly GenConfigWarning[];
}

/**
 * Generates and writes controlplane.yaml, worker.yaml and talosconfig (mode 0600). Everything that can be checked
 * cheaply (arguments, patches, files in the way) is checked before any key is generated; nothing is written unless
 * both patched configs validate.
 */
export async function genConfig(options: GenConfigOptions): Promise<GenConfigResult> {
  const { signal, force = false } = options;
  const clusterName = checkClusterName(options.clusterName);
  const endpoint = normalizeEndpoint(options.endpoint);
  const kubernetesVersion = normalizeKubernetesVersion(options.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION);
  const paths = Object.values(GEN_CONFIG_FILES).map((f) => join(options.outputDir, f));
  if (!force) {
    const existing = await existingPaths(paths, signal);
    if (existing.length > 0) throw new FileExistsError(existing);
  }
  const [all, cp, worker] = await Promise.all([
    loadPatches(options.patches ?? [], { flag: '--config-patch', ...withSignal(signal) }),
    loadPatches(options.patchesControlPlane ?? [], { flag: '--config-patch-control-plane', ...withSignal(signal) }),
    loadPatches(options.patchesWorker ?? [], { flag: '--config-patch-worker', ...withSignal(signal) }),
  ]);
  const now = options.now ?? new Date();
  // The admin key is made beside the CA keys: every RSA key generates at once in the thread pool.
  const [secrets, adminKey] = await Promise.all([
    options.withSecrets === undefined
      ? generateSecrets({ now, ...withSignal(signal) })
      : loadSecrets(options.withSecrets, signal),
    generateRsaKey(signal),
  ]);
  const input: ClusterInput = {
    clusterName,
    endpoint,
    secrets,
    kubernetesVersion,
    dnsDomain: options.dnsDomain ?? DEFAULTS.dnsDomain,
    additionalSans: options.additionalSans ?? [],
    installDisk: options.installDisk ?? DEFAULTS.installDisk,
  };
  const mode = options.mode ?? 'metal';
  const warnings: GenConfigWarning[] = [];
  const build = (file: string, doc: JsonObject, patches: readonly ConfigPatch[]): JsonObject => {
    const patched = applyPatches(doc, patches);
    warnings.push(...validate(file, patched, mode));
    return patched;
  };
  const cpDoc = build(GEN_CONFIG_FILES.controlPlane, controlPlaneConfig(input), [...all, ...cp]);
  const workerDoc = build(GEN_CONFIG_FILES.worker, workerConfig(input), [...all, ...worker]);
  const client = issueClientCertificate(
    osCa(secrets, options.withSecrets),
    adminKey,
    { organization: [ADMIN_ROLE] },
    now,
  );
  const contents = render({
    input,
    mode,
    now,
    cpDoc,
    workerDoc,
    talosconfig: talosconfig(clusterName, endpoint, secrets.certs.os.crt, client),
  });
  await writePrivateFiles(
    paths.map((path, i) => ({ path, content: contents[i] ?? '' })),
    { force, ...withSignal(signal) },
  );
  return { written: paths, endpoint, warnings };
}

/** The three files' text, each after a comment header saying what it is and how to treat it. */
function render(r: {
  input: ClusterInput;
  mode: ValidationMode;
  now: Date;
  cpDoc: JsonObject;
  workerDoc: JsonObject;
  talosconfig: JsonObject;
}): string[] {
  const { clusterName, kubernetesVersion } = r.input;
  const stamp = `Generated by \`osctl gen config\` on ${r.now.toISOString()}.`;
  const machineHeader = (role: string, file: string): string[] => [
    `Machine config (v1alpha1) of a ${role} node of cluster "${clusterName}" (Kubernetes v${kubernetesVersion}).`,
    `${stamp} It holds the cluster's tokens${role === 'worker' ? '' : ' and CA keys'}: keep it private.`,
    `Check it with \`osctl validate -c ${file} --mode ${r.mode}\`.`,
  ];
  const until = new Date(r.now.getTime() + CLIENT_VALIDITY_DAYS * 86_400_000).toISOString().slice(0, 10);
  return [
    toYaml(r.cpDoc, machineHeader('control-plane', GEN_CONFIG_FILES.controlPlane)),
    toYaml(r.workerDoc, machineHeader('worker', GEN_CONFIG_FILES.worker)),
    toYaml(r.talosconfig, [
      `Client config of osctl for cluster "${clusterName}": an ${ADMIN_ROLE} client certificate valid until ${until}.`,
      `${stamp} It grants full access to the nodes: keep it private.`,
      'Use it with `osctl --talosconfig FILE ...`.',
    ]),
  ];
}

function validate(file: string, doc: JsonObject, mode: ValidationMode): GenConfigWarning[] {
  try {
    return validateMachineConfig(doc, { mode, strict: false }).warnings.map((w) => ({ file, ...w }));
  } catch (e: unknown) {
    if (e instanceof ConfigValidationError) throw new InvalidGeneratedConfigError(file, e.issues, { cause: e });
    throw e;
  }
}

/** The OS CA as PEM, to sign the talosconfig client certificate. */
function osCa(secrets: SecretsBundle, source = 'generated secrets'): { crt: string; key: string } {
  const crt = fromBase64Pem(secrets.certs.os.crt);
  const key = fromBase64Pem(secrets.certs.os.key);
  if (crt === undefined || key === undefined) {
    throw new InvalidSecretsError(source, [
      { field: 'certs.os', message: 'must hold a base64 PEM certificate and key' },
    ]);
  }
  return { crt, key };
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
