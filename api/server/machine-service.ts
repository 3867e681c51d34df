// machine.MachineService over NodeOps: each handler turns a request into one node operation and wraps the answer in
// the per-node message (NodeMetadata { hostname }) that clients fanning out to several nodes rely on.
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { parseDocument } from 'yaml';
import { InvalidArgumentError, MAX_CONFIG_BYTES } from '../../resources/index.js';
import type { ApplyMode } from '../../runtime/machined/apply.js';
import { MACHINE_SERVICE, methodPath } from '../proto/load.js';
import type { PbApplyConfigurationRequest, PbApplyMode, PbData, PbDuration, PbNodeMetadata } from '../proto/types.js';
import type { Calls } from './calls.js';
import type { NodeOps } from './ops.js';

const path = (name: string): string => methodPath(MACHINE_SERVICE, name);

const MODES: Record<PbApplyMode, ApplyMode> = {
  REBOOT: 'reboot',
  AUTO: 'auto',
  NO_REBOOT: 'no-reboot',
  STAGED: 'staged',
  TRY: 'try',
};
const MODE_NAMES = new Map(Object.entries(MODES).map(([pb, mode]) => [mode, pb as PbApplyMode]));

const durationMs = (d: PbDuration | null): number => (d === null ? 0 : d.seconds * 1000 + Math.floor(d.nanos / 1e6));

/** The config document in an apply request; INVALID_ARGUMENT naming the line and column of a YAML error. */
export function parseConfigData(data: Buffer): unknown {
  if (data.length === 0) throw new InvalidArgumentError('apply-config: the request holds no config data');
  if (data.length > MAX_CONFIG_BYTES) {
    throw new InvalidArgumentError(`apply-config: the config is ${data.length} bytes; at most ${MAX_CONFIG_BYTES}`);
  }
  const doc = parseDocument(data.toString('utf8'));
  const err = doc.errors[0];
  if (err !== undefined) {
    const at = err.linePos?.[0];
    const where = at === undefined ? '' : ` at line ${at.line}, column ${at.col}`;
    throw new InvalidArgumentError(
      `apply-config: the config is not valid YAML${where}: ${err.message.split('\n')[0] ?? ''}`,
    );
  }
  return doc.toJS() as unknown;
}

/** The handlers of machine.MachineService. */
export function machineService(ops: NodeOps, calls: Calls): UntypedServiceImplementation {
  const metadata = (): PbNodeMetadata => ({ hostname: ops.hostname(), error: '' });
  const one = <T>(m: T): { messages: (T & { metadata: PbNodeMetadata })[] } => ({
    messages: [{ ...m, metadata: metadata() }],
  });
  const data = (bytes: Buffer): PbData => ({ metadata: metadata(), bytes });
  const action = (name: string, verb: 'start' | 'stop' | 'restart') =>
    calls.unary(path(name), async (req: { id: string }) => one({ resp: await ops.serviceAction(req.id, verb) }));

  return {
    ApplyConfiguration: calls.unary(path('ApplyConfiguration'), async (req: PbApplyConfigurationRequest) => {
      const timeout = durationMs(req.tryModeTimeout);
      const mode = (MODES as Partial<Record<string, ApplyMode>>)[req.mode];
      if (mode === undefined) throw new InvalidArgumentError(`apply-config: unknown mode ${req.mode}`);
      const r = await ops.apply({
        config: parseConfigData(req.data),
        mode,
        dryRun: req.dryRun,
        ...(timeout > 0 ? { tryTimeoutMs: timeout } : {}),
      });
      return one({
        warnings: r.warnings.map((w) => `${w.path}: ${w.message}`),
        mode: MODE_NAMES.get(r.mode) ?? 'AUTO',
        modeDetails: r.message,
        diff: r.diff,
      });
    }),
    Version: calls.unary(path('Version'), () => {
      const v = ops.version();
      const { platform, mode, ...version } = v;
      return Promise.resolve(one({ version, platform: { name: platform, mode } }));
    }),
    Hostname: calls.unary(path('Hostname'), () => Promise.resolve(one({ hostname: ops.hostname() }))),
    Reboot: calls.unary(path('Reboot'), (_req, ctx) => {
      ctx.afterReply(() => {
        ops.reboot();
      });
      return Promise.resolve(one({ actorId: randomUUID() }));
    }),
    Shutdown: calls.unary(path('Shutdown'), (_req, ctx) => {
      ctx.afterReply(() => {
        ops.shutdown();
      });
      return Promise.resolve(one({ actorId: randomUUID() }));
    }),
    ServiceList: calls.unary(path('ServiceList'), () => Promise.resolve(one({ services: ops.services() }))),
    ServiceStart: action('ServiceStart', 'start'),
    ServiceStop: action('ServiceStop', 'stop'),
    ServiceRestart: action('ServiceRestart', 'restart'),
    Logs: calls.stream(
      path('Logs'),
      async function* (req: { namespace: string; id: string; follow: boolean; tailLines: number }, ctx) {
        const o = {
          namespace: req.namespace || 'system',
          follow: req.follow,
          tailLines: req.tailLines,
          signal: ctx.signal,
        };
        for await (const chunk of ops.logs(req.id, o)) yield data(chunk);
      },
    ),
    Dmesg: calls.stream(path('Dmesg'), async function* (req: { follow: boolean; tail: boolean }, ctx) {
      for await (const chunk of ops.dmesg({ follow: req.follow, tail: req.tail, signal: ctx.signal }))
        yield data(chunk);
    }),
    Memory: calls.unary(path('Memory'), async () => one({ meminfo: await ops.memory() })),
    Processes: calls.unary(path('Processes'), async () => one({ processes: await ops.processes() })),
    Kubeconfig: calls.stream(path('Kubeconfig'), async function* () {
      yield data(await ops.kubeconfig());
    }),
    Containers: calls.unary(path('Containers'), async (req: { namespace: string }, ctx) =>
      one({ containers: await ops.containers(req.namespace || 'system', ctx.signal) }),
    ),
    Stats: calls.unary(path('Stats'), async (req: { namespace: string }, ctx) =>
      one({ stats: await ops.stats(req.namespace || 'system', ctx.signal) }),
    ),
    Restart: calls.unary(path('Restart'), async (req: { namespace: string; id: string }, ctx) => {
      await ops.restartContainer(req.namespace || 'system', req.id, ctx.signal);
      return one({});
    }),
    EtcdMemberList: calls.unary(path('EtcdMemberList'), async (_req, ctx) =>
      one({ legacyMembers: [], members: await ops.etcdMembers(ctx.signal) }),
    ),
    EtcdStatus: calls.unary(path('EtcdStatus'), async (_req, ctx) =>
      one({ memberStatus: await ops.etcdStatus(ctx.signal) }),
    ),
    EtcdSnapshot: calls.stream(path('EtcdSnapshot'), async function* (_req, ctx) {
      for await (const chunk of ops.etcdSnapshot(ctx.signal)) yield data(chunk);
    }),
    KernelAudit: calls.unary(path('KernelAudit'), async (_req, ctx) => one(await ops.kernelAudit(ctx.signal))),
    GenerateClientConfiguration: calls.unary(
      path('GenerateClientConfiguration'),
      async (req: { roles: string[]; crtTtl: PbDuration | null }) =>
        one(await ops.generateClientConfiguration(req.roles, durationMs(req.crtTtl))),
    ),
  };
}
