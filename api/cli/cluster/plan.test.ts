// The cluster plan: node names, addresses, link and namespace names, and the refusals before anything is made.
import { expect } from 'chai';
import { nodeCgroupName as daemonCgroupName } from '../../../runtime/machined/extension-service.js';
import { ClusterError } from './errors.js';
import { formatIpv4, linkTag, netnsPattern, overlaps, parseCidr, planCluster, vethPattern } from './plan.js';
import { nodeCgroupName } from './processes.js';

const base = { name: 'demo', controlPlanes: 3, workers: 1, cidr: '10.5.0.0/24', stateRoot: '/root/.talos/clusters' };

describe('local cluster plan', () => {
  it('names nodes like the seed and numbers their addresses after the bridge', () => {
    const p = planCluster(base);
    expect(p.gateway).to.equal('10.5.0.1');
    expect(p.bridge).to.equal('osb-demo');
    expect(p.endpoint).to.equal('https://10.5.0.2:6443');
    expect(p.nodes.map((n) => [n.name, n.role, n.address, n.netns, n.hostVeth])).to.deep.equal([
      ['controlplane-1', 'controlplane', '10.5.0.2', 'osnode-demo-cp1', 'os-demo-c1'],
      ['controlplane-2', 'controlplane', '10.5.0.3', 'osnode-demo-cp2', 'os-demo-c2'],
      ['controlplane-3', 'controlplane', '10.5.0.4', 'osnode-demo-cp3', 'os-demo-c3'],
      ['worker-1', 'worker', '10.5.0.5', 'osnode-demo-w1', 'os-demo-w1'],
    ]);
    expect(p.nodes[3]?.stateDir).to.equal('/root/.talos/clusters/demo/worker-1');
  });

  it('keeps interface names within 15 bytes for long cluster names, and its patterns match only its own', () => {
    const p = planCluster({
      ...base,
      name: 'a-rather-long-cluster-name',
      controlPlanes: 99,
      workers: 99,
      cidr: '10.6.0.0/16',
    });
    for (const l of [p.bridge, ...p.nodes.map((n) => n.hostVeth)]) expect(l.length).to.be.at.most(15);
    expect(linkTag('a-rather-long-cluster-name')).to.not.equal(linkTag('a-rather-long-cluster-other'));
    expect(netnsPattern('a').test('osnode-a-cp1')).to.equal(true);
    expect(netnsPattern('a').test('osnode-a-cp1-cp1')).to.equal(false);
    expect(vethPattern('demo').test('os-demo-w12')).to.equal(true);
    expect(vethPattern('demo').test('os-demo2-w1')).to.equal(false);
  });

  it('refuses a CIDR too small for the nodes and the bridge, with host bits set, or not IPv4', () => {
    const refusal = (cidr: string): string => {
      try {
        planCluster({ ...base, cidr });
        return '';
      } catch (e: unknown) {
        expect(e).to.be.instanceOf(ClusterError);
        return (e as Error).message;
      }
    };
    expect(refusal('10.5.0.0/30')).to.match(/holds 2 host addresses; 4 nodes and the bridge need 5/);
    expect(refusal('10.5.0.0/29')).to.equal('');
    expect(refusal('10.5.0.7/24')).to.match(/host bits set: use 10\.5\.0\.0\/24/);
    expect(refusal('fd00::/64')).to.match(/not an IPv4 CIDR/);
  });

  it('refuses names that cannot name a directory, namespace and context', () => {
    expect(() => planCluster({ ...base, name: 'Bad_Name' })).to.throw(ClusterError, /lowercase letters, digits or "-"/);
    expect(() => planCluster({ ...base, controlPlanes: 0 })).to.throw(ClusterError, /--controlplanes 0/);
  });

  it('refuses a state directory too long for containerd sockets', () => {
    const stateRoot = `/tmp/${'x'.repeat(80)}`;
    expect(() => planCluster({ ...base, stateRoot })).to.throw(ClusterError, /use a shorter --state/);
  });

  it('finds overlapping prefixes in both directions', () => {
    expect(overlaps(parseCidr('10.5.0.0/24'), parseCidr('10.0.0.0/8'))).to.equal(true);
    expect(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.5.0.0/24'))).to.equal(true);
    expect(overlaps(parseCidr('10.5.0.0/24'), parseCidr('10.5.1.0/24'))).to.equal(false);
    expect(formatIpv4(parseCidr('192.0.2.0/24').network)).to.equal('192.0.2.0');
  });

  it("names a node's cgroups exactly as machined does", () => {
    for (const dir of ['/root/.talos/clusters/demo/controlplane-1', '/tmp/x/worker-1']) {
      expect(nodeCgroupName(dir)).to.equal(daemonCgroupName(dir));
    }
  });
});
