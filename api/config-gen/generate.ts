// Control-plane and worker machine configs and the talosconfig for a cluster, from its name, endpoint and secrets.
import { isIP } from 'node:net';
import { stringify } from 'yaml';
import { InvalidArgumentError } from './errors.js';
import type { Json, JsonObject } from './json.js';
import { toBase64Pem, type CertAndKeyPem } from './pki.js';
import type { SecretsBundle } from './secrets.js';

/** The Kubernetes version whose images the configs name unless --kubernetes-version says otherwise. */
export const DEFAULT_KUBERNETES_VERSION = '1.32.0';

/** The etcd image of control-plane nodes (the version Talos pairs with Kubernetes 1.32). */
export const ETCD_IMAGE = 'gcr.io/etcd-development/etcd:v3.5.17';

/** The installer image of machine.install (the bootable image is built by image/; this names where it will live). */
export const INSTALLER_IMAGE = 'ghcr.io/osnode/installer:v0.1.0';

/** Defaults of gen config, as talosctl's. */
export const DEFAULTS = {
  dnsDomain: 'cluster.local',
  installDisk: '/dev/sda',
  podSubnets: ['10.244.0.0/16'],
  serviceSubnets: ['10.96.0.0/12'],
  apiServerPort: 6443,
} as const;

/** What both machine configs are made from. */
export interface ClusterInput {
  readonly clusterName: string;
  /** The normalized control-plane endpoint (see {@link normalizeEndpoint}). */
  readonly endpoint: URL;
  readonly secrets: SecretsBundle;
  readonly dnsDomain: string;
  readonly additionalSans: readonly string[];
  /** Without a leading `v`, e.g. 1.32.0. */
  readonly kubernetesVersion: string;
  readonly installDisk: string;
}

/**
 * The control-plane endpoint as an https URL. A full URL must be https with no path; a bare host or host:port
 * becomes https://host:6443 (or the given port), as talosctl suggests. Anything else is an InvalidArgumentError.
 */
export function normalizeEndpoint(endpoint: string): URL {
  const text = endpoint.trim();
  const hint = `give an https URL such as https://10.5.0.2:${DEFAULTS.apiServerPort}`;
  if (text === '') throw new InvalidArgumentError(`the cluster endpoint is empty; ${hint}`);
  if (text.includes('://')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new InvalidArgumentError(`endpoint "${endpoint}" is not a valid URL; ${hint}`);
    }
    if (url.protocol !== 'https:') {
      throw new InvalidArgumentError(`endpoint "${endpoint}" must use https (the API server serves TLS only); ${hint}`);
    }
    if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '') {
      throw new InvalidArgumentError(`endpoint "${endpoint}" must be scheme, host and port only; ${hint}`);
    }
    return new URL(`https://${url.host}`);
  }
  const bare = isIP(text) === 6 ? `[${text}]` : text;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(bare);
  const port = m?.[2] === undefined ? DEFAULTS.apiServerPort : Number(m[2]);
  if (m === null || port < 1 || port > 65535 || (m[1]?.startsWith('[') === true && isIP(m[1].slice(1, -1)) !== 6)) {
    throw new InvalidArgumentError(`endpoint "${endpoint}" is neither a URL nor a host[:port]; ${hint}`);
  }
  return new URL(`https://${m[1] ?? ''}:${port}`);
}

