// The typed client of the node API: connections from talosconfig contexts, State and machine clients, fan-out.
export {
  decodePem,
  resolveConnection,
  resolveTargets,
  type ConnectRequest,
  type ResolvedConnection,
} from './connect.js';
export {
  DEFAULT_TIMEOUT_MS,
  NodeConnection,
  abortReason,
  type ConnectionOptions,
  type RequestOptions,
} from './connection.js';
export { clientCertProblem, diagnoseTls, type NodeTls } from './diagnose.js';
export { DEFAULT_API_PORT, InvalidEndpointError, endpointAddress, parseEndpoint, type Endpoint } from './endpoint.js';
export { NodeCallError, formatMs, isNodeCallError } from './errors.js';
export { MachineClient, type ApplyMode, type ApplyRequest } from './machine-client.js';
export { NodeSet, type NodeClients, type NodeResult, type NodeSetOptions, type Target } from './nodes.js';
export { RemoteCursor } from './remote-cursor.js';
export { StateClient, WRITE_REFUSED, type StateClientOptions } from './state-client.js';
export { isStreamBreak, reconcileBootstrap, type WatchStatus } from './watch-support.js';
export {
  TalosconfigError,
  loadTalosconfig,
  loadTalosconfigOrEmpty,
  mergeTalosconfig,
  parseTalosconfig,
  selectContext,
  talosconfigToYaml,
  type Talosconfig,
  type TalosconfigContext,
} from './talosconfig.js';
