// The node API's life in machined: secure mode with the certificate ApiCertificates holds (swapped in place when it is
// re-issued; on a worker it comes from a control plane's trustd), maintenance mode without a config, off while there is
// no certificate (and on a worker that cannot ask trustd); reported as ApiStatus.
import { networkInterfaces, hostname as osHostname } from 'node:os';
import { isIP } from 'node:net';
import type { Observable, Subscription } from 'rxjs';
import { fromBase64Pem } from '../../api/config-gen/index.js';
import { selfSignedCertificate, startApiServer, type ApiServer, type NodeOps } from '../../api/server/index.js';
import {
  ACTIVE_CONFIG_ID,
  API_CERTIFICATES_ID,
  API_STATUS_ID,
  ApiCertificatesType,
  ApiStatusType,
  CONFIG_NAMESPACE,
  MachineConfigType,
  RUNTIME_NAMESPACE,
  SECRETS_NAMESPACE,
  putResource,
  type ApiCertificatesSpec,
  type ApiStatusSpec,
  type MachineConfigDocument,
  type Pointer,
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
  /** How long start() waits for the first API certificate in secure mode (default 10 s); the API starts when it comes. */
  readonly certificateWaitMs?: number;
  /**
   * Given on a node that asks trustd for its certificate when its config lacks the CA key (a worker): why the request
   * has not succeeded yet ('' for no failure), shown as ApiStatus's reason while the API waits. Without it such a node
   * serves no API.
   */
  readonly trustdWaiting?: Observable<string>;
}

/**
 * How the API should serve: `secure` needs the certificate issued from `caPem` (ApiCertificates); `remote` when a
 * control plane's trustd issues it.
 */
type Plan =
  | { readonly mode: 'secure'; readonly key: string; readonly caPem: string; readonly remote: boolean }
  | { readonly mode: 'maintenance'; readonly key: string }
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

/** How the API should serve for `config`; `remote` when this node can ask trustd for a certificate (workers). */
export function planApi(config: MachineConfigDocument | undefined, remote = false): Plan {
  if (config === undefined) return { mode: 'maintenance', key: 'maintenance' };
  const ca = config.machine.ca;
  const crt = ca === undefined ? undefined : fromBase64Pem(ca.crt);
  const key = ca?.key === undefined || ca.key === '' ? undefined : fromBase64Pem(ca.key);
  if (crt === undefined) {
    const reason = 'the config has no machine.ca: the API cannot start without the OS CA (osctl gen config writes one)';
    return { mode: 'off', key: `off:${reason}`, reason };
  }
  if (key === undefined && !remote) {
    const reason =
      'the config holds machine.ca without its key (a worker), and this node does not ask trustd: the API cannot start securely without a certificate from a control plane';
    return { mode: 'off', key: `off:${reason}`, reason };
  }
  // A new CA restarts the server: sessions authenticated under the old CA must not outlive it.
  return { mode: 'secure', key: `secure:${crt}`, caPem: crt, remote: key === undefined };
}

const WAITING =
  'waiting for the API certificate (secrets/ApiCertificates/api, issued by secrets.ApiCertificatesSpecController)';
const WAITING_REMOTE =
  'waiting for the API certificate from trustd on a control plane (secrets.ApiCertificatesSpecController asks for it with machine.token)';

/** The API server of one machined: restarted when the mode or the CA changes, its certificate swapped in place. */
export class NodeApi {
  private config: MachineConfigDocument | undefined;
  private certs: ApiCertificatesSpec | undefined;
  private server: ApiServer | undefined;
  private current: string | undefined;
  private served: string | undefined;
  private port: number;
  private chain: Promise<void> = Promise.resolve();
  private readonly subs: Subscription[] = [];
  private closed = false;
  private onServe: (() => void) | undefined;
  private readonly ops: NodeOps;
  /** Why trustd has not answered yet ('' for no failure), on a node that asks it. */
  private trustdWhy = '';
  /** The reason last reported while waiting, so that each new one is logged once. */
  private waitingFor: string | undefined;

  private constructor(private readonly o: NodeApiOptions) {
    this.port = o.port;
    this.ops = o.ops(() => this.config);
  }

