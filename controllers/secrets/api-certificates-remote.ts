// A worker's API certificate: a fresh key and a CSR for the node's names, signed by a control plane's trustd that the
// join token lets in. The network client is injected (RemoteSigner): it lives in runtime/machined.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { ApiCertificatesSpec } from '../../resources/index.js';
import { createCsr } from './csr.js';
import { renewAt, type Sans } from './issuing.js';

/** One request to trustd. */
export interface RemoteSignRequest {
  /** The control-plane endpoint URL (cluster.controlPlane.endpoint); trustd is asked on its host. */
  readonly endpoint: string;
  /** The join token (machine.token). */
  readonly token: string;
  /** The OS CA certificate (PEM) that trustd's server certificate must chain to. */
  readonly caPem: string;
  /** The CSR (PEM). */
  readonly csr: string;
}

/** Asks a control plane to sign a CSR. */
export interface RemoteSigner {
  /**
   * Sends `req.csr` to trustd at the endpoint's host; resolves with the signed certificate and the CA (PEM). Rejects
   * with a message naming where it asked and why it failed (unreachable, token refused, CSR refused); the controller
   * calling it is retried with backoff by the runtime.
   */
  sign(req: RemoteSignRequest, signal: AbortSignal): Promise<{ ca: string; crt: string }>;
}

/** What to ask for. */
export interface RemoteApiCertificates {
  readonly endpoint: string;
  readonly token: string;
  /** The OS CA certificate (PEM) from machine.ca: the answer must chain to it. */
  readonly ca: string;
  readonly sans: Sans;
  readonly now: number;
}

/**
 * Gets the API server certificate from trustd: a fresh ECDSA P-256 key never leaves this node, only its CSR does.
 * Refuses an answer that does not chain to machine.ca, does not match the key, or is not valid now.
 */
export async function requestApiCertificates(
  signer: RemoteSigner,
  o: RemoteApiCertificates,
  signal: AbortSignal,
): Promise<ApiCertificatesSpec> {
  const { csr, key } = createCsr({ commonName: o.sans.dnsNames[0] ?? o.sans.ips[0] ?? 'apid', ...o.sans });
  const got = await signer.sign({ endpoint: o.endpoint, token: o.token, caPem: o.ca, csr }, signal);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(got.crt);
  } catch {
    throw new Error('trustd answered with a certificate that cannot be read');
  }
  if (!cert.verify(new X509Certificate(o.ca).publicKey)) {
    throw new Error(`trustd answered with a certificate not issued by machine.ca (issuer ${cert.issuer})`);
  }
  if (!cert.checkPrivateKey(createPrivateKey(key)))
    throw new Error('trustd answered with a certificate for another key');
  if (Date.parse(cert.validTo) <= o.now || Date.parse(cert.validFrom) > o.now + 5 * 60_000) {
    throw new Error(`trustd answered with a certificate valid ${cert.validFrom} to ${cert.validTo} only`);
  }
  return { ca: o.ca, crt: got.crt, key, ...o.sans, renewAt: renewAt([got.crt]) };
}
