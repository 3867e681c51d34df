// Sysctl names: dotted and slashed forms give one canonical name and one path; which ones a network namespace holds.
import { expect } from 'chai';
import { canonicalSysctlName, isNetworkNamespaced, sysctlComponents, sysctlPath } from './sysctl-name.js';

describe('sysctl names', () => {
  it('reads dotted and slashed names alike, a dotted link name written with a slash', () => {
    expect(canonicalSysctlName('net.ipv4.ip_forward')).to.equal('net.ipv4.ip_forward');
    expect(canonicalSysctlName('net/ipv4/ip_forward')).to.equal('net.ipv4.ip_forward');
    expect(canonicalSysctlName('/net/ipv4/conf/eth0.100/forwarding')).to.equal('net.ipv4.conf.eth0/100.forwarding');
    expect(canonicalSysctlName('net.ipv4.conf.eth0/100.forwarding')).to.equal('net.ipv4.conf.eth0/100.forwarding');
    expect(sysctlComponents('net.ipv4.conf.eth0/100.forwarding')).to.deep.equal([
      'net',
      'ipv4',
      'conf',
      'eth0.100',
      'forwarding',
    ]);
    expect(sysctlPath('net.ipv4.conf.eth0/100.forwarding')).to.equal('/proc/sys/net/ipv4/conf/eth0.100/forwarding');
    expect(sysctlPath('kernel.kptr_restrict', '/tmp/sys')).to.equal('/tmp/sys/kernel/kptr_restrict');
  });

  it('net.* is per network namespace, except the tables of the initial namespace only', () => {
    expect(isNetworkNamespaced('net.ipv4.conf.all.rp_filter')).to.equal(true);
    expect(isNetworkNamespaced('net/ipv6/conf/default/accept_redirects')).to.equal(true);
    expect(isNetworkNamespaced('net.core.bpf_jit_harden')).to.equal(false);
    expect(isNetworkNamespaced('kernel.kptr_restrict')).to.equal(false);
    expect(isNetworkNamespaced('vm.swappiness')).to.equal(false);
  });
});
