// trustd in machined: on a control plane holding the OS CA key, serves the CSR signer with the node's API server
// certificate (swapped in place when it is re-issued); stops when the node loses the key or the certificate.
import type { Subscription } from 'rxjs';
import { startTrustdServer, type SignedCertificate, type TrustdServer } from '../../api/server/index.js';
import { LEAF_TTL_MS, signCsr, validity } from '../../controllers/index.js';
import {
  API_CERTIFICATES_ID,
  ApiCertificatesType,
  OS_ROOT_ID,
  OSRootSecretType,
  SECRETS_NAMESPACE,
  type ApiCertificatesSpec,
  type OSRootSecretSpec,
  type Pointer,
  type State,
} from '../../resources/index.js';
import { errorMessage, type Logger } from '../controller/index.js';
import { NodeStateError } from './errors.js';

/** Options of {@link NodeTrustd.start}. */
export interface NodeTrustdOptions {
  readonly state: State;
  /** The address to listen on (machined's --api-host). */
  readonly host: string;
  /** The port (--trustd-port); 0 picks a free one at the first start, kept by later restarts. */
  readonly port: number;
  readonly logger: Logger;
  /** The lifetime of the certificates it signs (default a year, cut to the CA's end). */
  readonly ttlMs?: number;
  /** How long to wait before trying a port again that could not be bound (default 30 s). */
  readonly retryMs?: number;
  /** Told of each worker it signed for: its hostname (the first DNS name) and addresses (loopback left out). */
  readonly signed?: (worker: { readonly hostname: string; readonly addresses: readonly string[] }) => void;
}

/** trustd of one machined: serving while OSRootSecret signs and ApiCertificates holds a certificate from that CA. */
export class NodeTrustd {
  private root: OSRootSecretSpec | undefined;
  private certs: ApiCertificatesSpec | undefined;
  private server: TrustdServer | undefined;
  private served: string | undefined;
  private port: number;
  private chain: Promise<void> = Promise.resolve();
  private readonly subs: Subscription[] = [];
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly o: NodeTrustdOptions) {
    this.port = o.port;
  }

  /** Follows the node's OS CA and API certificate; serves as soon as both are there. */
  static start(o: NodeTrustdOptions): NodeTrustd {
    const t = new NodeTrustd(o);
    const follow = (ptr: Pointer, set: (spec: unknown) => void): void => {
      const sub = o.state.watch(ptr).subscribe((e) => {
        if (e.type === 'created' || e.type === 'updated')
          set(e.resource.metadata.phase === 'running' ? e.resource.spec : undefined);
        else if (e.type === 'destroyed') set(undefined);
        else return;
        t.schedule();
      });
      t.subs.push(sub);
    };
    follow({ namespace: SECRETS_NAMESPACE, type: OSRootSecretType.type, id: OS_ROOT_ID }, (s) => {
      t.root = s as OSRootSecretSpec | undefined;
    });
    follow({ namespace: SECRETS_NAMESPACE, type: ApiCertificatesType.type, id: API_CERTIFICATES_ID }, (s) => {
      t.certs = s as ApiCertificatesSpec | undefined;
    });
    return t;
  }

  /** The port trustd listens on; undefined while it does not serve. */
  get listenPort(): number | undefined {
    return this.server?.port;
  }

  /** Stops following and closes the server; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    for (const s of this.subs) s.unsubscribe();
    await this.chain;
    await this.server?.close();
    this.server = undefined;
  }

  private schedule(): void {
    this.chain = this.chain
      .then(() => this.reconcile())
      .catch((e: unknown) => {
        this.o.logger.log('error', 'trustd', errorMessage(e));
      });
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return;
    const { root, certs } = this;
    const ready = root?.signs === true && certs !== undefined && certs.ca === root.ca.crt;
    if (!ready) {
      if (this.server === undefined) return;
      await this.server.close();
      this.server = undefined;
      const why = root?.signs === true ? 'the API certificate is being re-issued' : 'this node holds no OS CA key';
      this.o.logger.log('info', 'trustd', `trustd stopped: ${why}`);
      return;
    }
    const tls = { certPem: certs.crt, keyPem: certs.key };
    if (this.server !== undefined) {
      if (this.served !== certs.crt) this.server.updateCertificate(tls);
      this.served = certs.crt;
      return;
    }
    const host = this.o.host;
    try {
      this.server = await startTrustdServer({
        host,
        port: this.port,
        tls,
        token: () => this.root?.token ?? '',
        sign: (csr, peer) => this.sign(csr, peer),
        log: (level, msg) => {
          this.o.logger.log(level, 'trustd', msg);
        },
      });
    } catch (e) {
      // Not fatal to the node: the API goes on; workers cannot join through this node until trustd listens.
      this.o.logger.log(
        'error',
        'trustd',
        `${errorMessage(e)}; trying again in ${(this.o.retryMs ?? 30_000) / 1000} s`,
      );
      clearTimeout(this.retry);
      this.retry = setTimeout(() => {
        this.schedule();
      }, this.o.retryMs ?? 30_000);
      return;
    }
    this.served = certs.crt;
    this.port = this.server.port;
    const where = `${host.includes(':') ? `[${host}]` : host}:${this.port}`;
    this.o.logger.log('info', 'trustd', `trustd signs worker API certificates on ${where}`);
  }

  private sign(csr: string, peer: string): SignedCertificate {
    const root = this.root;
    if (root?.signs !== true) throw new NodeStateError('this node holds no OS CA key now: ask another control plane');
    const now = Date.now();
    const { crt, request } = signCsr(root.ca, csr, validity(now, this.o.ttlMs ?? LEAF_TTL_MS));
    const names = [...request.dnsNames, ...request.ips].join(', ');
    this.o.logger.log('info', 'trustd', `signed an API server certificate for ${names} (asked from ${peer})`);
    // The worker's address is where it asked from: the CSR's IPs may include certSANs such as the endpoint.
    const from = /^(?:ipv[46]:)?\[?(?:::ffff:)?([^\]]+?)\]?:\d+$/.exec(peer)?.[1];
    const hostname = request.dnsNames.find((n) => n !== 'localhost');
    const addresses = from !== undefined && request.ips.includes(from) ? [from] : [];
    if (hostname !== undefined) this.o.signed?.({ hostname, addresses });
    return { ca: root.ca.crt, crt };
  }
}
