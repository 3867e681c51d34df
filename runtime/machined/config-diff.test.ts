// Config comparison: changed paths, what needs a reboot, and the redacted diff.
import { expect } from 'chai';
import { changedPaths, configDiff, rebootRequired } from './config-diff.js';

const base = {
  version: 'v1alpha1',
  machine: {
    type: 'controlplane',
    token: 'abcdef.0123456789abcdef',
    network: { hostname: 'a', interfaces: [{ interface: 'eth0', addresses: ['10.5.0.2/24'] }] },
    install: { disk: '/dev/sda' },
  },
};

describe('config diff', () => {
  it('lists changed leaf paths, element by element in lists', () => {
    const next = structuredClone(base);
    next.machine.network.interfaces[0]!.addresses.push('10.5.0.3/24');
    next.machine.network.hostname = 'b';
    expect(changedPaths(base, next)).to.deep.equal([
      'machine.network.hostname',
      'machine.network.interfaces[0].addresses',
    ]);
  });

  it('separates live changes from those that need a reboot', () => {
    expect(
      rebootRequired(['machine.network.hostname', 'machine.install.disk', 'machine.sysctls.kernel.x']),
    ).to.deep.equal(['machine.install.disk']);
    expect(rebootRequired(['machine.networkx'])).to.deep.equal(['machine.networkx']);
  });

  it('diffs as YAML with secrets redacted but their change visible', () => {
    const next = structuredClone(base);
    next.machine.token = 'zzzzzz.0123456789abcdef';
    next.machine.network.hostname = 'b';
    const d = configDiff(base, next);
    expect(d).to.include('-    hostname: a').and.include('+    hostname: b');
    expect(d).to.not.include('abcdef.0123456789abcdef').and.not.include('zzzzzz');
    expect(d).to.match(/- {2}token: \(redacted sha256:[0-9a-f]{12}\)/);
    expect(configDiff(base, structuredClone(base))).to.equal('');
  });
});
