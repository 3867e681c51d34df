// Unit tests of IP text <-> bytes and of attribute framing (no kernel needed).
import { expect } from 'chai';
import { bytesToIp, ipToBytes } from './ip.js';
import { attr, decodeAttrs, nestedAttr, strAttr, u32Attr } from './messages.js';

describe('runtime/host/netlink: addresses and attributes', function () {
  it('round-trips IPv4 and IPv6 addresses in canonical form', function () {
    for (const a of ['10.0.0.1', '0.0.0.0', '::', '::1', 'fd00::1', '2001:db8:0:1:1:1:1:1', 'fe80::1:0:0:2', '1::']) {
      expect(bytesToIp(ipToBytes(a))).to.equal(a);
    }
    expect(bytesToIp(ipToBytes('2001:0db8:0000:0000:0000:0000:0000:0001'))).to.equal('2001:db8::1');
    expect(ipToBytes('::ffff:10.1.2.3').toString('hex')).to.equal('00000000000000000000ffff0a010203');
  });

  it('pads attributes to 4 bytes and decodes nested ones', function () {
    const a = strAttr(3, 'eth0');
    expect(a.length).to.equal(12); // 4 header + 5 bytes + 3 padding
    const nested = nestedAttr(18, [strAttr(1, 'veth'), attr(2, Buffer.alloc(0))]);
    const outer = decodeAttrs(Buffer.concat([a, u32Attr(4, 1400), nested]));
    expect(outer.get(4)?.readUInt32LE(0)).to.equal(1400);
    expect(decodeAttrs(outer.get(18)!).get(1)?.toString()).to.equal('veth\0');
  });
});
