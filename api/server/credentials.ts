// TLS credentials of the API server. Secure mode serves a certificate that can be swapped while the server runs: new
// connections get the new one, open connections (and their watch streams) keep the TLS session they have.
import { ServerCredentials, experimental } from '@grpc/grpc-js';

/** The TLS material of the API server, as plain PEM text. */
export type ServerTls =
  | { mode: 'secure'; caPem: string; certPem: string; keyPem: string }
  | { mode: 'maintenance'; certPem: string; keyPem: string };

type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/**
 * A grpc-js CertificateProvider fed from memory: the CA that client certificates must chain to and the server's
 * certificate and key. grpc-js calls Http2SecureServer.setSecureContext with every update, which applies to
 * handshakes from then on; established connections are not touched.
 */
class SwappableCertificate implements experimental.CertificateProvider {
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  private ca: experimental.CaCertificateUpdate;
  private identity: experimental.IdentityCertificateUpdate;

  constructor(tls: { caPem: string; certPem: string; keyPem: string }) {
    this.ca = { caCertificate: Buffer.from(tls.caPem) };
    this.identity = { certificate: Buffer.from(tls.certPem), privateKey: Buffer.from(tls.keyPem) };
  }

  /** Replaces the CA and the server certificate for every handshake from now on. */
  update(tls: { caPem: string; certPem: string; keyPem: string }): void {
    this.ca = { caCertificate: Buffer.from(tls.caPem) };
    this.identity = { certificate: Buffer.from(tls.certPem), privateKey: Buffer.from(tls.keyPem) };
    for (const l of this.caListeners) l(this.ca);
    for (const l of this.identityListeners) l(this.identity);
  }

  // grpc-js registers its listener before it adds the watcher that applies updates: deliver the current value on the
  // next tick (as its own FileWatcherCertificateProvider does), or the first update would be lost.
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    process.nextTick(() => {
      if (this.caListeners.has(listener)) listener(this.ca);
    });
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    process.nextTick(() => {
      if (this.identityListeners.has(listener)) listener(this.identity);
    });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }
}

/** Server credentials for `tls`, and how to swap the certificate later (secure mode only). */
export interface ApiCredentials {
  readonly credentials: ServerCredentials;
  /** Serves `tls` to connections made from now on; throws on a maintenance-mode server. */
  readonly update: (tls: { caPem: string; certPem: string; keyPem: string }) => void;
}

/** Builds the credentials: secure mode requires a client certificate from the CA and can swap; maintenance cannot. */
export function apiCredentials(tls: ServerTls): ApiCredentials {
  if (tls.mode === 'maintenance') {
    const pair = [{ cert_chain: Buffer.from(tls.certPem), private_key: Buffer.from(tls.keyPem) }];
    return {
      credentials: ServerCredentials.createSsl(null, pair, false),
      update: () => {
        throw new Error('a maintenance-mode server keeps its self-signed certificate');
      },
    };
  }
  const provider = new SwappableCertificate(tls);
  // One provider serves as both the identity and the CA provider; requiring the client certificate makes TLS refuse
  // every client without one from the CA.
  return {
    credentials: experimental.createCertificateProviderServerCredentials(provider, provider, true),
    update: (next) => {
      provider.update(next);
    },
  };
}

/**
 * Server-only TLS whose certificate can be swapped (trustd: its callers have no certificate yet and authenticate with
 * the join token instead). `update` serves a new certificate to connections made from then on.
 */
export function serverOnlyCredentials(tls: { certPem: string; keyPem: string }): {
  readonly credentials: ServerCredentials;
  readonly update: (tls: { certPem: string; keyPem: string }) => void;
} {
  const provider = new SwappableCertificate({ caPem: '', ...tls });
  // grpc-js takes the identity provider first (its typings name the parameters the other way round); without a CA
  // provider it asks for no client certificate.
  return {
    credentials: experimental.createCertificateProviderServerCredentials(provider, null, false),
    update: (next) => {
      provider.update({ caPem: '', ...next });
    },
  };
}
