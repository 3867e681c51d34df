// Loads the .proto files once: service definitions for the server, client constructors, and the package for reflection.
import {
  loadPackageDefinition,
  type GrpcObject,
  type ServiceClientConstructor,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

/** The folder holding the .proto files (next to the sources; dist/ code reaches back to it). */
export const PROTO_DIR = fileURLToPath(new URL('../../../api/proto/', import.meta.url));

/**
 * How messages look in JavaScript: camelCase fields, enums as their names, 64-bit integers as numbers, bytes as
 * Buffers, unset fields as their defaults (so a handler never meets undefined where proto3 has a zero value).
 */
const OPTIONS = { keepCase: false, enums: String, longs: Number, bytes: Buffer, defaults: true, oneofs: true };

/** The loaded package definition of both services (also what server reflection serves). */
export const PACKAGE: PackageDefinition = loadSync(['resource.proto', 'machine.proto'], {
  ...OPTIONS,
  includeDirs: [PROTO_DIR],
});

const grpcObject = loadPackageDefinition(PACKAGE);

function service(path: readonly string[]): ServiceClientConstructor {
  let cur: unknown = grpcObject;
  for (const p of path) cur = (cur as GrpcObject)[p];
  if (typeof cur !== 'function') throw new Error(`service ${path.join('.')} is missing from the .proto files`);
  return cur as ServiceClientConstructor;
}

/** The client constructor of `cosi.resource.State`. */
export const StateClientConstructor = service(['cosi', 'resource', 'State']);
/** The client constructor of `machine.MachineService`. */
export const MachineClientConstructor = service(['machine', 'MachineService']);
/** The service definition of `cosi.resource.State`, for Server.addService. */
export const STATE_SERVICE: ServiceDefinition = StateClientConstructor.service;
/** The service definition of `machine.MachineService`, for Server.addService. */
export const MACHINE_SERVICE: ServiceDefinition = MachineClientConstructor.service;
/**
 * The client constructor of trustd's `securityapi.SecurityService` (loaded apart from PACKAGE: trustd is its own
 * server, and the node API's reflection does not list it).
 */
export const SecurityClientConstructor = ((): ServiceClientConstructor => {
  const pkg = loadPackageDefinition(loadSync(['security.proto'], { ...OPTIONS, includeDirs: [PROTO_DIR] }));
  return (pkg['securityapi'] as GrpcObject)['SecurityService'] as ServiceClientConstructor;
})();
/** The service definition of `securityapi.SecurityService`, for Server.addService. */
export const SECURITY_SERVICE: ServiceDefinition = SecurityClientConstructor.service;
/** Full gRPC method paths, e.g. `/machine.MachineService/Reboot`, by short name. */
export function methodPath(def: ServiceDefinition, name: string): string {
  const m = def[name];
  if (m === undefined) throw new Error(`no method ${name}`);
  return m.path;
}

let exactLongs: ServiceDefinition | undefined;

/**
 * `machine.MachineService` decoding 64-bit integers as decimal strings, for responses whose uint64 values are ids that
 * do not fit a JavaScript number (etcd member ids). Loaded on first use: most clients never need it.
 */
export function machineServiceExactLongs(): ServiceDefinition {
  if (exactLongs === undefined) {
    const pkg = loadPackageDefinition(
      loadSync(['machine.proto'], { ...OPTIONS, longs: String, includeDirs: [PROTO_DIR] }),
    );
    const ctor = (pkg['machine'] as GrpcObject)['MachineService'] as ServiceClientConstructor;
    exactLongs = ctor.service;
  }
  return exactLongs;
}
