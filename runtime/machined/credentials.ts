// Credentials a node hands out: the admin kubeconfig (signed by the Kubernetes CA) and client configurations with
// roles (signed by the OS CA), both from the CAs in the active machine config.
import { stringify } from 'yaml';
import {
  endpointHost,
  fromBase64Pem,
  generateRsaKeySync,
  issueLeafCertificate,
  talosconfig,
  toBase64Pem,
} from '../../api/config-gen/index.js';
import { ROLES, issueClientCertificate } from '../../api/server/index.js';
import { InvalidArgumentError, type MachineConfigDocument } from '../../resources/index.js';
import { NodeStateError } from './errors.js';

const YEAR_MS = 365 * 86_400_000;
/** Tolerates clients whose clocks are a little behind the node's. */
const BACKDATE_MS = 5 * 60_000;

/** A CA from the config as plain PEM, or NodeStateError saying which node holds its key. */
function caOf(
  pair: { crt: string; key?: string | undefined } | undefined,
  field: string,
  what: string,
): { crt: string; key: string } {
  const crt = pair === undefined ? undefined : fromBase64Pem(pair.crt);
  const key = pair?.key === undefined || pair.key === '' ? undefined : fromBase64Pem(pair.key);
  if (crt === undefined || key === undefined) {
    throw new NodeStateError(
      `${what} needs the key of ${field}, which this node's config does not hold (workers hold only the certificate): ask a control-plane node`,
    );
  }
  return { crt, key };
}

function clusterName(config: MachineConfigDocument): string {
  return config.cluster?.clusterName ?? 'cluster';
}

/** An admin kubeconfig for cluster.controlPlane.endpoint: client certificate O=system:masters, CN=admin, one year. */
export function adminKubeconfig(config: MachineConfigDocument, now = new Date()): Buffer {
  const ca = caOf(config.cluster?.ca, 'cluster.ca', 'a kubeconfig');
  const server = config.cluster?.controlPlane?.endpoint;
  if (server === undefined) throw new NodeStateError('a kubeconfig needs cluster.controlPlane.endpoint in the config');
  let cert;
  try {
    cert = issueLeafCertificate(ca, generateRsaKeySync(), {
      subject: { organization: ['system:masters'], commonName: 'admin' },
      usage: 'client',
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      ttlMs: YEAR_MS,
    });
  } catch (e) {
    throw new NodeStateError(`cannot sign a kubeconfig with cluster.ca: ${(e as Error).message}`, { cause: e });
  }
  const name = clusterName(config);
  const user = `admin@${name}`;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': toBase64Pem(ca.crt) } }],
    users: [
      {
        name: user,
        user: { 'client-certificate-data': toBase64Pem(cert.crt), 'client-key-data': toBase64Pem(cert.key) },
      },
    ],
    contexts: [{ name: user, context: { cluster: name, namespace: 'default', user } }],
    'current-context': user,
  };
  return Buffer.from(stringify(doc, { lineWidth: 0 }));
}

/** Checks requested roles: at least one, each known; InvalidArgumentError naming the known ones otherwise. */
export function checkRoles(roles: readonly string[]): void {
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || unknown.length > 0) {
    const what = roles.length === 0 ? 'no roles given' : `unknown roles ${unknown.join(', ')}`;
    throw new InvalidArgumentError(`${what}: give one or more of ${ROLES.join(', ')}`);
  }
}

/** A client certificate with `roles` from machine.ca, and a talosconfig for the cluster endpoint (or `hostname`). */
export function clientConfiguration(
  config: MachineConfigDocument,
  roles: string[],
  ttlMs: number,
  hostname: string,
): { ca: Buffer; crt: Buffer; key: Buffer; talosconfig: Buffer } {
  checkRoles(roles);
  const ca = caOf(config.machine.ca, 'machine.ca', 'a client configuration');
  const cert = issueClientCertificate({
    caCertPem: ca.crt,
    caKeyPem: ca.key,
    roles,
    ttlMs: ttlMs > 0 ? ttlMs : YEAR_MS,
  });
  const endpoint = config.cluster?.controlPlane?.endpoint ?? `https://${hostname}`;
  const name = clusterName(config);
  const tc = talosconfig(name, new URL(endpoint), toBase64Pem(ca.crt), { crt: cert.certPem, key: cert.keyPem });
  const header = `# A client configuration for ${endpointHost(new URL(endpoint))} with roles ${roles.join(', ')}.\n`;
  return {
    ca: Buffer.from(ca.crt),
    crt: Buffer.from(cert.certPem),
    key: Buffer.from(cert.keyPem),
    talosconfig: Buffer.from(header + stringify(tc, { lineWidth: 0 })),
  };
}
