// The node API's life in machined: secure mode with a certificate from machine.ca, maintenance mode without a config,
// off on a node whose config lacks the CA key; it follows the active config and reports itself as ApiStatus.
import { networkInterfaces, hostname as osHostname } from 'node:os';
import { isIP } from 'node:net';
import type { Subscription } from 'rxjs';
import { fromBase64Pem } from '../../api/config-gen/index.js';
import {
  issueServerCertificate,
  selfSignedCertificate,
  startApiServer,
  type ApiServer,
  type ApiServerOptions,
  type NodeOps,
} from '../../api/server/index.js';
import {
  ACTIVE_CONFIG_ID,
  API_STATUS_ID,
  ApiStatusType,
  CONFIG_NAMESPACE,
  MachineConfigType,
  RUNTIME_NAMESPACE,
  putResource,
  type ApiStatusSpec,
  type MachineConfigDocument,
  type State,
} from '../../resources/index.js';
import { errorMessage, type Logger } from '../controller/index.js';
import { MACHINED_OWNER } from './config-store.js';

/** Options of {@link NodeApi.start}. */
export interface NodeApiOptions {
  readonly state: State;
  readonly host: string;
  /** 0 picks a free port at the first start; later restarts (mode changes) keep the port. */
  readonly port: number;
  readonly logger: Logger;
  /** The node operations, given a getter of the active config. */
  readonly ops: (config: () => MachineConfigDocument | undefined) => NodeOps;
}

type Plan =
  | { readonly mode: 'secure' | 'maintenance'; readonly key: string; readonly tls: () => ApiServerOptions['tls'] }
  | { readonly mode: 'off'; readonly key: string; readonly reason: string };

/** Every name and address the node answers to: hostname, certSANs, its interfaces' addresses, loopback. */
export function serverSans(config: MachineConfigDocument | undefined): { dnsNames: string[]; ips: string[] } {
  const all = [
    config?.machine.network?.hostname ?? osHostname(),
    ...(config?.machine.certSANs ?? []),
    ...Object.values(networkInterfaces()).flatMap((addrs) => (addrs ?? []).map((a) => a.address)),
    '127.0.0.1',
    '::1',
  ];
  const unique = [...new Set(all)];
  return { dnsNames: unique.filter((s) => isIP(s) === 0), ips: unique.filter((s) => isIP(s) !== 0) };
}

/** How the API should serve for `config`. */
export function planApi(config: MachineConfigDocument | undefined): Plan {
  const sans = serverSans(config);
  if (config === undefined) {
    return {
      mode: 'maintenance',
      key: 'maintenance',
      tls: () => ({ mode: 'maintenance', ...selfSignedCertificate(sans.dnsNames, sans.ips) }),
    };
  }
  const ca = config.machine.ca;
  const crt = ca === undefined ? undefined : fromBase64Pem(ca.crt);
  const key = ca?.key === undefined || ca.key === '' ? undefined : fromBase64Pem(ca.key);
  if (crt === undefined) {
    const reason = 'the config has no machine.ca: the API cannot start without the OS CA (osctl gen config writes one)';
    return { mode: 'off', key: `off:${reason}`, reason };
  }
  if (key === undefined) {
    const reason =
      'the config holds machine.ca without its key (a worker): the API cannot start securely until this node gets a certificate from a control plane (a later issue)';
    return { mode: 'off', key: `off:${reason}`, reason };
  }
  return {
    mode: 'secure',
    key: JSON.stringify(['secure', crt, key, sans]),
    tls: () => ({ mode: 'secure', caPem: crt, ...issueServerCertificate({ caCertPem: crt, caKeyPem: key, ...sans }) }),
  };
}

/** The API server of one machined, restarted in the right mode whenever the active config asks for another. */
export class NodeApi {
  private config: MachineConfigDocument | undefined;
  private server: ApiServer | undefined;
  private current: string | undefined;
  private port: number;
  private chain: Promise<void> = Promise.resolve();
  private sub: Subscription | undefined;
  private closed = false;
  private readonly ops: NodeOps;

  private constructor(private readonly o: NodeApiOptions) {
    this.port = o.port;
    this.ops = o.ops(() => this.config);
  }

  /** Starts serving for the active config; rejects when the port cannot be bound. */
  static async start(o: NodeApiOptions): Promise<NodeApi> {
    const api = new NodeApi(o);
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      const ptr = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
      api.sub = o.state.watch(ptr).subscribe((e) => {
        if (e.type === 'created' || e.type === 'updated') api.config = e.resource.spec as MachineConfigDocument;
        else if (e.type === 'destroyed') api.config = undefined;
        if (e.type === 'bootstrapped') {
          ready = true;
          api.schedule().then(resolve, reject);
        } else if (ready) {
          api.schedule().catch((err: unknown) => {
            o.logger.log('error', 'apid', `cannot restart the node API: ${errorMessage(err)}`);
          });
        }
      });
    }).catch(async (e: unknown) => {
      await api.close();
      throw e;
    });
    return api;
  }

  /** The port the API listens on (also while it is off: the port it will use). */
  get listenPort(): number {
    return this.port;
  }

  /** Stops following the config and closes the server (open streams end); idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.sub?.unsubscribe();
    await this.chain;
    await this.server?.close();
    this.server = undefined;
  }

  private schedule(): Promise<void> {
    const step = this.chain.then(() => this.reconcile());
    this.chain = step.catch(() => undefined);
    return step;
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return;
    const plan = planApi(this.config);
    if (plan.key === this.current) return;
    await this.server?.close();
    this.server = undefined;
    this.current = plan.key;
    if (plan.mode === 'off') {
      this.o.logger.log('warn', 'apid', `the node API is not served: ${plan.reason}`);
      await this.report({ mode: 'off', endpoint: '', reason: plan.reason });
      return;
    }
    const t0 = performance.now();
    let t1: number;
    try {
      const tls = plan.tls();
      t1 = performance.now();
      this.server = await startApiServer({
        state: this.o.state,
        ops: this.ops,
        host: this.o.host,
        port: this.port,
        tls,
      });
    } catch (e) {
      // Retried at the next config change; the first start's failure also stops machined (NodeApi.start rejects).
      this.current = undefined;
      await this.report({ mode: 'off', endpoint: '', reason: errorMessage(e) });
      throw e;
    }
    this.port = this.server.port;
    const endpoint = `${this.o.host.includes(':') ? `[${this.o.host}]` : this.o.host}:${this.port}`;
    this.o.logger.log(
      'info',
      'apid',
      `node API in ${plan.mode} mode on ${endpoint} (certificate ${Math.round(t1 - t0)} ms, listening ${Math.round(performance.now() - t1)} ms later)`,
    );
    await this.report({ mode: plan.mode, endpoint, reason: '' });
  }

  private async report(spec: ApiStatusSpec): Promise<void> {
    const ptr = { namespace: RUNTIME_NAMESPACE, type: ApiStatusType.type, id: API_STATUS_ID };
    await putResource(this.o.state, ptr, spec, { owner: MACHINED_OWNER });
  }
}
