// The node API server (apid): both services and server reflection on one gRPC server, with mutual TLS (secure mode)
// or server-only TLS serving apply-config and version (maintenance mode).
import {
  Server,
  type ServerCredentials,
  type ServiceDefinition,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
  type handleBidiStreamingCall,
} from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import type { State } from '../../resources/index.js';
import { MACHINE_SERVICE, PACKAGE, STATE_SERVICE } from '../proto/load.js';
import { Calls } from './calls.js';
import { apiCredentials, type ServerTls } from './credentials.js';
import { machineService } from './machine-service.js';
import type { NodeOps } from './ops.js';
import { authorizeByRole, authorizeMaintenance } from './roles.js';
import { stateService } from './state-service.js';
import { PARTS, type AggregatedResponse } from './watch.js';

/** How to start the API server. PEM values are plain PEM text (configs hold base64 PEM: decode before). */
export interface ApiServerOptions {
  state: State;
  ops: NodeOps;
  /** The address to listen on (default 0.0.0.0). */
  host?: string;
  /** The port to listen on; 0 picks a free one (see ApiServer.port). */
  port: number;
  tls: ServerTls;
}

/** A running API server. */
export interface ApiServer {
  /** The port it listens on. */
  readonly port: number;
  /**
   * Secure mode: serves a new certificate (and CA) to connections made from now on; open connections and their streams
   * go on with the session they have. Throws on a maintenance-mode server.
   */
  updateCertificate(tls: { caPem: string; certPem: string; keyPem: string }): void;
  /** Stops accepting, ends open streams (their cursors close), lets unary calls finish; resolves when all is done. */
  close(): Promise<void>;
}

/** How long close() waits for clients to take the last bytes of their calls before cutting the connections. */
const CLOSE_GRACE_MS = 2000;

function bind(server: Server, address: string, creds: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, creds, (err, port) => {
      if (err === null) resolve(port);
      else reject(new Error(`cannot serve the node API on ${address}: ${err.message}`, { cause: err }));
    });
  });
}

/**
 * STATE_SERVICE whose Watch responses are serialized once per response object: a one-event response is shared by every
 * watcher that sends it (watch.ts), so 100 watchers cost one protobuf encoding per event, not 100; an aggregated
 * response is the concatenation of its events' shared bytes.
 */
function memoizedWatch(def: ServiceDefinition): ServiceDefinition {
  const watch = def['Watch'];
  if (watch === undefined) return def;
  const encode = watch.responseSerialize;
  const bytes = new WeakMap<object, Buffer>();
  const shared = (msg: object): Buffer => {
    let b = bytes.get(msg);
    if (b === undefined) {
      b = encode(msg);
      bytes.set(msg, b);
    }
    return b;
  };
  const responseSerialize = (msg: unknown): Buffer => {
    if (typeof msg !== 'object' || msg === null) return encode(msg);
    if (PARTS in msg) return Buffer.concat((msg as AggregatedResponse)[PARTS].map(shared));
    return Object.isFrozen(msg) ? shared(msg) : encode(msg);
  };
  return { ...def, Watch: { ...watch, responseSerialize } };
}

/** Authorizes server reflection (a bidi stream the reflection package implements) like every other method. */
function guardedReflection(server: Server, calls: Calls): Pick<Server, 'addService'> {
  return {
    addService: (def: ServiceDefinition, impl: UntypedServiceImplementation) => {
      const guarded: Record<string, UntypedHandleCall> = {};
      for (const [name, m] of Object.entries(def)) {
        const h = impl[name];
        if (h === undefined) continue;
        guarded[name] =
          m.requestStream && m.responseStream ? calls.bidi(m.path, h as handleBidiStreamingCall<unknown, unknown>) : h;
      }
      server.addService(def, guarded);
    },
  };
}

/** Built once per process (15-50 ms): it indexes the whole package; every server start reuses it. */
let reflection: ReflectionService | undefined;

/** Starts the API server and resolves once it listens. */
export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const authorize = o.tls.mode === 'secure' ? authorizeByRole : authorizeMaintenance;
  const calls = new Calls(authorize, (e) => {
    process.emitWarning(`node API: an action after a reply failed: ${e instanceof Error ? e.message : String(e)}`);
  });
  const server = new Server();
  server.addService(memoizedWatch(STATE_SERVICE), stateService(o.state, calls));
  server.addService(MACHINE_SERVICE, machineService(o.ops, calls));
  (reflection ??= new ReflectionService(PACKAGE)).addToServer(guardedReflection(server, calls));
  const host = o.host ?? '0.0.0.0';
  const creds = apiCredentials(o.tls);
  const port = await bind(server, `${host.includes(':') ? `[${host}]` : host}:${o.port}`, creds.credentials);

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const shutdown = new Promise<void>((resolve) => {
      server.tryShutdown(() => {
        resolve();
      });
    });
    await calls.close();
    const force = setTimeout(() => {
      server.forceShutdown();
    }, CLOSE_GRACE_MS);
    await shutdown;
    clearTimeout(force);
  };
  return {
    port,
    updateCertificate: creds.update,
    close: () => (closing ??= close()),
  };
}
