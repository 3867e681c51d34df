// Every controller machined runs, listed explicitly (conventions.md item 5).
import type { Controller } from '../runtime/index.js';
import { MachineTypeController } from './config/machine-type.js';
import { AddressStatusController } from './network/address-status.js';
import { LazyNetlink } from './network/kernel.js';
import { LinkStatusController } from './network/link-status.js';
import { RouteStatusController } from './network/route-status.js';
import { MachineStatusController } from './runtime/machine-status.js';

/** Fresh instances of all controllers, in registration order. */
export function allControllers(): Controller[] {
  // One netlink request socket for the network status controllers, opened on first use in machined's namespace.
  const kernel = new LazyNetlink();
  return [
    new MachineTypeController(),
    new MachineStatusController(),
    new LinkStatusController(kernel),
    new AddressStatusController(kernel),
    new RouteStatusController(kernel),
  ];
}
