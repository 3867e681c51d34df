// Every controller machined runs, listed explicitly (conventions.md item 5).
import type { Controller } from '../runtime/index.js';
import { MachineTypeController } from './config/machine-type.js';
import { MachineStatusController } from './runtime/machine-status.js';

/** Fresh instances of all controllers, in registration order. */
export function allControllers(): Controller[] {
  return [new MachineTypeController(), new MachineStatusController()];
}
