// CertificateStatusController: produces the public Certificate view (subject, SANs, validity, fingerprint; never a key)
// of every certificate held in the secrets resources.
import { X509Certificate } from 'node:crypto';
import {
  ApiCertificatesType,
  CertificateType,
  EtcdRootSecretType,
  EtcdSecretsType,
  KubernetesRootSecretType,
  KubernetesSecretsType,
  OSRootSecretType,
  SECRETS_NAMESPACE,
  type CertificateSpec,
  type ResourceType,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { isoSeconds } from './issuing.js';

/** One certificate to describe: the Certificate id, where it is held (`Type/id.field`), and the PEM. */
interface Held {
  readonly id: string;
  readonly source: string;
  readonly crt: string;
}

const EKU: Readonly<Record<string, string>> = { '1.3.6.1.5.5.7.3.1': 'server', '1.3.6.1.5.5.7.3.2': 'client' };
const CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** The "ECDSA P-256" / "RSA 2048" / "ED25519" description of a certificate's public key. */
function keyType(c: X509Certificate): string {
  const k = c.publicKey;
  const d = k.asymmetricKeyDetails;
  if (k.asymmetricKeyType === 'ec') return `ECDSA ${CURVES[d?.namedCurve ?? ''] ?? d?.namedCurve ?? ''}`.trim();
  if (k.asymmetricKeyType === 'rsa') return `RSA ${d?.modulusLength ?? ''}`.trim();
  return (k.asymmetricKeyType ?? 'unknown').toUpperCase();
}

/** Splits Node's subjectAltName text ("DNS:a, IP Address:10.0.0.1") into DNS names and IPs. */
function sansOf(c: X509Certificate): { dnsNames: string[]; ips: string[] } {
  const parts = (c.subjectAltName ?? '').split(', ').filter((p) => p !== '');
  return {
    dnsNames: parts.filter((p) => p.startsWith('DNS:')).map((p) => p.slice(4)),
    // Node writes IPv6 uncompressed (0:0:0:0:0:0:0:1); a URL host gives the usual form (::1).
    ips: parts
      .filter((p) => p.startsWith('IP Address:'))
      .map((p) => p.slice(11))
      .map((ip) => (ip.includes(':') ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip)),
  };
}

/** The public facts of one PEM certificate. */
export function describeCertificate(source: string, crt: string): CertificateSpec {
  const c = new X509Certificate(crt);
  // Node gives undefined, not [], for a certificate without extended key usages (its types say otherwise).
  const usages = c.ca ? ['ca'] : ((c.keyUsage as string[] | undefined) ?? []).map((oid) => EKU[oid] ?? oid);
  return {
    source,
    subject: c.subject.split('\n').join(', '),
    issuer: c.issuer.split('\n').join(', '),
    ...sansOf(c),
    usages,
    keyType: keyType(c),
    serial: c.serialNumber.toLowerCase(),
    notBefore: isoSeconds(Date.parse(c.validFrom)),
    notAfter: isoSeconds(Date.parse(c.validTo)),
    sha256: c.fingerprint256,
  };
}

/** Where certificates are held: a secrets type and, for its spec, each Certificate id with its field and PEM. */
interface Holding {
  readonly type: string;
  read(ctx: ControllerContext): Promise<Held[]>;
}

function holding<S>(t: ResourceType<S>, fields: (spec: S) => Record<string, readonly [string, string]>): Holding {
  return {
    type: t.type,
    read: async (ctx) => {
      const out: Held[] = [];
      for (const r of await ctx.list(t, SECRETS_NAMESPACE)) {
        if (r.metadata.phase !== 'running') continue;
        for (const [id, [field, crt]] of Object.entries(fields(r.spec))) {
          if (crt !== '') out.push({ id, source: `${t.type}/${r.metadata.id}.${field}`, crt });
        }
      }
      return out;
    },
  };
}

/** Every certificate the secrets resources hold, by Certificate id; empty PEM values (absent CAs) are skipped. */
const HOLDINGS: readonly Holding[] = [
  holding(OSRootSecretType, (s) => ({ 'os-ca': ['ca', s.ca.crt] })),
  holding(ApiCertificatesType, (s) => ({ api: ['crt', s.crt] })),
  holding(EtcdRootSecretType, (s) => ({ 'etcd-ca': ['ca', s.ca.crt] })),
  holding(EtcdSecretsType, (s) => ({
    'etcd-server': ['server', s.server.crt],
    'etcd-peer': ['peer', s.peer.crt],
    'etcd-admin': ['admin', s.admin.crt],
    'etcd-apiserver-client': ['apiServerClient', s.apiServerClient.crt],
  })),
  holding(KubernetesRootSecretType, (s) => ({
    'k8s-ca': ['ca', s.ca.crt],
    'k8s-aggregator-ca': ['aggregatorCA', s.aggregatorCA.crt],
  })),
  holding(KubernetesSecretsType, (s) => ({
    'k8s-apiserver': ['apiServer', s.apiServer.crt],
    'k8s-apiserver-kubelet-client': ['apiServerKubeletClient', s.apiServerKubeletClient.crt],
    'k8s-front-proxy-client': ['frontProxyClient', s.frontProxyClient.crt],
    'k8s-admin': ['admin', s.admin.crt],
  })),
];

/**
 * Keeps one `secrets/Certificate/<id>` per certificate the secrets resources hold (`os-ca`, `api`, `etcd-ca`,
 * `etcd-server`, `etcd-peer`, `etcd-admin`, `etcd-apiserver-client`, `k8s-ca`, `k8s-aggregator-ca`, `k8s-apiserver`,
 * `k8s-apiserver-kubelet-client`, `k8s-front-proxy-client`, `k8s-admin`), and removes those no longer held.
 */
export class CertificateStatusController implements Controller {
  readonly name = 'secrets.CertificateStatusController';
  readonly inputs = HOLDINGS.map((h) => ({ namespace: SECRETS_NAMESPACE, type: h.type, kind: 'weak' as const }));
  readonly outputs = [{ type: CertificateType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const keep = new Set<string>();
    for (const holding of HOLDINGS) {
      for (const h of await holding.read(ctx)) {
        keep.add(h.id);
        await ctx.modify(CertificateType, SECRETS_NAMESPACE, h.id, () => describeCertificate(h.source, h.crt));
      }
    }
    await ctx.cleanupOutputs(CertificateType, SECRETS_NAMESPACE, keep);
  }
}
