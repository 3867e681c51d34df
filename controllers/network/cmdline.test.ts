// Kernel command line parsing: the nfsroot `ip=` form with dotted or prefix netmasks, IPv6, autoconf words, and errors naming the field.
import { expect } from 'chai';
import { memoryLogger } from '../../runtime/controller/testing.js';
import { cmdlineArg, cmdlineNetworkOnce, parseCmdlineNetwork, type CmdlineNetwork } from './cmdline.js';

function ok(cmdline: string): CmdlineNetwork {
  const r = parseCmdlineNetwork(cmdline);
  if (!r.ok) throw new Error(r.error.message);
  return r.network;
}

function fails(cmdline: string): { field: string; value: string; message: string } {
  const r = parseCmdlineNetwork(cmdline);
  if (r.ok) throw new Error(`${cmdline} parsed: ${JSON.stringify(r.network)}`);
  return r.error;
}

describe('network cmdline', () => {
  it('parses every field of ip= with a dotted netmask', () => {
    const net = ok(
      'console=ttyS0 ip=10.5.0.2:10.5.0.9:10.5.0.1:255.255.255.0:node-1.example.com:eth0:off:1.1.1.1:9.9.9.9:10.5.0.3 quiet',
    );
    expect(net).to.deep.equal({
      address: '10.5.0.2/24',
      gateway: '10.5.0.1',
      hostname: 'node-1.example.com',
      device: 'eth0',
      dns: ['1.1.1.1', '9.9.9.9'],
      ntp: ['10.5.0.3'],
    });
  });

  it('takes a prefix length, empty fields, bracketed IPv6, and a host prefix without a netmask', () => {
    expect(ok('ip=10.5.0.2::10.5.0.1:16::eth1')).to.deep.equal({
      address: '10.5.0.2/16',
      gateway: '10.5.0.1',
      device: 'eth1',
      dns: [],
      ntp: [],
    });
    expect(ok('ip=[fd00::0002]::[fd00::1]:64::eth0:none:[2606:4700::1111]')).to.deep.equal({
      address: 'fd00::2/64',
      gateway: 'fd00::1',
      device: 'eth0',
      dns: ['2606:4700::1111'],
      ntp: [],
    });
    expect(ok('ip=10.5.0.2').address).to.equal('10.5.0.2/32');
    expect(ok('ip=::::worker-2')).to.deep.equal({ hostname: 'worker-2', dns: [], ntp: [] });
  });

  it('finds no static settings in ip=dhcp, ip=off, ip=none or without ip=', () => {
    for (const c of ['ip=dhcp', 'ip=off', 'ip=none', 'console=tty0', '']) {
      expect(ok(c), c).to.deep.equal({ dns: [], ntp: [] });
    }
  });

  it('uses talos.hostname= unless the ip= hostname field is set', () => {
    expect(ok('talos.hostname=a.example.com ip=dhcp').hostname).to.equal('a.example.com');
    expect(ok('talos.hostname=a ip=::::b').hostname).to.equal('b');
    expect(cmdlineArg('x=1 ip=a ip=b', 'ip')).to.equal('a');
  });

  it('names the field and value of a bad argument', () => {
    expect(fails('ip=10.5.0.300::::')).to.include({ field: 'client-ip', value: '10.5.0.300' });
    expect(fails('ip=10.5.0.2::10.5.0.1:255.0.255.0::eth0')).to.include({ field: 'netmask', value: '255.0.255.0' });
    expect(fails('ip=10.5.0.2:::33')).to.include({ field: 'netmask', value: '33' });
    expect(fails('ip=10.5.0.2:::24:bad_name')).to.include({ field: 'hostname', value: 'bad_name' });
    expect(fails('ip=10.5.0.2:::24::averyveryverylongname')).to.include({ field: 'device' });
    expect(fails('ip=::::::::::extra').field).to.equal('ip');
    const e = fails('ip=:::::eth0::8.8.8');
    expect(e).to.include({ field: 'dns0-ip', value: '8.8.8' });
    expect(e.message).to.match(/^kernel argument ip=: dns0-ip "8\.8\.8" is invalid: use an IPv4/);
    expect(fails('talos.hostname=-x')).to.include({ field: 'hostname', value: '-x' });
  });

  it('logs a bad command line once per controller', () => {
    const lines: string[] = [];
    const read = cmdlineNetworkOnce('ip=nope', memoryLogger(lines), 'network.TestController');
    expect(read()).to.equal(undefined);
    expect(read()).to.equal(undefined);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^warn network\.TestController kernel argument ip=: client-ip "nope"/);
  });
});
