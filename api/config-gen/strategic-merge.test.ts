// Strategic merge: maps merge, lists append, Talos's replace and keyed lists, `$patch: delete|replace`, and its errors.
import { expect } from 'chai';
import type { JsonObject } from './json.js';
import { StrategicMergeError, strategicMerge } from './strategic-merge.js';

function base(): JsonObject {
  return {
    version: 'v1alpha1',
    machine: {
      type: 'worker',
      certSANs: ['10.5.0.2'],
      network: {
        hostname: 'worker-1',
        interfaces: [
          { interface: 'eth0', dhcp: true, vlans: [{ vlanId: 10, mtu: 1500 }] },
          { interface: 'eth1', addresses: ['10.3.5.4/32'] },
        ],
      },
      sysctls: { 'net.ipv4.ip_forward': '1' },
    },
    cluster: {
      network: { podSubnets: ['10.244.0.0/16'], serviceSubnets: ['10.96.0.0/12'] },
      apiServer: {
        admissionControl: [{ name: 'PodSecurity', configuration: { exemptions: { namespaces: ['kube-system'] } } }],
        auditPolicy: { kind: 'Policy', rules: [{ level: 'Metadata' }] },
      },
    },
  };
}

function errorOf(fn: () => unknown): StrategicMergeError {
  try {
    fn();
  } catch (e: unknown) {
    if (e instanceof StrategicMergeError) return e;
    throw e;
  }
  throw new Error('expected a StrategicMergeError');
}

