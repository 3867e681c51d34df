// Client config handling: parsing with named errors, choosing contexts, merging, endpoints and targets, PEM fields.
import { expect } from 'chai';
import { decodePem, resolveTargets } from './connect.js';
import { InvalidEndpointError, parseEndpoint } from './endpoint.js';
import {
  mergeTalosconfig,
  parseTalosconfig,
  selectContext,
  TalosconfigError,
  type Talosconfig,
} from './talosconfig.js';

const ctx = (endpoints: string[], nodes: string[] = []) => ({ endpoints, nodes, ca: 'Y2E=', crt: 'Y3J0', key: 'a2V5' });

describe('talosconfig', () => {
  it('parses the format gen config writes, with defaults for missing lists', () => {
    const cfg = parseTalosconfig('context: demo\ncontexts:\n  demo:\n    endpoints: [10.5.0.2]\n    ca: Y2E=\n', 'tc');
    expect(cfg).to.deep.equal({
      context: 'demo',
      contexts: { demo: { endpoints: ['10.5.0.2'], nodes: [], ca: 'Y2E=' } },
    });
  });

  it('names the file and every bad field', () => {
    expect(() => parseTalosconfig('contexts:\n  a:\n    endpoints: 5\n    nodes: [1]\n', '/tmp/tc'))
      .to.throw(TalosconfigError)
      .with.property('message')
      .that.matches(/^\/tmp\/tc is not a valid client config: contexts\.a\.endpoints: .*; contexts\.a\.nodes\.0: /);
    expect(() => parseTalosconfig('a: [', 'tc')).to.throw(TalosconfigError, /^tc is not valid YAML/);
  });

  it('selects the current or a named context; errors list the contexts there are', () => {
    const cfg: Talosconfig = { context: 'a', contexts: { a: ctx(['1.1.1.1']), b: ctx(['2.2.2.2']) } };
    expect(selectContext(cfg, 'tc').name).to.equal('a');
    expect(selectContext(cfg, 'tc', 'b').context.endpoints).to.deep.equal(['2.2.2.2']);
    expect(() => selectContext(cfg, 'tc', 'c')).to.throw('context "c" is not in tc (it has a, b)');
    expect(() => selectContext({ context: '', contexts: {} }, 'tc')).to.throw(
      /names no current context \(it has none\)/,
    );
  });

  it('merges contexts, renaming taken names and making the merged current context current', () => {
    const into: Talosconfig = { context: 'a', contexts: { a: ctx(['1']), demo: ctx(['2']), 'demo-1': ctx(['3']) } };
    const from: Talosconfig = { context: 'demo', contexts: { demo: ctx(['4']), other: ctx(['5']) } };
    const { config, renamed } = mergeTalosconfig(into, from);
    expect(renamed).to.deep.equal([['demo', 'demo-2']]);
    expect(config.context).to.equal('demo-2');
    expect(Object.keys(config.contexts).sort()).to.deep.equal(['a', 'demo', 'demo-1', 'demo-2', 'other']);
    expect(config.contexts['demo-2']?.endpoints).to.deep.equal(['4']);
    expect(into.contexts['demo-2']).to.equal(undefined);
  });

  it('parses endpoints with the default port 50000, IPv6 in brackets or bare', () => {
    expect(parseEndpoint('10.5.0.2')).to.deep.equal({ host: '10.5.0.2', port: 50000 });
    expect(parseEndpoint('node-1.example:50001')).to.deep.equal({ host: 'node-1.example', port: 50001 });
    expect(parseEndpoint('[fd00::2]:4000')).to.deep.equal({ host: 'fd00::2', port: 4000 });
    expect(parseEndpoint('fd00::2')).to.deep.equal({ host: 'fd00::2', port: 50000 });
    expect(parseEndpoint('https://10.5.0.2:50000/')).to.deep.equal({ host: '10.5.0.2', port: 50000 });
    for (const bad of ['', 'a b', '10.5.0.2:99999', '[10.5.0.2]:1', 'host:port']) {
      expect(() => parseEndpoint(bad), bad).to.throw(InvalidEndpointError);
    }
  });

  it('targets: -n nodes each as their own endpoint, else the context nodes, else the first endpoint', () => {
    const c = ctx(['e1', 'e2'], ['n1']);
    expect(resolveTargets({ endpoints: [], nodes: ['a', 'b:1', 'a'] }, c).map((t) => t.node)).to.deep.equal([
      'a',
      'b:1',
    ]);
    expect(resolveTargets({ endpoints: [], nodes: [] }, c)).to.deep.equal([
      { node: 'n1', endpoint: { host: 'n1', port: 50000 } },
    ]);
    expect(resolveTargets({ endpoints: ['x:2'], nodes: [] }, ctx(['e1']))).to.deep.equal([
      { node: 'x:2', endpoint: { host: 'x', port: 2 } },
    ]);
    expect(() => resolveTargets({ endpoints: [], nodes: [] }, ctx([]))).to.throw(
      TalosconfigError,
      /no node to talk to/,
    );
  });

  it('decodes base64 PEM fields and names the context and field that is missing or malformed', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n';
    expect(decodePem(Buffer.from(pem).toString('base64'), 'ca', 'demo')).to.equal(pem);
    expect(decodePem(pem, 'ca', 'demo')).to.equal(pem);
    expect(() => decodePem(undefined, 'crt', 'demo')).to.throw(/context "demo" has no crt/);
    expect(() => decodePem('bm90IHBlbQ==', 'key', 'demo')).to.throw('context "demo": key is not base64-encoded PEM');
  });
});
