// The network spec controllers against the real kernel in a throwaway namespace, checked with iproute2's `ip -json`.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { NetworkConditionSpec } from '../../resources/index.js';
import { useNamespace } from '../../runtime/host/netlink/testing.js';
import type { FixtureCommand, FixtureCondition } from './spec.fixture.js';


/** The fixture process: the controllers over netlink inside the namespace; keeps the latest condition of each spec. */
class Fixture {
  readonly conditions = new Map<string, NetworkConditionSpec>();
  private readonly waiters = new Set<() => void>();
  private readonly lines: Interface;

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (line) => {
      const c = JSON.parse(line) as FixtureCondition;
      if (c.destroyed === true) this.conditions.delete(c.id);
      else this.conditions.set(c.id, c.spec as NetworkConditionSpec);
      for (const w of this.waiters) w();
    });
  }

  static start(ns: string): Fixture {
    const script = fileURLToPath(new URL('./spec.fixture.js', import.meta.url));
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, script], { stdio: ['pipe', 'pipe', 'inherit'] });
    return new Fixture(child);
  }

  send(cmd: FixtureCommand): void {
    this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
  }

  /** Resolves once the condition `id` satisfies `pred`; fails after `ms` naming what it saw. */
  waitCondition(id: string, pred: (c: NetworkConditionSpec | undefined) => boolean, ms = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pred(this.conditions.get(id))) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`condition ${id} not reached within ${ms} ms: ${JSON.stringify(this.conditions.get(id))}`));
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
    this.lines.close();
  }
}

const link = (name: string, more: Record<string, unknown>) => ({
  put: 'LinkSpec',
  id: name,
  spec: {
    name,
    logical: true,
    kind: '',
    up: true,
    mtu: 0,
    master: '',
    parent: '',
    vlanId: 0,
    vethPeer: '',
    bondMode: '',
    layer: 'configuration',
    ...more,
  },
});
const address = (linkName: string, cidr: string, flags = '') => ({
  put: 'AddressSpec',
  id: `${linkName}/${cidr}`,
  spec: {
    address: cidr,
    linkName,
    family: cidr.includes(':') ? 'inet6' : 'inet4',
    scope: 'global',
    flags,
    layer: 'configuration',
  },
});
const ROUTE_ID = 'main/inet4/10.77.0.254/10.78.0.0/16/50/veth0';
const ROUTE = {
  put: 'RouteSpec',
  id: ROUTE_ID,
  spec: {
    family: 'inet4',
    destination: '10.78.0.0/16',
    source: '',
    gateway: '10.77.0.254',
    outLinkName: 'veth0',
    table: 'main',
    metric: 50,
    scope: 'global',
    type: 'unicast',
    protocol: 'static',
    mtu: 0,
    layer: 'configuration',
  },
};
const state = (s: NetworkConditionSpec['state']) => (c: NetworkConditionSpec | undefined) => c?.state === s;

describe('network spec controllers against the real kernel', function () {
  const space = useNamespace('osn-spec', 'controllers/network spec', (ns) => Fixture.start(ns));
  const f = space.fixture;
  const ip = space.ip;
  /** Resolves once `check` holds on the kernel as `ip` shows it; asks again every 20 ms until `ms` passed. */
  async function kernelUntil(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
    }
  }
  const addrs = async (dev: string): Promise<string[]> => {
    const [d] = await ip('addr', 'show', 'dev', dev);
    return ((d?.addr_info ?? []) as { local: string; prefixlen: number }[]).map((i) => `${i.local}/${i.prefixlen}`);
  };

  it('applies a bridge, a veth pair, v4 and v6 addresses, a route and MTU; reports dummy as Unsupported', async function () {
    f().send(link('br0', { kind: 'bridge' }));
    f().send(link('veth0', { kind: 'veth', vethPeer: 'veth1', mtu: 1400 }));
    f().send(link('veth1', { kind: 'veth', vethPeer: 'veth0', master: 'br0' }));
    f().send(link('dummy0', { kind: 'dummy' }));
    f().send(address('veth0', '10.77.0.1/24'));
    f().send(address('veth0', 'fd77::1/64', 'nodad'));
    f().send(ROUTE);
    for (const id of ['br0', 'veth0', 'veth1']) await f().waitCondition(`LinkSpec/${id}`, state('Applied'));
    await f().waitCondition('AddressSpec/veth0/10.77.0.1/24', state('Applied'));
    await f().waitCondition('AddressSpec/veth0/fd77::1/64', state('Applied'));
    await f().waitCondition(`RouteSpec/${ROUTE_ID}`, state('Applied'));
    await f().waitCondition('LinkSpec/dummy0', state('Unsupported'));
    expect(f().conditions.get('LinkSpec/dummy0')?.reason).to.contain('EOPNOTSUPP');

    const [v0] = await ip('link', 'show', 'veth0');
    expect(v0).to.include({ mtu: 1400 });
    expect(v0?.flags).to.include('UP');
    const [v1] = await ip('link', 'show', 'veth1');
    expect(v1).to.include({ master: 'br0' });
    const [br] = await ip('-details', 'link', 'show', 'br0');
    expect((br?.linkinfo as { info_kind?: string } | undefined)?.info_kind).to.equal('bridge');
    expect(await ip('link', 'show')).to.satisfy((ls: { ifname: string }[]) => !ls.some((l) => l.ifname === 'dummy0'));
    expect(await addrs('veth0')).to.include.members(['10.77.0.1/24', 'fd77::1/64']);
    const [r] = await ip('route', 'show', '10.78.0.0/16');
    expect(r).to.include({ gateway: '10.77.0.254', dev: 'veth0', protocol: 'static', metric: 50 });
  });

  it('puts back an address deleted by hand (and the route the kernel flushed with it)', async function () {
    await space.run('addr', 'del', '10.77.0.1/24', 'dev', 'veth0');
    await kernelUntil('10.77.0.1 back on veth0', async () => (await addrs('veth0')).includes('10.77.0.1/24'));
    await kernelUntil('the route back', async () => (await ip('route', 'show', '10.78.0.0/16')).length === 1);
  });

  it('sets a link up again after it is set down by hand, and restores its MTU', async function () {
    await space.run('link', 'set', 'veth0', 'down', 'mtu', '1500');
    await kernelUntil('veth0 up with MTU 1400', async () => {
      const [v0] = await ip('link', 'show', 'veth0');
      return (v0?.flags as string[] | undefined)?.includes('UP') === true && v0?.mtu === 1400;
    });
  });

  it('deletes what it created when the specs go, and leaves the rest', async function () {
    f().send({ delete: 'AddressSpec', id: 'veth0/fd77::1/64' });
    f().send({ delete: 'LinkSpec', id: 'br0' });
    await f().waitCondition('LinkSpec/br0', (c) => c === undefined);
    await kernelUntil('br0 deleted', async () => (await ip('link', 'show')).every((l) => l.ifname !== 'br0'));
    await kernelUntil('fd77::1 removed', async () => !(await addrs('veth0')).includes('fd77::1/64'));
    expect(await addrs('veth0')).to.include('10.77.0.1/24');
    await f().waitCondition('LinkSpec/veth1', state('Pending'));
  });
});
