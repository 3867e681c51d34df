// The service supervisor: what machined and the API import from runtime/services.
export { readLogFile, readServiceLog, tailOffset, type LogReadOptions } from './log.js';
export { DEFAULT_LOG_MAX_BYTES, ServiceLogWriter, type ServiceLogWriterOptions } from './log-writer.js';
export { DEFAULT_SERVICE_PATH, ProcessRunner, type ProcessRunnerOptions } from './process-runner.js';
export { DEFAULT_RESTART_BACKOFF, type RestartBackoffOptions } from './restart.js';
export type { ExitInfo, LogSink, Runner, RunningHandle } from './runner.js';
export {
  SERVICE_DEFAULTS,
  SERVICE_STATES,
  isServiceId,
  type HealthCheck,
  type RestartPolicy,
  type ServiceCondition,
  type ServiceDefinition,
  type ServiceEvent,
  type ServiceSnapshot,
  type ServiceState,
} from './service.js';
export {
  Supervisor,
  type ShutdownOptions,
  type SnapshotListener,
  type SupervisorLogger,
  type SupervisorOptions,
} from './supervisor.js';
