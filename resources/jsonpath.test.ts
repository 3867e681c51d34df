// Print-column JSONPath: fields, indices, wildcards and clear errors.
import { expect } from 'chai';
import { InvalidArgumentError } from './errors.js';
import { evaluateJsonPath } from './jsonpath.js';

describe('print-column JSONPath', () => {
  const spec = {
    address: '10.5.0.2/24',
    link: { name: 'eth0' },
    routes: [{ gw: 'a' }, { gw: 'b' }],
    up: true,
    mtu: 1500,
  };
  it('reads fields, nested fields, indices and wildcards', () => {
    expect(evaluateJsonPath('{.address}', spec)).to.equal('10.5.0.2/24');
    expect(evaluateJsonPath('{.link.name}', spec)).to.equal('eth0');
    expect(evaluateJsonPath('{.routes[1].gw}', spec)).to.equal('b');
    expect(evaluateJsonPath('{.routes[*].gw}', spec)).to.equal('a,b');
    expect(evaluateJsonPath('{.up}', spec)).to.equal('true');
    expect(evaluateJsonPath('{.mtu}', spec)).to.equal('1500');
    expect(evaluateJsonPath('{.link}', spec)).to.equal('{"name":"eth0"}');
  });
  it('renders a missing field as empty', () => {
    expect(evaluateJsonPath('{.nothing.here}', spec)).to.equal('');
    expect(evaluateJsonPath('{.routes[7].gw}', spec)).to.equal('');
  });
  it('refuses a path it cannot read, naming it', () => {
    expect(() => evaluateJsonPath('{.a..b}', spec))
      .to.throw(InvalidArgumentError)
      .with.property('message')
      .that.includes('{.a..b}');
  });
});
