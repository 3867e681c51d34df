// The one error class of local clusters: a refusal or failure put into words for the person running osctl.
import { CommandFailure, EXIT_FAILURE } from '../report.js';

/** A local-cluster operation that was refused or failed; the message names what, the value and the fix. */
export class ClusterError extends CommandFailure {
  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super([`osctl: ${message}`, ...details.map((d) => `  ${d}`)], EXIT_FAILURE);
  }
}
