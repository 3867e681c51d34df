// Measures the full PKI issue of one control-plane node, in-process: a generated config in, every secrets controller on
// the real runtime over an in-memory store, until all thirteen Certificate views exist; median of 5; target <= 1 s.
import {
  DEFAULTS,
  DEFAULT_KUBERNETES_VERSION,
  controlPlaneConfig,
  generateSecrets,
  normalizeEndpoint,
} from '../../api/config-gen/index.js';
import { ApiCertificatesSpecController } from '../../controllers/secrets/api-certificates-spec.js';
import { CertificateStatusController } from '../../controllers/secrets/certificate-status.js';
import { EtcdRootConfigController } from '../../controllers/secrets/etcd-root-config.js';
import { EtcdSecretsSpecController } from '../../controllers/secrets/etcd-secrets-spec.js';
import { KubernetesRootConfigController } from '../../controllers/secrets/kubernetes-root-config.js';
import { KubernetesSecretsSpecController } from '../../controllers/secrets/kubernetes-secrets-spec.js';
import { OSRootConfigController } from '../../controllers/secrets/os-root-config.js';
import {
  ACTIVE_CONFIG_ID,
  ALL_TYPES,
  CONFIG_NAMESPACE,
  CertificateType,
  HOSTNAME_ID,
  HostnameStatusType,
  InMemoryState,
  MachineConfigType,
  NETWORK_NAMESPACE,
  NodeAddressType,
  SECRETS_NAMESPACE,
  observeEvents,
} from '../../resources/index.js';
import { ControllerRuntime } from '../../runtime/index.js';
import { line } from './common.js';

const RUNS = 5;
/** Certificates of a control-plane node: 4 CAs from the config, 9 issued leaves. */
const CERTIFICATES = 13;
const TIMEOUT_MS = 10_000;

/** One run: a fresh store and runtime; the clock starts when the config is written, stops at the 13th Certificate. */
async function once(config: object): Promise<number> {
  const state = new InMemoryState();
  for (const t of ALL_TYPES) await state.registerType(t);
  await state.create({
    metadata: { namespace: NETWORK_NAMESPACE, type: HostnameStatusType.type, id: HOSTNAME_ID },
    spec: { hostname: 'controlplane-1', domainname: '' },
  });
  await state.create({
    metadata: { namespace: NETWORK_NAMESPACE, type: NodeAddressType.type, id: 'accumulative' },
    spec: { addresses: ['10.5.0.2/24', 'fd00::2/64'] },
  });
  const runtime = new ControllerRuntime(state);
  for (const c of [
    new OSRootConfigController(),
    new EtcdRootConfigController(),
    new KubernetesRootConfigController(),
    new ApiCertificatesSpecController(),
    new EtcdSecretsSpecController(),
    new KubernetesSecretsSpecController(),
    new CertificateStatusController(),
  ])
    runtime.register(c);
  const ac = new AbortController();
  const running = runtime.run(ac.signal);
  // The cursor opens before the config is written, so that no Certificate event can come before it.
  const cursor = await state.cursor({ namespace: SECRETS_NAMESPACE, type: CertificateType.type }, { tailEvents: 0 });
  const done = new Promise<void>((resolve, reject) => {
    const seen = new Set<string>();
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`only ${seen.size} of ${CERTIFICATES} certificates after ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    const sub = observeEvents(() => Promise.resolve(cursor)).subscribe((e) => {
      if (e.type === 'created') seen.add(e.resource.metadata.id);
      if (seen.size === CERTIFICATES) {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve();
      }
    });
  });
  const start = performance.now();
  await state.create({
    metadata: { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID },
    spec: config,
  });
  try {
    await done;
    return performance.now() - start;
  } finally {
    ac.abort();
    await running;
  }
}

/** Generates one control-plane config, then issues its PKI RUNS times; reports the median. */
export async function run(): Promise<string[]> {
  const config = controlPlaneConfig({
    clusterName: 'bench',
    endpoint: normalizeEndpoint('https://10.5.0.2:6443'),
    secrets: await generateSecrets(),
    dnsDomain: DEFAULTS.dnsDomain,
    additionalSans: [],
    kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
    installDisk: DEFAULTS.installDisk,
  });
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await once(config));
  times.sort((a, b) => a - b);
  return [line('pki_issue_controlplane', times[Math.floor(RUNS / 2)] ?? Number.NaN, 'ms')];
}
