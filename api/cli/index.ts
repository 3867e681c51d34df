// The osctl CLI as a library: the program, its global flags and how errors are reported (the executable is osctl.ts).
export {
  collectList,
  defaultTalosconfig,
  globalOptions,
  processIo,
  type CommandContext,
  type GlobalOptions,
  type Io,
} from './global.js';
export { buildProgram, runOsctl } from './program.js';
export { CommandFailure, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, reportError, type Report } from './report.js';
