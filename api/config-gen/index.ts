// Config generation for osctl: secrets bundles, machine configs and talosconfig, patches, and their typed errors.
export {
  ConfigGenError,
  FileAccessError,
  FileExistsError,
  InvalidArgumentError,
  InvalidGeneratedConfigError,
  InvalidSecretsError,
  PatchError,
  isConfigGenError,
  isInvalidSecrets,
  isPatchError,
  type ConfigGenErrorCode,
  type ConfigIssue,
  type PatchLocation,
  type SecretsIssue,
} from './errors.js';
export { readTextFile, writePrivateFiles, type OutputFile, type WriteOptions } from './files.js';
export {
  DEFAULTS,
  DEFAULT_KUBERNETES_VERSION,
  ETCD_IMAGE,
  INSTALLER_IMAGE,
  controlPlaneConfig,
  endpointHost,
  normalizeEndpoint,
  talosconfig,
  workerConfig,
  type ClusterInput,
} from './generate.js';
export {
  ADMIN_ROLE,
  GEN_CONFIG_FILES,
  genConfig,
  type GenConfigOptions,
  type GenConfigResult,
  type GenConfigWarning,
} from './gen-config.js';
export type { Json, JsonObject } from './json.js';
export { applyJsonPatch, parsePointer, type JsonPatchOperation } from './json-patch.js';
export { applyPatches, loadPatches, parsePatch, type ConfigPatch, type LoadPatchesOptions } from './patch.js';
export {
  TOKEN_PATTERN,
  generateSecrets,
  genSecretsFile,
  loadSecrets,
  parseSecrets,
  secretsToYaml,
  type SecretsBundle,
} from './secrets.js';
export {
  fromBase64Pem,
  generateRsaKeySync,
  issueLeafCertificate,
  toBase64Pem,
  type CertAndKeyPem,
  type LeafOptions,
  type Subject,
} from './pki.js';
export { strategicMerge } from './strategic-merge.js';
