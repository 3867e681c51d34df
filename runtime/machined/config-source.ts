// Config acquisition: reads the machine config YAML from a file and turns parse errors into messages a person can act on.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';

/** A config file that cannot be read or parsed; the message names the file, the line and what is wrong. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
}

/** Reads `path` and parses it as one YAML document; the result is validated by the store when it is applied. */
export async function readConfigFile(path: string, signal?: AbortSignal): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) });
  } catch (e) {
    throw new ConfigFileError(`cannot read machine config ${path}: ${(e as Error).message}`, { cause: e });
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    throw new ConfigFileError(`machine config ${path} is not valid YAML: ${first.message}`);
  }
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigFileError(`machine config ${path} must be a YAML mapping with version: v1alpha1 at the top`);
  }
  return value;
}
