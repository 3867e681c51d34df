// EtcdSpec from the config and the node's addresses: control planes only, advertised subnets with exclusions,
// listen subnets, loopback always, nothing while no address qualifies.
import { expect } from 'chai';
import type { MachineConfigDocument } from '../../resources/index.js';
import { etcdBootstrap, etcdSpec, matchesSubnets } from './etcd-spec.js';

function config(
  type: 'controlplane' | 'worker',
  etcd: object = {},
  endpoint = 'https://10.5.0.2:6443',
): MachineConfigDocument {
  const cluster = { etcd, controlPlane: { endpoint } };
  return { version: 'v1alpha1', machine: { type }, cluster } as unknown as MachineConfigDocument;
}

describe('etcd spec', () => {
  it('matches subnets with exclusions, and everything without filters', () => {
    expect(matchesSubnets('10.5.0.2', [])).to.equal(true);
    expect(matchesSubnets('10.5.0.2', ['10.5.0.0/24'])).to.equal(true);
    expect(matchesSubnets('10.6.0.2', ['10.5.0.0/24'])).to.equal(false);
    expect(matchesSubnets('10.5.0.9', ['10.5.0.0/24', '!10.5.0.9/32'])).to.equal(false);
    expect(matchesSubnets('fd00::2', ['!10.0.0.0/8'])).to.equal(true);
  });

  it('is for control planes only', () => {
    expect(etcdSpec(config('worker'), ['10.5.0.3/24'], 'worker-1')).to.equal(undefined);
    expect(etcdSpec(undefined, ['10.5.0.3/24'], 'n')).to.equal(undefined);
  });

  it('advertises the first address in advertisedSubnets and listens there and on loopback', () => {
    const spec = etcdSpec(
      config('controlplane', { advertisedSubnets: ['10.5.0.0/24'], extraArgs: { 'election-timeout': '5000' } }),
      ['192.168.1.2/24', '10.5.0.2/24', '10.5.0.7/24'],
      'controlplane-1',
    );
    expect(spec).to.deep.equal({
      name: 'controlplane-1',
      advertisedAddresses: ['10.5.0.2'],
      listenAddresses: ['10.5.0.2', '10.5.0.7', '127.0.0.1'],
      extraArgs: { 'election-timeout': '5000' },
      bootstrap: true,
      joinEndpoints: [],
    });
  });

  it('bootstraps on the node the endpoint names, and joins through the endpoint elsewhere', () => {
    const join = etcdSpec(config('controlplane'), ['10.5.0.3/24'], 'controlplane-2');
    expect(join).to.deep.include({ bootstrap: false, joinEndpoints: ['https://10.5.0.2:2379'] });
    expect(etcdBootstrap('https://10.5.0.2:6443', ['10.5.0.2'], 'cp-1')).to.deep.equal({
      bootstrap: true,
      joinEndpoints: [],
    });
    expect(etcdBootstrap('https://cp-1:6443', ['10.5.0.2'], 'cp-1').bootstrap).to.equal(true);
    expect(etcdBootstrap('https://127.0.0.1:6443', ['10.5.0.3'], 'cp-2').bootstrap).to.equal(true);
    expect(etcdBootstrap('https://localhost:6443', [], 'cp-2').bootstrap).to.equal(true);
    expect(etcdBootstrap('https://[fd00::2]:6443', ['fd00::3'], 'cp-2')).to.deep.equal({
      bootstrap: false,
      joinEndpoints: ['https://[fd00::2]:2379'],
    });
    expect(etcdBootstrap('https://[fd00::2]:6443', ['fd00::2'], 'cp-1').bootstrap).to.equal(true);
    expect(etcdBootstrap('https://api.example.com:6443', ['10.5.0.2'], 'cp-1').joinEndpoints).to.deep.equal([
      'https://api.example.com:2379',
    ]);
  });

  it('listens on listenSubnets when given, and waits while no address qualifies', () => {
    const spec = etcdSpec(
      config('controlplane', { listenSubnets: ['192.168.0.0/16'] }),
      ['10.5.0.2/24', '192.168.1.2/24'],
      'cp',
    );
    expect(spec?.advertisedAddresses).to.deep.equal(['10.5.0.2']);
    expect(spec?.listenAddresses).to.deep.equal(['192.168.1.2', '127.0.0.1']);
    expect(etcdSpec(config('controlplane'), [], 'cp')).to.equal(undefined);
    expect(etcdSpec(config('controlplane', { advertisedSubnets: ['10.9.0.0/16'] }), ['10.5.0.2/24'], 'cp')).to.equal(
      undefined,
    );
  });
});
