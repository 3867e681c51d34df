// validateMachineConfig: checks a parsed document against the v1alpha1 schema, its rules, the platform mode and unknown fields.
import { deepFreeze } from '../../equal.js';
import { markParsed } from '../../resource-type.js';
import { field } from './common.js';
import { CONFIG_VERSION, MachineConfigSpecSchema, unsupportedVersion, type MachineConfigDocument } from './document.js';
import {
  ConfigValidationError,
  DOCUMENT_PATH,
  describeValue,
  fromZodIssues,
  uniqueIssues,
  type ConfigIssue,
} from './issues.js';
import { unknownFields } from './unknown-fields.js';

/** Where the node runs: bare metal installs to a disk; containers and cloud images come installed. */
export type ValidationMode = 'metal' | 'container' | 'cloud';

/** How to validate: the platform, and whether unknown fields are errors (strict) or warnings. */
export interface ValidationOptions {
  readonly mode: ValidationMode;
  readonly strict: boolean;
}

/** An accepted config (unknown fields kept as written) and the warnings about it. */
export interface ValidationResult {
  readonly config: MachineConfigDocument;
  readonly warnings: readonly ConfigIssue[];
}

/** Rules that depend on the platform, which the store cannot know. */
function modeIssues(doc: Record<string, unknown>, mode: ValidationMode): ConfigIssue[] {
  const machine = doc.machine;
  if (mode !== 'metal' || machine === null || typeof machine !== 'object' || Array.isArray(machine)) return [];
  const disk = field(field(machine, 'install'), 'disk');
  if (disk !== undefined && disk !== '') return [];
  return [
    {
      path: 'machine.install.disk',
      message:
        'missing; a bare-metal node installs to a disk: set it, e.g. /dev/sda (container and cloud modes do not need it)',
    },
  ];
}

/**
 * Validates a parsed config document. Throws ConfigValidationError listing every problem at once (types, values,
 * cross-field rules, the mode's rules, and in strict mode unknown fields); otherwise returns the document with the
 * unknown fields as warnings (non-strict) or none (strict).
 */
export function validateMachineConfig(doc: unknown, opts: ValidationOptions): ValidationResult {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || doc instanceof Uint8Array) {
    throw new ConfigValidationError([
      {
        path: DOCUMENT_PATH,
        message: `${describeValue(doc)} is not a config; expected a mapping that starts with version: ${CONFIG_VERSION}`,
      },
    ]);
  }
  const record = doc as Record<string, unknown>;
  if (record.version !== undefined && record.version !== CONFIG_VERSION) {
    // Fields of another version would only add noise: say the one thing that matters.
    throw new ConfigValidationError([{ path: 'version', message: unsupportedVersion(record.version) }]);
  }
  // The fast path first (reportInput makes zod several times slower); a refused config is parsed again with the
  // inputs, which the issues quote.
  const fast = MachineConfigSpecSchema.safeParse(doc);
  const parsed = fast.success ? fast : MachineConfigSpecSchema.safeParse(doc, { reportInput: true });
  const errors = parsed.success ? [] : fromZodIssues(MachineConfigSpecSchema, parsed.error.issues);
  errors.push(...modeIssues(record, opts.mode));
  const unknown = unknownFields(MachineConfigSpecSchema, doc);
  if (opts.strict) errors.push(...unknown);
  if (errors.length > 0 || !parsed.success) throw new ConfigValidationError(uniqueIssues(errors));
  // Frozen, so that marking it as parsed cannot be outrun by a later change: the store takes it without a second parse.
  markParsed(MachineConfigSpecSchema, deepFreeze(parsed.data));
  return { config: parsed.data, warnings: opts.strict ? [] : unknown };
}
