// The checks of `osctl health`, in order: API reachable, MachineStatus ready, services healthy, etcd members agree
// across the control planes, clocks close to this machine's. Each returns undefined when it holds, else why not.
import type { NodeClients, NodeSet, NodeTls } from '../../client/index.js';
import {
  CONFIG_NAMESPACE,
  MACHINE_ID,
  MACHINE_TYPE_ID,
  MachineStatusType,
  MachineTypeType,
  RUNTIME_NAMESPACE,
  type MachineStatusSpec,
  type MachineTypeSpec,
} from '../../../resources/index.js';
import { probePort } from '../cluster/probe.js';
import { expectedMessage } from '../report.js';
import { formatSkew, nodeClockSkew, withinTolerance } from './health-clock.js';

/** A node's role as far as it is known. */
export type HealthRole = 'controlplane' | 'worker' | 'unknown';

/** What the checks learn about the nodes and share. */
export interface HealthState {
  readonly nodes: NodeSet;
  readonly tls: NodeTls;
  /** Roles given with --control-plane-nodes / --worker-nodes, or learned from MachineType and Member resources. */
  readonly roles: Map<string, HealthRole>;
  /** Hostnames from the nodes' Version replies. */
  readonly hostnames: Map<string, string>;
  readonly clockToleranceMs: number;
  readonly signal: AbortSignal;
}

/** One check: its title as printed, and one attempt at it. */
export interface HealthCheck {
  readonly title: string;
  readonly attempt: (s: HealthState) => Promise<string | undefined>;
}

const label = (s: HealthState, node: string): string => {
  const h = s.hostnames.get(node);
  return h === undefined || h === node ? node : `${node} (${h})`;
};