describe('strategicMerge', () => {
  it('merges mappings recursively, sets scalars and adds new keys, leaving the base unchanged', () => {
    const b = base();
    const before = structuredClone(b);
    const out = strategicMerge(b, {
      machine: { network: { hostname: 'worker-2' }, install: { disk: '/dev/vda' }, sysctls: { 'vm.x': '2' } },
    });
    expect(out['machine']).to.deep.include({ type: 'worker', install: { disk: '/dev/vda' } });
    expect(out).to.have.nested.property('machine.network.hostname', 'worker-2');
    expect(out).to.have.nested.property('machine.network.interfaces').with.length(2);
    expect((out['machine'] as JsonObject)['sysctls']).to.deep.equal({ 'net.ipv4.ip_forward': '1', 'vm.x': '2' });
    expect(b).to.deep.equal(before);
  });

  it('appends to lists by default, and replaces podSubnets and serviceSubnets', () => {
    const out = strategicMerge(base(), {
      machine: { certSANs: ['cp.example.com'] },
      cluster: { network: { podSubnets: ['192.168.0.0/16'], serviceSubnets: ['192.0.0.0/12'] } },
    });
    expect(out).to.have.deep.nested.property('machine.certSANs', ['10.5.0.2', 'cp.example.com']);
    expect(out).to.have.deep.nested.property('cluster.network.podSubnets', ['192.168.0.0/16']);
    expect(out).to.have.deep.nested.property('cluster.network.serviceSubnets', ['192.0.0.0/12']);
  });

  it('merges interfaces by name, their VLANs by vlanId, and admission plugins by name', () => {
    const out = strategicMerge(base(), {
      machine: {
        network: {
          interfaces: [
            { interface: 'eth0', mtu: 9000, vlans: [{ vlanId: 10, mtu: 1400 }, { vlanId: 20 }] },
            { interface: 'eth2', dhcp: true },
          ],
        },
      },
      cluster: {
        apiServer: {
          admissionControl: [{ name: 'PodSecurity', configuration: { exemptions: { namespaces: ['rook-ceph'] } } }],
        },
      },
    });
    expect(out).to.have.deep.nested.property('machine.network.interfaces', [
      { interface: 'eth0', dhcp: true, mtu: 9000, vlans: [{ vlanId: 10, mtu: 1400 }, { vlanId: 20 }] },
      { interface: 'eth1', addresses: ['10.3.5.4/32'] },
      { interface: 'eth2', dhcp: true },
    ]);
    expect(out).to.have.deep.nested.property(
      'cluster.apiServer.admissionControl[0].configuration.exemptions.namespaces',
      ['kube-system', 'rook-ceph'],
    );
  });

  it('fills a key the config has as null (`network:` with no value)', () => {
    const out = strategicMerge({ machine: { network: null } }, { machine: { network: { hostname: 'w1' } } });
    expect(out).to.deep.equal({ machine: { network: { hostname: 'w1' } } });
  });

  it('replaces auditPolicy whole', () => {
    const out = strategicMerge(base(), { cluster: { apiServer: { auditPolicy: { kind: 'Policy', rules: [] } } } });
    expect(out).to.have.deep.nested.property('cluster.apiServer.auditPolicy', { kind: 'Policy', rules: [] });
  });

  it('$patch: delete removes a key, a list item by its first key, and a key inside a merged item', () => {
    const out = strategicMerge(base(), {
      machine: {
        network: {
          hostname: { $patch: 'delete' },
          interfaces: [
            { interface: 'eth1', $patch: 'delete' },
            { interface: 'eth0', vlans: { $patch: 'delete' } },
          ],
        },
      },
      cluster: { apiServer: { admissionControl: [{ name: 'PodSecurity', $patch: 'delete' }] } },
    });
    expect(out).to.have.deep.nested.property('machine.network', { interfaces: [{ interface: 'eth0', dhcp: true }] });
    expect(out).to.have.deep.nested.property('cluster.apiServer.admissionControl', []);
  });

  it('deletes before it merges: a deleted interface can come back fresh in the same patch', () => {
    const out = strategicMerge(base(), {
      machine: {
        network: {
          interfaces: [
            { interface: 'eth0', dummy: true },
            { interface: 'eth0', $patch: 'delete' },
          ],
        },
      },
    });
    expect(out).to.have.deep.nested.property('machine.network.interfaces', [
      { interface: 'eth1', addresses: ['10.3.5.4/32'] },
      { interface: 'eth0', dummy: true },
    ]);
  });

  it('$patch: replace replaces a mapping or a list instead of merging', () => {
    const out = strategicMerge(base(), {
      machine: { certSANs: [{ $patch: 'replace' }, 'only.example.com'], network: { $patch: 'replace', hostname: 'x' } },
    });
    expect(out).to.have.deep.nested.property('machine.certSANs', ['only.example.com']);
    expect(out).to.have.deep.nested.property('machine.network', { hostname: 'x' });
  });

  it('refuses deleting what is not there, naming the place', () => {
    expect(errorOf(() => strategicMerge(base(), { machine: { install: { $patch: 'delete' } } }))).to.include({
      path: 'machine.install',
      message: 'nothing to delete: the config has no such key',
    });
    const e = errorOf(() =>
      strategicMerge(base(), { machine: { network: { interfaces: [{ interface: 'eth9', $patch: 'delete' }] } } }),
    );
    expect(e.path).to.equal('machine.network.interfaces');
    expect(e.message).to.equal('nothing to delete: no item has interface: "eth9"');
    expect(
      errorOf(() => strategicMerge(base(), { machine: { kubelet: { extraArgs: { $patch: 'delete' } } } })).path,
    ).to.equal('machine.kubelet.extraArgs');
  });

  it('refuses null, type mismatches, unknown directives and deleting the whole config', () => {
    expect(errorOf(() => strategicMerge(base(), { machine: { network: { hostname: null } } })).message).to.include(
      '$patch: delete',
    );
    const mismatch = errorOf(() => strategicMerge(base(), { machine: { certSANs: 'x' } }));
    expect(mismatch.path).to.equal('machine.certSANs');
    expect(mismatch.message).to.include('the patch has a string where the config has a list');
    expect(errorOf(() => strategicMerge(base(), { machine: { $patch: 'merge' } })).message).to.include(
      'unknown directive',
    );
    expect(errorOf(() => strategicMerge(base(), { $patch: 'delete' })).message).to.include('whole config');
    expect(errorOf(() => strategicMerge(base(), { machine: { sysctls: { 'a.b': null } } })).path).to.equal(
      'machine.sysctls["a.b"]',
    );
  });
});