/** The endpoint's host without IPv6 brackets: the certificate SAN and the talosconfig endpoint. */
export function endpointHost(endpoint: URL): string {
  return endpoint.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** A Kubernetes version given as 1.32.0 or v1.32.0, returned without the `v`. */
export function normalizeKubernetesVersion(version: string): string {
  const m = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(version.trim());
  if (m?.[1] === undefined) {
    throw new InvalidArgumentError(
      `Kubernetes version "${version}" is not a version such as ${DEFAULT_KUBERNETES_VERSION}`,
    );
  }
  return m[1];
}

/** Checks a cluster name: it names the talosconfig context and the Kubernetes cluster. */
export function checkClusterName(name: string): string {
  if (!/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(name)) {
    throw new InvalidArgumentError(
      `cluster name "${name}" must be 1-63 letters, digits, ".", "_" or "-", starting and ending with a letter or digit`,
    );
  }
  return name;
}

function certSans(input: ClusterInput): string[] {
  return [...new Set([endpointHost(input.endpoint), ...input.additionalSans])];
}

function machineSection(input: ClusterInput, type: 'controlplane' | 'worker'): JsonObject {
  const os = input.secrets.certs.os;
  return {
    type,
    token: input.secrets.trustdinfo.token,
    ca: { crt: os.crt, key: type === 'controlplane' ? os.key : '' },
    certSANs: certSans(input),
    kubelet: { image: `ghcr.io/siderolabs/kubelet:v${input.kubernetesVersion}` },
    network: {},
    install: { disk: input.installDisk, image: INSTALLER_IMAGE, wipe: false },
  };
}

function clusterBase(input: ClusterInput): JsonObject {
  const s = input.secrets;
  return {
    id: s.cluster.id,
    secret: s.cluster.secret,
    controlPlane: { endpoint: input.endpoint.origin },
    clusterName: input.clusterName,
    network: {
      dnsDomain: input.dnsDomain,
      podSubnets: [...DEFAULTS.podSubnets],
      serviceSubnets: [...DEFAULTS.serviceSubnets],
    },
    token: s.secrets.bootstraptoken,
  };
}

const k8sImage = (name: string, version: string): string => `registry.k8s.io/${name}:v${version}`;

/** The control-plane machine config: every CA with its key, the etcd CA, the API server's SANs. */
export function controlPlaneConfig(input: ClusterInput): JsonObject {
  const s = input.secrets;
  const v = input.kubernetesVersion;
  return envelope(machineSection(input, 'controlplane'), {
    ...clusterBase(input),
    secretboxEncryptionSecret: s.secrets.secretboxencryptionsecret,
    ca: { ...s.certs.k8s },
    aggregatorCA: { ...s.certs.k8saggregator },
    serviceAccount: { ...s.certs.k8sserviceaccount },
    apiServer: { image: k8sImage('kube-apiserver', v), certSANs: certSans(input) },
    controllerManager: { image: k8sImage('kube-controller-manager', v) },
    proxy: { image: k8sImage('kube-proxy', v) },
    scheduler: { image: k8sImage('kube-scheduler', v) },
    etcd: { image: ETCD_IMAGE, ca: { ...s.certs.etcd } },
  });
}

/** The worker machine config: CA certificates without their keys, no etcd, no control-plane secrets. */
export function workerConfig(input: ClusterInput): JsonObject {
  return envelope(machineSection(input, 'worker'), {
    ...clusterBase(input),
    ca: { crt: input.secrets.certs.k8s.crt, key: '' },
    proxy: { image: k8sImage('kube-proxy', input.kubernetesVersion) },
  });
}

function envelope(machine: JsonObject, cluster: JsonObject): JsonObject {
  return { version: 'v1alpha1', debug: false, persist: true, machine, cluster };
}

/** The client config: one context named after the cluster, the OS CA, and an os:admin client certificate. */
export function talosconfig(clusterName: string, endpoint: URL, osCaCrt: string, client: CertAndKeyPem): JsonObject {
  return {
    context: clusterName,
    contexts: {
      [clusterName]: {
        endpoints: [endpointHost(endpoint)],
        nodes: [],
        ca: osCaCrt,
        crt: toBase64Pem(client.crt),
        key: toBase64Pem(client.key),
      },
    },
  };
}

/** YAML text of `doc` after a `# ` comment header (one line per entry of `header`). */
export function toYaml(doc: Json, header: readonly string[]): string {
  return header.map((l) => `# ${l}\n`).join('') + stringify(doc, { lineWidth: 0 });
}
