// The rtnetlink host adapter: what controllers use to apply links, addresses and routes and to observe the kernel.
export { Netlink, type AddressSpec, type CallOptions, type LinkRef, type RouteSpec } from './client.js';
export {
  NetlinkError,
  isNetlinkError,
  isNetlinkExists,
  isNetlinkNotFound,
  isNetlinkUnsupported,
  type NetlinkErrorCode,
} from './errors.js';
export { type EventOp, type NetlinkEvent } from './events.js';
export { type Address, type Link, type OperState, type Route } from './objects.js';
export { bytesToIp, ipToBytes } from './ip.js';
