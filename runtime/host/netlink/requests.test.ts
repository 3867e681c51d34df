// Unit tests of change requests: written in place, they hold the same bytes as the header and attributes built one by one.
import { expect } from 'chai';
import { ipToBytes } from './ip.js';
import { attr, nestedAttr, strAttr, u32Attr } from './messages.js';
import { IFA, RTA, RTAX_MTU, ifaddrmsg, rtmsg } from './objects.js';
import { AddressRequest, RouteRequest, type ChangeRequest } from './requests.js';

const RTM_NEWADDR = 20;
const RTM_NEWROUTE = 24;
const index = (ref: number | string): number => (typeof ref === 'number' ? ref : 7);

function written(req: ChangeRequest): Buffer {
  // Garbage around and under the request: it must write every byte it claims, and none outside.
  const out = Buffer.alloc(req.length + 8, 0xee);
  req.write(out, 4);
  expect(out.subarray(0, 4).equals(Buffer.alloc(4, 0xee))).to.equal(true);
  expect(out.subarray(4 + req.length).equals(Buffer.alloc(4, 0xee))).to.equal(true);
  return out.subarray(4, 4 + req.length);
}

describe('runtime/host/netlink: change requests', function () {
  it('writes an address request as ifaddrmsg and its attributes would be built', function () {
    const plain = new AddressRequest(
      RTM_NEWADDR,
      0x600,
      { link: 'eth0', address: '10.65.3.7', prefixLength: 32 },
      index,
      'address add',
    );
    expect(written(plain)).to.deep.equal(
      Buffer.concat([
        ifaddrmsg(2, 32, 0, 7),
        attr(IFA.LOCAL, ipToBytes('10.65.3.7')),
        attr(IFA.ADDRESS, ipToBytes('10.65.3.7')),
      ]),
    );
    expect(plain.op).to.equal('address add 10.65.3.7/32 dev eth0');
    const full = { link: 3, address: 'fd00::1:2', prefixLength: 64, label: 'eth0:v6', flags: 0x80, scope: 253 };
    expect(written(new AddressRequest(RTM_NEWADDR, 0, full, index, 'address add'))).to.deep.equal(
      Buffer.concat([
        ifaddrmsg(10, 64, 253, 3),
        attr(IFA.LOCAL, ipToBytes('fd00::1:2')),
        attr(IFA.ADDRESS, ipToBytes('fd00::1:2')),
        strAttr(IFA.LABEL, 'eth0:v6'),
        u32Attr(IFA.FLAGS, 0x80),
      ]),
    );
  });

  it('writes a route request as rtmsg and its attributes would be built', function () {
    const spec = { dst: '10.100.7.0', dstLen: 24, gateway: '10.64.0.1', oif: 'bn0', priority: 1024, mtu: 1400 };
    const req = new RouteRequest(RTM_NEWROUTE, 0x500, spec, index, 'route add');
    expect(written(req)).to.deep.equal(
      Buffer.concat([
        rtmsg({ family: 2, dstLen: 24, table: 254, protocol: 4, scope: 0, type: 1 }),
        u32Attr(RTA.TABLE, 254),
        attr(RTA.DST, ipToBytes('10.100.7.0')),
        attr(RTA.GATEWAY, ipToBytes('10.64.0.1')),
        u32Attr(RTA.OIF, 7),
        u32Attr(RTA.PRIORITY, 1024),
        nestedAttr(RTA.METRICS, [u32Attr(RTAX_MTU, 1400)]),
      ]),
    );
    expect(req.op).to.equal('route add 10.100.7.0/24 via 10.64.0.1 table 254');
    const v6 = { dst: '::', dstLen: 0, table: 1000, scope: 0, protocol: 3, type: 6, prefsrc: 'fd00::2' };
    expect(written(new RouteRequest(RTM_NEWROUTE, 0, v6, index, 'route add'))).to.deep.equal(
      Buffer.concat([
        rtmsg({ family: 10, dstLen: 0, table: 1000, protocol: 3, scope: 0, type: 6 }),
        u32Attr(RTA.TABLE, 1000),
        attr(RTA.PREFSRC, ipToBytes('fd00::2')),
      ]),
    );
  });

  it('refuses a byte field out of range, as Buffer did', function () {
    const req = new AddressRequest(RTM_NEWADDR, 0, { link: 1, address: '10.0.0.1', prefixLength: 300 }, index, 'x');
    expect(() => written(req)).to.throw(RangeError);
  });
});
