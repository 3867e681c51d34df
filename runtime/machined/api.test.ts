// machined's API in-process: maintenance mode takes a config over server-only TLS and comes back secure on the same
// port; the operations an admin calls (logs, memory, processes, kubeconfig, client configurations) and reboot.
import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { genConfig } from '../../api/config-gen/index.js';
import {
  call,
  clients,
  closeAll,
  collect,
  maintenanceCredentials,
  stream,
  take,
  talosconfigCredentials,
} from '../../api/server/testing.js';
import { allControllers } from '../../controllers/index.js';
import {
  API_STATUS_ID,
  ApiStatusType,
  MACHINE_ID,
  MachineStatusType,
  RUNTIME_NAMESPACE,
  waitFor,
  type Resource,
} from '../../resources/index.js';
import { nodeLogger, type NodeLogger } from './logging.js';
import { startMachined, type Machined } from './machined.js';

const apiStatus = { namespace: RUNTIME_NAMESPACE, type: ApiStatusType.type, id: API_STATUS_ID };
const modeIs = (mode: string) => (r: Resource | undefined) => (r?.spec as { mode?: string } | undefined)?.mode === mode;
type Msgs<T> = { messages: T[] };

describe('machined: the node API', function () {
  this.timeout(30_000);
  let gen: string;
  let dir: string;
  let node: Machined | undefined;
  let logger: NodeLogger | undefined;
  before(async () => {
    gen = await mkdtemp(join(tmpdir(), 'osnode-api-gen-'));
    await genConfig({ clusterName: 'demo', endpoint: 'https://10.5.0.2:6443', outputDir: gen });
  });
  after(() => rm(gen, { recursive: true, force: true }));
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osnode-api-'));
  });
  afterEach(async () => {
    await node?.shutdown();
    node = undefined;
    await logger?.close();
    logger = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (configPath?: string, onReboot?: () => void): Promise<Machined> => {
    logger = nodeLogger(dir, 'error');
    node = await startMachined({
      stateDir: dir,
      mode: 'container',
      controllers: allControllers(),
      logger,
      api: { host: '127.0.0.1', port: 0 },
      ...(configPath === undefined ? {} : { configPath }),
      ...(onReboot === undefined ? {} : { onReboot }),
    });
    return node;
  };
  const admin = async (port: number) =>
    clients(port, talosconfigCredentials(await readFile(join(gen, 'talosconfig'), 'utf8')));

  it('maintenance mode takes a config, then serves securely on the same port', async () => {
    const n = await start();
    const port = n.api!.listenPort;
    await waitFor(n.state, apiStatus, modeIs('maintenance'));
    const m = clients(port, maintenanceCredentials());
    try {
      const data = await readFile(join(gen, 'controlplane.yaml'));
      const r = await call<Msgs<{ modeDetails: string }>>(m.machine, 'ApplyConfiguration', { data, mode: 'AUTO' });
      expect(r.messages[0]?.modeDetails).to.equal('applied without a reboot');
    } finally {
      closeAll(m);
    }
    await waitFor(n.state, apiStatus, modeIs('secure'));
    expect(n.api!.listenPort).to.equal(port);
    const c = await admin(port);
    try {
      const st = await call<{ resource: { spec: { yamlSpec: string } } }>(c.state, 'Get', {
        namespace: RUNTIME_NAMESPACE,
        type: MachineStatusType.type,
        id: MACHINE_ID,
      });
      expect(parse(st.resource.spec.yamlSpec)).to.include({ stage: 'running' });
    } finally {
      closeAll(c);
    }
  });

  it('serves logs, memory, processes, a kubeconfig and client configurations to an admin', async () => {
    const n = await start(join(gen, 'controlplane.yaml'));
    await waitFor(n.state, apiStatus, modeIs('secure'));
    const c = await admin(n.api!.listenPort);
    try {
      const logs = await collect(stream<{ bytes: Buffer }>(c.machine, 'Logs', { id: 'machined', tailLines: -1 }));
      expect(Buffer.concat(logs.map((l) => l.bytes)).toString()).to.include('node API in secure mode');
      const follow = stream<{ bytes: Buffer }>(c.machine, 'Logs', { id: 'machined', tailLines: 1, follow: true });
      const [last] = await take(follow, 1); // the last line: the stream is live
      expect(last?.bytes.toString().trim().split('\n')).to.have.length(1);
      logger!.log('info', 'test', 'a line written while following');
      const [chunk] = await take(follow, 1);
      expect(chunk?.bytes.toString()).to.include('a line written while following');
      follow.cancel();
      const missing = (await collect(stream(c.machine, 'Logs', { id: 'kubelet' })).catch(
        (e: unknown) => e,
      )) as ServiceError;
      expect(missing.code).to.equal(status.NOT_FOUND);
      expect(missing.details).to.include('machined');

      const mem = await call<Msgs<{ meminfo: { memtotal: number } }>>(c.machine, 'Memory');
      expect(mem.messages[0]?.meminfo.memtotal).to.be.above(0);
      const ps = await call<Msgs<{ processes: { pid: number; command: string }[] }>>(c.machine, 'Processes');
      expect(ps.messages[0]?.processes.map((p) => p.pid)).to.include(process.pid);

      const kc = await collect(stream<{ bytes: Buffer }>(c.machine, 'Kubeconfig'));
      const doc = parse(Buffer.concat(kc.map((k) => k.bytes)).toString()) as {
        clusters: { cluster: { server: string } }[];
        users: { user: { 'client-certificate-data': string } }[];
      };
      expect(doc.clusters[0]?.cluster.server).to.equal('https://10.5.0.2:6443');
      const cert = new X509Certificate(Buffer.from(doc.users[0]?.user['client-certificate-data'] ?? '', 'base64'));
      expect(cert.subject).to.include('O=system:masters').and.include('CN=admin');

      const gen2 = await call<Msgs<{ crt: Buffer; ca: Buffer; talosconfig: Buffer }>>(
        c.machine,
        'GenerateClientConfiguration',
        {
          roles: ['os:reader'],
          crtTtl: { seconds: 3600, nanos: 0 },
        },
      );
      const issued = new X509Certificate(gen2.messages[0]!.crt);
      expect(issued.subject).to.equal('O=os:reader');
      expect(issued.verify(new X509Certificate(gen2.messages[0]!.ca).publicKey)).to.equal(true);
      const reader = clients(n.api!.listenPort, talosconfigCredentials(gen2.messages[0]!.talosconfig.toString()));
      try {
        const e = (await call(reader.machine, 'Reboot').catch((x: unknown) => x)) as ServiceError;
        expect(e.code).to.equal(status.PERMISSION_DENIED);
      } finally {
        closeAll(reader);
      }
      const bad = (await call(c.machine, 'GenerateClientConfiguration', { roles: ['root'] }).catch(
        (x: unknown) => x,
      )) as ServiceError;
      expect(bad.code).to.equal(status.INVALID_ARGUMENT);
      expect(bad.details).to.include('os:admin, os:operator, os:reader, os:etcd:backup');
    } finally {
      closeAll(c);
    }
  });

  it('reboot over the API replies first, then stops the node and calls onReboot', async () => {
    let rebooted = 0;
    const n = await start(join(gen, 'controlplane.yaml'), () => rebooted++);
    await waitFor(n.state, apiStatus, modeIs('secure'));
    const c = await admin(n.api!.listenPort);
    try {
      const r = await call<Msgs<{ metadata: { hostname: string } }>>(c.machine, 'Reboot', {});
      expect(r.messages[0]?.metadata.hostname).to.be.a('string').and.not.equal('');
      await n.reboot(); // the same stop the API started
      expect(rebooted).to.equal(1);
    } finally {
      closeAll(c);
    }
  });
});
