// The health checks against stand-in nodes: etcd member views that differ or leave a control plane out, services that
// failed or are unhealthy, and a worker that does not answer (with the hint about its certificate).
import { expect } from 'chai';
import { createServer, type Server } from 'node:net';
import type { NodeClients, NodeSet } from '../../client/index.js';
import { HEALTH_CHECKS, type HealthCheck, type HealthRole, type HealthState } from './health-checks.js';

const check = (prefix: string): HealthCheck => {
  const c = HEALTH_CHECKS.find((h) => h.title.startsWith(prefix));
  if (c === undefined) throw new Error(`no check ${prefix}`);
  return c;
};

interface Fake {
  node: string;
  port: number;
  hostname?: string;
  members?: { id: string; hostname: string; isLearner?: boolean }[];
  services?: {
    id: string;
    state: string;
    health: { unknown: boolean; healthy: boolean; lastMessage: string } | null;
  }[];
}

function fakeNode(f: Fake): NodeClients {
  const meta = { hostname: f.hostname ?? f.node, error: '' };
  return {
    node: f.node,
    connection: { endpoint: { host: '127.0.0.1', port: f.port }, address: `127.0.0.1:${f.port}` },
    machine: {
      version: () => Promise.resolve([{ metadata: meta, version: null, platform: null }]),
      serviceList: () => Promise.resolve([{ metadata: meta, services: f.services ?? [] }]),
      etcdMembers: () =>
        Promise.resolve([
          {
            metadata: meta,
            members: (f.members ?? []).map((m) => ({ peerUrls: [], clientUrls: [], isLearner: false, ...m })),
          },
        ]),
    },
    state: { get: () => Promise.reject(new Error('not served')), list: () => Promise.resolve([]) },
  } as unknown as NodeClients;
}

describe('osctl health checks', () => {
  let server: Server;
  let open = 0;
  let closed = 0;

  before(async () => {
    server = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    open = (server.address() as { port: number }).port;
    // A port nothing listens on: taken from a server that is closed again.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closed = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const state = (fakes: Fake[], roles: [string, HealthRole][]): HealthState => ({
    nodes: { nodes: fakes.map(fakeNode) } as unknown as NodeSet,
    tls: { mode: 'insecure' },
    roles: new Map(roles),
    hostnames: new Map(fakes.map((f) => [f.node, f.hostname ?? f.node])),
    clockToleranceMs: 2000,
    signal: new AbortController().signal,
  });

  it('etcd: passes when every control plane sees the same members, itself among them', async () => {
    const members = [
      { id: '11', hostname: 'cp-1' },
      { id: '12', hostname: 'cp-2' },
    ];
    const s = state(
      [
        { node: 'a', port: open, hostname: 'cp-1', members },
        { node: 'b', port: open, hostname: 'cp-2', members: [...members].reverse() },
        { node: 'w', port: open, hostname: 'worker-1' },
      ],
      [
        ['a', 'controlplane'],
        ['b', 'controlplane'],
        ['w', 'worker'],
      ],
    );
    expect(await check('etcd').attempt(s)).to.equal(undefined);
  });

  it('etcd: names the control planes that see different members, or are not members', async () => {
    const split = state(
      [
        { node: 'a', port: open, hostname: 'cp-1', members: [{ id: '11', hostname: 'cp-1' }] },
        { node: 'b', port: open, hostname: 'cp-2', members: [{ id: '18', hostname: 'cp-2' }] },
      ],
      [
        ['a', 'controlplane'],
        ['b', 'controlplane'],
      ],
    );
    expect(await check('etcd').attempt(split)).to.equal(
      'the control planes see different etcd members: a (cp-1) sees [b], b (cp-2) sees [12]',
    );
    const outside = state(
      [
        { node: 'a', port: open, hostname: 'cp-1', members: [{ id: '11', hostname: 'cp-1' }] },
        { node: 'b', port: open, hostname: 'cp-2', members: [{ id: '11', hostname: 'cp-1' }] },
      ],
      [
        ['a', 'controlplane'],
        ['b', 'controlplane'],
      ],
    );
    expect(await check('etcd').attempt(outside)).to.equal('not etcd members: b (cp-2)');
  });

  it('services: a service that is not Running, or unhealthy, fails; one without a health check only has to run', async () => {
    const s = state(
      [
        {
          node: 'a',
          port: open,
          services: [
            { id: 'containerd', state: 'Running', health: { unknown: false, healthy: true, lastMessage: '' } },
            { id: 'etcd', state: 'Running', health: { unknown: false, healthy: false, lastMessage: 'no quorum' } },
            { id: 'web', state: 'Failed', health: null },
            { id: 'quiet', state: 'Running', health: { unknown: true, healthy: false, lastMessage: '' } },
          ],
        },
      ],
      [],
    );
    expect(await check('every service').attempt(s)).to.equal('a: etcd is unhealthy (no quorum), web is Failed');
  });

  it('API: a worker that does not answer is named, with why a worker may serve no API yet', async () => {
    const s = state(
      [
        { node: 'a', port: open },
        { node: 'w', port: closed },
      ],
      [
        ['a', 'controlplane'],
        ['w', 'worker'],
      ],
    );
    const why = await check('every node answering').attempt(s);
    expect(why).to.match(/^w: cannot reach 127\.0\.0\.1:\d+: connection refused \(a worker serves its API only once/);
  });
});
