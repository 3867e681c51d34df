// Conversions between the store's types and the protocol's messages, shared by the server and the client.
export { ApiError, fromStatus, isServiceError, toStatus } from './errors.js';
export {
  eventFromPb,
  eventToPb,
  labelQueriesFromPb,
  labelQueriesToPb,
  resourceFromPb,
  resourceToPb,
  selectorFromPb,
  watchOptionsFromPb,
  watchOptionsToPb,
} from './resource.js';
export { decodeWatchResponse, WatchDecodeError } from './watch-decode.js';