const message = (e: unknown): string =>
  expectedMessage(e) ?? (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';

/**
 * `fn` on node `n`, after a TCP probe of its API port: no API connection attempt to a node that does not answer may
 * outlive the command (see cluster/probe.ts). Resolves with `fn`'s result, or why the node failed.
 */
async function probed<T>(n: NodeClients, fn: (n: NodeClients) => Promise<T>): Promise<{ ok: T } | { why: string }> {
  const unreachable = await probePort(n.connection.endpoint.host, n.connection.endpoint.port, 3000);
  if (unreachable !== undefined) return { why: `cannot reach ${n.connection.address}: ${unreachable}` };
  try {
    return { ok: await fn(n) };
  } catch (e: unknown) {
    return { why: message(e) };
  }
}

/** Runs `fn` on every node; joins the failures (`node: why`) into one reason, or undefined when none failed. */
async function perNode(
  s: HealthState,
  fn: (n: NodeClients) => Promise<string | undefined>,
): Promise<string | undefined> {
  const results = await Promise.all(
    s.nodes.nodes.map(async (n) => {
      const r = await probed(n, fn);
      const why = 'why' in r ? r.why : r.ok;
      return why === undefined ? [] : [`${label(s, n.node)}: ${why}`];
    }),
  );
  const bad = results.flat();
  return bad.length === 0 ? undefined : bad.join('; ');
}

/** Member resources (cluster membership, kept by the control planes) as node address -> role, where served. */
async function memberRoles(n: NodeClients, signal: AbortSignal): Promise<Map<string, HealthRole>> {
  const roles = new Map<string, HealthRole>();
  const members = await n.state.list({ namespace: 'cluster', type: 'Member' }, { signal }).catch(() => []);
  for (const m of members) {
    const spec = m.spec as { role?: unknown; addresses?: unknown };
    const role = spec.role === 'controlplane' || spec.role === 'worker' ? spec.role : 'unknown';
    for (const a of Array.isArray(spec.addresses) ? spec.addresses : []) if (typeof a === 'string') roles.set(a, role);
  }
  return roles;
}

const API: HealthCheck = {
  title: 'every node answering its API (Version)',
  attempt: async (s) => {
    const learned = new Map<string, HealthRole>();
    const reason = await perNode(s, async (n) => {
      const [v] = await n.machine.version({ signal: s.signal });
      if (v?.metadata?.hostname) s.hostnames.set(n.node, v.metadata.hostname);
      if ((s.roles.get(n.node) ?? 'unknown') === 'unknown') {
        const ptr = { namespace: CONFIG_NAMESPACE, type: MachineTypeType.type, id: MACHINE_TYPE_ID };
        const type = ((await n.state.get(ptr, { signal: s.signal })).spec as MachineTypeSpec).type;
        s.roles.set(n.node, type);
        if (type === 'controlplane') for (const [a, r] of await memberRoles(n, s.signal)) learned.set(a, r);
      }
      return undefined;
    });
    for (const [node, role] of learned) if ((s.roles.get(node) ?? 'unknown') === 'unknown') s.roles.set(node, role);
    if (reason === undefined) return undefined;
    const workerDown = s.nodes.nodes.some((n) => s.roles.get(n.node) === 'worker' && reason.includes(label(s, n.node)));
    return workerDown
      ? `${reason} (a worker serves its API only once a control plane's trustd has signed its certificate)`
      : reason;
  },
};

const READY: HealthCheck = {
  title: 'every node running and ready (MachineStatus)',
  attempt: (s) =>
    perNode(s, async (n) => {
      const ptr = { namespace: RUNTIME_NAMESPACE, type: MachineStatusType.type, id: MACHINE_ID };
      const st = (await n.state.get(ptr, { signal: s.signal })).spec as MachineStatusSpec;
      if (st.stage === 'running' && st.ready) return undefined;
      const unmet = st.unmetConditions.map((c) => `${c.name}: ${c.reason}`).join(', ');
      return `stage ${st.stage}, not ready${unmet === '' ? '' : ` (${unmet})`}`;
    }),
};

const SERVICES: HealthCheck = {
  title: 'every service Running and healthy (ServiceList)',
  attempt: (s) =>
    perNode(s, async (n) => {
      const services = (await n.machine.serviceList({ signal: s.signal })).flatMap((r) => r.services);
      const bad = services.flatMap((svc) => {
        if (svc.state !== 'Running') return [`${svc.id} is ${svc.state}`];
        // A service without a health check (unknown health) only has to run.
        if (svc.health === null || svc.health.unknown || svc.health.healthy) return [];
        return [`${svc.id} is unhealthy${svc.health.lastMessage ? ` (${svc.health.lastMessage})` : ''}`];
      });
      return bad.length === 0 ? undefined : bad.join(', ');
    }),
};

const ETCD: HealthCheck = {
  title: 'etcd members agreeing across the control planes (EtcdMemberList)',
  attempt: async (s) => {
    const cps = s.nodes.nodes.filter((n) => s.roles.get(n.node) === 'controlplane');
    if (cps.length === 0) return 'no control plane among the nodes (give one with -n or --control-plane-nodes)';
    const views = await Promise.all(
      cps.map(async (n) => {
        const r = await probed(n, async (c) =>
          (await c.machine.etcdMembers({ signal: s.signal })).flatMap((m) => m.members),
        );
        return 'why' in r ? { node: n.node, members: [], error: r.why } : { node: n.node, members: r.ok };
      }),
    );
    const failed = views.filter((v) => v.error !== undefined);
    if (failed.length > 0) return failed.map((f) => `${label(s, f.node)}: ${f.error}`).join('; ');
    const key = (ms: readonly { id: string }[]): string =>
      ms
        .map((m) => BigInt(m.id).toString(16))
        .sort()
        .join(',');
    const distinct = new Set(views.map((v) => key(v.members)));
    if (distinct.size > 1) {
      const seen = views.map((v) => `${label(s, v.node)} sees [${key(v.members)}]`).join(', ');
      return `the control planes see different etcd members: ${seen}`;
    }
    const names = new Set(views[0]?.members.map((m) => m.hostname) ?? []);
    const outside = cps.filter((c) => !names.has(s.hostnames.get(c.node) ?? c.node));
    if (outside.length > 0) return `not etcd members: ${outside.map((c) => label(s, c.node)).join(', ')}`;
    const learners = views[0]?.members.filter((m) => m.isLearner).map((m) => m.hostname) ?? [];
    return learners.length === 0 ? undefined : `still learners: ${learners.join(', ')}`;
  },
};

const CLOCK: HealthCheck = {
  title: "every node's clock close to this machine's",
  attempt: (s) =>
    perNode(s, async (n) => {
      const skew = await nodeClockSkew(n.connection.endpoint, s.tls, { timeoutMs: 5000, signal: s.signal });
      return withinTolerance(skew, s.clockToleranceMs)
        ? undefined
        : `clock off by ${formatSkew(skew)}, more than ${s.clockToleranceMs / 1000}s`;
    }),
};

/** The checks in the order they run. */
export const HEALTH_CHECKS: readonly HealthCheck[] = [API, READY, SERVICES, ETCD, CLOCK];