  /** Starts serving for the active config (in secure mode once its certificate is issued); rejects when the port cannot be bound. */
  static async start(o: NodeApiOptions): Promise<NodeApi> {
    const api = new NodeApi(o);
    await new Promise<void>((resolve, reject) => {
      let pending = 2;
      const follow = (ptr: Pointer, set: (spec: unknown) => void): void => {
        let ready = false;
        const sub = o.state.watch(ptr).subscribe((e) => {
          if (e.type === 'created' || e.type === 'updated') set(e.resource.spec);
          else if (e.type === 'destroyed') set(undefined);
          if (e.type === 'bootstrapped') {
            ready = true;
            if (--pending === 0) api.schedule().then(resolve, reject);
          } else if (ready && pending === 0) {
            api.schedule().catch((err: unknown) => {
              o.logger.log('error', 'apid', `cannot restart the node API: ${errorMessage(err)}`);
            });
          }
        });
        api.subs.push(sub);
      };
      const config = { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID };
      const certs = { namespace: SECRETS_NAMESPACE, type: ApiCertificatesType.type, id: API_CERTIFICATES_ID };
      follow(config, (spec) => (api.config = spec as MachineConfigDocument | undefined));
      follow(certs, (spec) => (api.certs = spec as ApiCertificatesSpec | undefined));
      const why = o.trustdWaiting?.subscribe((w) => {
        api.trustdWhy = w;
        if (pending === 0) {
          api.schedule().catch((err: unknown) => {
            o.logger.log('error', 'apid', `cannot restart the node API: ${errorMessage(err)}`);
          });
        }
      });
      if (why !== undefined) api.subs.push(why);
    })
      .then(() => api.untilServing(o.certificateWaitMs ?? 10_000))
      .catch(async (e: unknown) => {
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
    for (const s of this.subs) s.unsubscribe();
    this.onServe?.();
    await this.chain;
    await this.server?.close();
    this.server = undefined;
  }

  /** Secure mode without a certificate yet: waits until the server starts, at most `ms` (not for trustd's answer). */
  private async untilServing(ms: number): Promise<void> {
    if (this.server !== undefined || !this.current?.startsWith('secure:')) return;
    const plan = planApi(this.config, this.o.trustdWaiting !== undefined);
    if (plan.mode === 'secure' && plan.remote) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.onServe = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.onServe = undefined;
  }

  private schedule(): Promise<void> {
    const step = this.chain.then(() => this.reconcile());
    this.chain = step.catch(() => undefined);
    return step;
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return;
    const plan = planApi(this.config, this.o.trustdWaiting !== undefined);
    if (plan.key !== this.current) {
      await this.server?.close();
      this.server = undefined;
      this.served = undefined;
      this.current = plan.key;
      if (plan.mode === 'off') {
        this.o.logger.log('warn', 'apid', `the node API is not served: ${plan.reason}`);
        await this.report({ mode: 'off', endpoint: '', reason: plan.reason });
        return;
      }
    }
    if (plan.mode === 'off') return;
    const certs = plan.mode === 'secure' && this.certs?.ca === plan.caPem ? this.certs : undefined;
    if (plan.mode === 'secure' && certs === undefined) {
      if (this.server === undefined)
        await this.waiting(plan.remote ? this.trustdWhy || WAITING_REMOTE : WAITING, plan.remote);
      return; // a running server keeps its certificate until the new one for this CA is issued
    }
    this.waitingFor = undefined;
    if (this.server !== undefined && certs !== undefined && certs.crt !== this.served) {
      this.server.updateCertificate({ caPem: certs.ca, certPem: certs.crt, keyPem: certs.key });
      this.served = certs.crt;
      const names = [...certs.dnsNames, ...certs.ips].join(', ');
      this.o.logger.log('info', 'apid', `new API certificate for ${names} serves new connections; open ones go on`);
      return;
    }
    if (this.server === undefined) await this.serve(plan, certs);
  }

  /**
   * Reports the API off while it waits for its certificate. A new reason from trustd is also logged, once (a local
   * certificate comes within milliseconds: no log line for that).
   */
  private async waiting(reason: string, remote: boolean): Promise<void> {
    // The generic reason is logged only before trustd's first answer: after a success it means "storing it now".
    const generic = reason === WAITING_REMOTE && this.waitingFor !== undefined;
    if (remote && reason !== this.waitingFor && !generic)
      this.o.logger.log('warn', 'apid', `the node API is not served yet: ${reason}`);
    this.waitingFor = reason;
    await this.report({ mode: 'off', endpoint: '', reason });
  }

  private async serve(plan: Plan, certs: ApiCertificatesSpec | undefined): Promise<void> {
    const t0 = performance.now();
    try {
      const sans = serverSans(this.config);
      this.server = await startApiServer({
        state: this.o.state,
        ops: this.ops,
        host: this.o.host,
        port: this.port,
        tls:
          certs === undefined
            ? { mode: 'maintenance', ...selfSignedCertificate(sans.dnsNames, sans.ips) }
            : { mode: 'secure', caPem: certs.ca, certPem: certs.crt, keyPem: certs.key },
      });
    } catch (e) {
      // Retried at the next change; the first start's failure also stops machined (NodeApi.start rejects).
      this.current = undefined;
      await this.report({ mode: 'off', endpoint: '', reason: errorMessage(e) });
      throw e;
    }
    this.served = certs?.crt;
    this.onServe?.();
    this.port = this.server.port;
    const endpoint = `${this.o.host.includes(':') ? `[${this.o.host}]` : this.o.host}:${this.port}`;
    const ms = Math.round(performance.now() - t0);
    this.o.logger.log('info', 'apid', `node API in ${plan.mode} mode on ${endpoint} (listening after ${ms} ms)`);
    await this.report({ mode: plan.mode === 'secure' ? 'secure' : 'maintenance', endpoint, reason: '' });
  }

  private async report(spec: ApiStatusSpec): Promise<void> {
    const ptr = { namespace: RUNTIME_NAMESPACE, type: ApiStatusType.type, id: API_STATUS_ID };
    await putResource(this.o.state, ptr, spec, { owner: MACHINED_OWNER });
  }
}
