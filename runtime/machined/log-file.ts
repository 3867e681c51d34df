// Reading machined's own log for `osctl logs`: the services' log reader (runtime/services/log.ts) over one file.
export { readLogFile, tailOffset, type LogReadOptions as LogFileOptions } from '../services/index.js';
