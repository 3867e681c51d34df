// The controller runtime: what controllers and machined import from runtime/controller (the test harness is in testing.ts).
export { Backoff, DEFAULT_BACKOFF, backoffOptions, type BackoffOptions } from './backoff.js';
export { realClock, type Clock } from './clock.js';
export { createControllerContext, type ControllerContext, type MetadataChanges } from './context.js';
export {
  isControllerName,
  type Controller,
  type ControllerDeclaration,
  type Input,
  type InputKind,
  type Output,
  type OutputKind,
} from './controller.js';
export { dependencyGraph } from './graph.js';
export { errorMessage, silentLogger, stderrLogger, type LogLevel, type Logger } from './logger.js';
export { isRequeue, requeueAfter, type QueueController, type Requeue } from './queue.js';
export type { ControllerStats } from './runner.js';
export { ControllerRuntime, type RuntimeOptions } from './runtime.js';
export { transformController, type TransformOptions, type TransformOutput } from './transform.js';
