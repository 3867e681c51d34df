// The machine config v1alpha1: schema, validation, YAML parsing and the generated reference, listed by name.
export { CONFIG_VERSION, MachineConfigSpecSchema, type MachineConfigDocument } from './document.js';
export { ConfigValidationError, DOCUMENT_PATH, isInvalidConfig, type ConfigIssue } from './issues.js';
export {
  validateMachineConfig,
  type ValidationMode,
  type ValidationOptions,
  type ValidationResult,
} from './validate.js';
export { MAX_CONFIG_BYTES, parseMachineConfigYaml, type ParseOptions } from './yaml.js';
export { renderConfigReference } from './reference.js';
export { RESERVED_SERVICE_NAMES, durationMs, type ExtensionService } from './services.js';
export { contains as cidrContains, parseCidr, parseIp, type Cidr, type IpAddress } from './net.js';
