// Unit tests of address and route decoding from payloads built here (no kernel needed).
import { expect } from 'chai';
import { ipToBytes } from './ip.js';
import { attr, nestedAttr, strAttr, u32Attr } from './messages.js';
import { IFA, RTA, RTAX_MTU, decodeAddress, decodeRoute, ifaddrmsg, rtmsg } from './objects.js';

describe('runtime/host/netlink: address and route payloads', function () {
  it('decodes an IPv4 address: IFA_LOCAL over IFA_ADDRESS, IFA_FLAGS over the header flags, the label', function () {
    const p = Buffer.concat([
      ifaddrmsg(2, 24, 0, 7),
      attr(IFA.ADDRESS, ipToBytes('10.0.0.9')),
      attr(IFA.LOCAL, ipToBytes('10.0.0.2')),
      strAttr(IFA.LABEL, 'eth0:1'),
      u32Attr(IFA.FLAGS, 0x280),
    ]);
    expect(decodeAddress(p)).to.deep.equal({
      linkIndex: 7,
      family: 4,
      address: '10.0.0.2',
      prefixLength: 24,
      scope: 0,
      flags: 0x280,
      label: 'eth0:1',
    });
  });

  it('decodes an IPv6 address without IFA_LOCAL, flags from the header, no label', function () {
    const header = ifaddrmsg(10, 64, 253, 3);
    header.writeUInt8(0x80, 2);
    const p = Buffer.concat([header, attr(IFA.ADDRESS, ipToBytes('fe80::1'))]);
    expect(decodeAddress(p)).to.include({ family: 6, address: 'fe80::1', scope: 253, flags: 0x80, label: null });
  });

  it('decodes a route; a repeated attribute keeps the last, absent ones are null', function () {
    const body = rtmsg({ family: 2, dstLen: 24, table: 254, protocol: 4, scope: 0, type: 1 });
    const p = Buffer.concat([
      body,
      u32Attr(RTA.TABLE, 254),
      attr(RTA.DST, ipToBytes('10.100.1.0')),
      attr(RTA.GATEWAY, ipToBytes('10.64.0.9')),
      attr(RTA.GATEWAY, ipToBytes('10.64.0.1')),
      u32Attr(RTA.OIF, 2),
      u32Attr(RTA.PRIORITY, 1024),
      nestedAttr(RTA.METRICS, [u32Attr(RTAX_MTU, 1400)]),
    ]);
    expect(decodeRoute(p)).to.deep.equal({
      family: 4,
      dst: '10.100.1.0',
      dstLen: 24,
      gateway: '10.64.0.1',
      oif: 2,
      priority: 1024,
      table: 254,
      scope: 0,
      protocol: 4,
      type: 1,
      prefsrc: null,
      mtu: 1400,
    });
    const bare = decodeRoute(rtmsg({ family: 10, dstLen: 0, table: 255, protocol: 2, scope: 254, type: 2 }));
    expect(bare).to.include({ family: 6, dst: '::', gateway: null, oif: null, priority: null, table: 255, mtu: null });
  });
});
