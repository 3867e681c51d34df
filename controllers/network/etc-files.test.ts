// EtcFileController: real files in a temp dir; rendered from the inputs, rewritten only on change, put back when edited.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  EtcFileStatusType,
  HOSTNAME_ID,
  HostnameStatusType,
  MachineConfigType,
  NETWORK_NAMESPACE,
  NodeAddressType,
  RESOLVERS_ID,
  ResolverStatusType,
  putResource,
  type Resource,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { EtcFileController, renderHosts, renderResolvConf } from './etc-files.js';

const ptr = (type: string, id: string) => ({ namespace: NETWORK_NAMESPACE, type, id });
const contentsIs = (text: string) => (r: Resource | undefined) =>
  (r?.spec as { contents?: string } | undefined)?.contents === text;

async function fileIs(path: string, text: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await readFile(path, 'utf8').catch(() => undefined);
    if (now === text) return;
    if (Date.now() > deadline) throw new Error(`${path} is ${JSON.stringify(now)}, not ${JSON.stringify(text)}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
  }
}

describe('network.EtcFileController', () => {
  const h = useHarness({
    types: [ResolverStatusType, HostnameStatusType, NodeAddressType, MachineConfigType, EtcFileStatusType],
  });
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'etc-files-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('renders resolv.conf and hosts', () => {
    expect(renderResolvConf({ dnsServers: ['1.1.1.1', '::1'], searchDomains: ['a.com', 'b.com'] })).to.equal(
      'nameserver 1.1.1.1\nnameserver ::1\nsearch a.com b.com\n',
    );
    expect(renderResolvConf({ dnsServers: ['1.1.1.1'], searchDomains: [] })).to.equal('nameserver 1.1.1.1\n');
    expect(renderHosts({ hostname: 'w1', domainname: '' }, undefined, [])).to.equal(
      '127.0.0.1\tlocalhost\n127.0.1.1\tw1\n::1\tlocalhost ip6-localhost ip6-loopback\n',
    );
  });

  it('writes both files from the inputs, rewrites on change only, and puts back an edited resolv.conf', async () => {
    const s = h().state;
    const resolv = join(root, 'etc', 'resolv.conf');
    const hosts = join(root, 'etc', 'hosts');
    await putResource(s, ptr(ResolverStatusType.type, RESOLVERS_ID), {
      dnsServers: ['1.1.1.1', '8.8.8.8'],
      searchDomains: ['example.com'],
    });
    await putResource(s, ptr(HostnameStatusType.type, HOSTNAME_ID), { hostname: 'w1', domainname: 'example.com' });
    await putResource(s, ptr(NodeAddressType.type, 'default'), { addresses: ['10.5.0.2/24'] });
    await s.create({
      metadata: { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID },
      spec: {
        version: 'v1alpha1',
        machine: {
          type: 'worker',
          network: { extraHostEntries: [{ ip: '10.5.0.10', aliases: ['registry.local', 'registry'] }] },
        },
      },
    });
    h().runtime.register(new EtcFileController(root));
    h().start();

    const resolvText = 'nameserver 1.1.1.1\nnameserver 8.8.8.8\nsearch example.com\n';
    const hostsText =
      '127.0.0.1\tlocalhost\n10.5.0.2\tw1.example.com w1\n::1\tlocalhost ip6-localhost ip6-loopback\n' +
      '10.5.0.10\tregistry.local registry\n';
    const r = await h().waitFor(ptr(EtcFileStatusType.type, 'resolv.conf'), contentsIs(resolvText));
    expect(r?.spec).to.deep.equal({ path: resolv, contents: resolvText });
    await h().waitFor(ptr(EtcFileStatusType.type, 'hosts'), contentsIs(hostsText));
    expect(await readFile(resolv, 'utf8')).to.equal(resolvText);
    expect(await readFile(hosts, 'utf8')).to.equal(hostsText);
    expect((await stat(resolv)).mode & 0o777).to.equal(0o644);

    // A change of hosts' inputs rewrites hosts only: resolv.conf keeps its inode (it was not replaced).
    const inode = (await stat(resolv)).ino;
    await putResource(s, ptr(NodeAddressType.type, 'default'), { addresses: [] });
    await fileIs(hosts, hostsText.replace('10.5.0.2\t', '127.0.1.1\t'));
    expect((await stat(resolv)).ino).to.equal(inode);

    // Edited by hand: put back.
    await writeFile(resolv, 'nameserver 6.6.6.6\n');
    await fileIs(resolv, resolvText);
    // Removed by hand: put back.
    await rm(hosts);
    await fileIs(hosts, hostsText.replace('10.5.0.2\t', '127.0.1.1\t'));

    await putResource(s, ptr(ResolverStatusType.type, RESOLVERS_ID), { dnsServers: ['9.9.9.9'], searchDomains: [] });
    await fileIs(resolv, 'nameserver 9.9.9.9\n');
    await h().waitFor(ptr(EtcFileStatusType.type, 'resolv.conf'), contentsIs('nameserver 9.9.9.9\n'));
    await h().stop();
  });
});
