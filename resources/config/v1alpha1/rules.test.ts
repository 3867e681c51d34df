// The semantic checks: addresses, the gateway rule, worker secrets, URLs, certificates and keys, names, modes of files.
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { b64, fullConfig, testPki, workerConfig } from './fixture.js';
import { edit, issuesOf } from './testing.js';
import { validateMachineConfig } from './validate.js';

const opts = { mode: 'metal' as const, strict: true };
const eth0 = ['machine', 'network', 'interfaces', 0];
const eth1 = ['machine', 'network', 'interfaces', 1];

/** The one issue validating fullConfig with `path` set to `value` yields. */
function only(path: readonly PropertyKey[], value: unknown, base = fullConfig()) {
  const issues = issuesOf(() => validateMachineConfig(edit(base, path, value), opts));
  expect(issues, issues.map((i) => `${i.path}: ${i.message}`).join('\n')).to.have.length(1);
  return issues[0]!;
}

describe('config rules', () => {
  describe('addresses', () => {
    it('checks CIDRs, IPv4 and IPv6, and suggests the network for host bits', () => {
      expect(only([...eth0, 'addresses', 1], 'fd00::zz/64').message).to.equal(
        '"fd00::zz/64" is not a valid CIDR (expected an address and prefix length such as 10.5.0.2/24)',
      );
      expect(only(['cluster', 'network', 'podSubnets', 0], '10.244.0.0/33').message).to.equal(
        '"10.244.0.0/33" is not a valid CIDR: the prefix length of an IPv4 network is 0 to 32',
      );
      expect(only(['cluster', 'network', 'serviceSubnets', 0], '10.96.0.1/12')).to.deep.equal({
        path: 'cluster.network.serviceSubnets[0]',
        message: '"10.96.0.1/12" has host bits set; did you mean 10.96.0.0/12?',
      });
      expect(only(['cluster', 'network', 'podSubnets', 1], 'fd00:10:244::1/56').message).to.equal(
        '"fd00:10:244::1/56" has host bits set; did you mean fd00:10:244::/56?',
      );
      expect(only(['machine', 'kubelet', 'nodeIP', 'validSubnets', 1], '!10.5.0/24').path).to.equal(
        'machine.kubelet.nodeIP.validSubnets[1]',
      );
    });

    it('checks IP addresses, and says when a CIDR was given for one', () => {
      expect(only(['machine', 'network', 'nameservers', 0], '1.1.1')).to.deep.equal({
        path: 'machine.network.nameservers[0]',
        message: '"1.1.1" is not a valid IP address (expected IPv4 such as 10.5.0.1 or IPv6 such as fd00::1)',
      });
      expect(only(['machine', 'kubelet', 'clusterDNS', 0], '10.96.0.10/32').message).to.equal(
        '"10.96.0.10/32" is a CIDR; expected a plain address such as 10.96.0.10',
      );
    });
  });

  describe('the gateway rule', () => {
    it('refuses a gateway outside the subnets of the link, saying how to fix it', () => {
      expect(only([...eth0, 'routes', 0, 'gateway'], '10.6.0.1')).to.deep.equal({
        path: 'machine.network.interfaces[0].routes[0].gateway',
        message:
          '10.6.0.1 is not inside the subnet of any address on eth0 (10.5.0.2/24); use a gateway inside one of them, ' +
          'add an address in its subnet, or declare it on-link with a route { network: 10.6.0.1/32 } without a gateway on eth0',
      });
    });

    it('checks VLAN routes against the VLAN addresses', () => {
      const i = only([...eth0, 'vlans', 0, 'routes', 0, 'gateway'], '10.5.0.1');
      expect(i.path).to.equal('machine.network.interfaces[0].vlans[0].routes[0].gateway');
      expect(i.message).to.match(
        /^10\.5\.0\.1 is not inside the subnet of any address on eth0\.100 \(192\.168\.100\.2\/24\)/,
      );
    });

    it('accepts a gateway declared on-link by a host route, and refuses it without one', () => {
      // fullConfig's eth1 has 203.0.113.10/32 and an on-link route to 172.31.1.1/32.
      const i = only([...eth1, 'routes', 0], { network: '10.0.0.0/8', gateway: '203.0.113.10' });
      expect(i.path).to.equal('machine.network.interfaces[1].routes[1].gateway');
      expect(i.message).to.equal(
        '172.31.1.1 is not inside the subnet of any address on eth1 (203.0.113.10/32); use a gateway inside one of them, ' +
          'add an address in its subnet, or declare it on-link with a route { network: 172.31.1.1/32 } without a gateway on eth1',
      );
    });

    it('says when the link has no address of the family, and when families differ', () => {
      expect(only([...eth0, 'routes', 1, 'gateway'], 'fd01::1').message).to.equal(
        'fd01::1 is not inside the subnet of any address on eth0 (fd00::2/64); use a gateway inside one of them, ' +
          'add an address in its subnet, or declare it on-link with a route { network: fd01::1/128 } without a gateway on eth0',
      );
      const v4only = edit(fullConfig(), [...eth0, 'addresses'], ['10.5.0.2/24']);
      expect(only([...eth0, 'routes', 1, 'gateway'], 'fd00::1', v4only).message).to.match(
        /^fd00::1 is unreachable: eth0 has no IPv6 address; add an address in the gateway's subnet, set dhcp: true, or declare/,
      );
      expect(only([...eth0, 'routes', 0, 'gateway'], 'fd00::1').message).to.equal(
        "fd00::1 is IPv6 but the route's network 0.0.0.0/0 is IPv4; use a gateway of the same family",
      );
    });

    it('skips links configured by DHCP and accepts IPv6 link-local gateways', () => {
      expect(() => validateMachineConfig(edit(fullConfig(), [...eth0, 'dhcp'], true), opts)).not.to.throw();
      const doc = edit(fullConfig(), [...eth0, 'routes', 0, 'gateway'], '10.6.0.1');
      expect(() => validateMachineConfig(edit(doc, [...eth0, 'dhcp'], true), opts)).not.to.throw();
    });

    it('explains that a bare address covers only itself', () => {
      expect(only([...eth0, 'addresses', 0], '10.5.0.2').message).to.match(
        /on eth0 \(10\.5\.0\.2\) \(an address without \/prefix covers only itself\); use a gateway/,
      );
    });
  });

  describe('workers', () => {
    const p = testPki();
    const cases: [readonly string[], unknown, RegExp][] = [
      [
        ['machine', 'ca', 'key'],
        p.machineCa.key,
        /^a worker must not hold the machine CA key .*; set it to "" \(keep crt\)/,
      ],
      [['cluster', 'ca', 'key'], p.clusterCa.key, /^a worker must not hold the Kubernetes CA key/],
      [['cluster', 'aggregatorCA'], p.aggregatorCa, /^a worker must not hold the aggregator CA key/],
      [['cluster', 'serviceAccount'], { key: p.serviceAccountKey }, /^a worker must not hold the service account/],
      [
        ['cluster', 'etcd', 'ca'],
        p.etcdCa,
        /^a worker must not hold the etcd CA key \(only control-plane nodes use it\)/,
      ],
      [
        ['cluster', 'secretboxEncryptionSecret'],
        b64('x'.repeat(32)),
        /^a worker must not hold the key that encrypts .*; remove it/,
      ],
    ];
    for (const [path, value, message] of cases) {
      it(`refuses ${path.join('.')} on a worker`, () => {
        const i = only(path, value, workerConfig());
        expect(i.path).to.match(new RegExp(`^${path.join('\\.')}`));
        expect(i.message).to.match(message);
      });
    }
  });

  describe('certificates and keys', () => {
    const p = testPki();

    it('asks to base64-encode raw PEM, and refuses what is not base64', () => {
      const pem = Buffer.from(p.clusterCa.crt, 'base64').toString();
      expect(only(['cluster', 'ca', 'crt'], pem).message).to.match(/is raw PEM; .*base64 -w0 ca\.crt/);
      expect(only(['cluster', 'ca', 'key'], Buffer.from(p.clusterCa.key, 'base64').toString()).message).to.equal(
        'the value is raw PEM; the config holds PEM base64-encoded: base64-encode the whole PEM file, e.g. `base64 -w0 ca.key`',
      );
      expect(only(['machine', 'ca', 'crt'], 'not base64!').message).to.match(/^"not base64!" is not base64/);
      expect(only(['machine', 'ca', 'crt'], b64('hello')).message).to.match(/decodes to something that is not PEM/);
    });

    it('checks that a key matches its certificate, and that a CA is a CA', () => {
      expect(only(['cluster', 'ca', 'key'], p.machineCa.key)).to.deep.equal({
        path: 'cluster.ca.key',
        message:
          'does not belong to the certificate "CN=kubernetes, O=osnode tests" in crt; give the key generated with that certificate',
      });
      const i = only(['machine', 'ca'], p.client);
      expect(i.path).to.equal('machine.ca.crt');
      expect(i.message).to.match(
        /"CN=registry-client, O=osnode tests" is not a CA \(its basic constraints lack CA:TRUE\)/,
      );
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
      expect(only(['cluster', 'etcd', 'ca', 'key'], b64(ec.toString())).message).to.match(
        /^does not belong to the certificate/,
      );
    });

    for (const [field, subject] of [
      [['machine', 'ca'], 'CN=osnode, O=osnode tests'],
      [['cluster', 'ca'], 'CN=kubernetes, O=osnode tests'],
      [['cluster', 'etcd', 'ca'], 'CN=etcd, O=osnode tests'],
      [['cluster', 'aggregatorCA'], 'CN=front-proxy, O=osnode tests'],
    ] as const) {
      it(`refuses ${field.join('.')} whose key is another CA's, naming the field`, () => {
        const other = field[0] === 'machine' ? p.clusterCa.key : p.machineCa.key;
        const i = only([...field, 'key'], other);
        expect(i).to.deep.equal({
          path: `${field.join('.')}.key`,
          message: `does not belong to the certificate "${subject}" in crt; give the key generated with that certificate`,
        });
      });
    }

    it('never shows key material in a message', () => {
      const issues = issuesOf(() =>
        validateMachineConfig(edit(workerConfig(), ['cluster', 'ca', 'key'], p.machineCa.key), opts),
      );
      const all = issues.map((i) => i.message).join('\n');
      expect(all).not.to.include(p.machineCa.key.slice(0, 40));
      expect(only(['cluster', 'serviceAccount', 'key'], 'c2VjcmV0').message).to.equal(
        'the value decodes to something that is not PEM (expected a "-----BEGIN ..." block)',
      );
    });
  });

  describe('names, URLs, paths and modes', () => {
    it('checks hostnames as DNS labels', () => {
      expect(only(['machine', 'network', 'hostname'], 'my_host').message).to.equal(
        '"my_host" is not a valid hostname: label "my_host" may hold only letters, digits and inner hyphens (e.g. my-host)',
      );
      expect(only(['machine', 'network', 'hostname'], `${'a'.repeat(64)}.example.com`).message).to.match(
        /label of 64 characters/,
      );
      expect(only(['machine', 'network', 'searchDomains', 0], 'example..com').message).to.match(/empty label/);
    });

    it('wants https endpoints', () => {
      expect(only(['cluster', 'controlPlane', 'endpoint'], 'http://10.5.0.2:6443').message).to.equal(
        '"http://10.5.0.2:6443" uses http; expected https (e.g. https://10.5.0.2:6443)',
      );
      expect(only(['cluster', 'controlPlane', 'endpoint'], '10.5.0.2:6443').message).to.match(
        /is not a URL|uses 10\.5\.0\.2/,
      );
      expect(only(['cluster', 'network', 'cni', 'urls', 0], 'http://example.com/cni.yaml').path).to.equal(
        'cluster.network.cni.urls[0]',
      );
    });

    it('checks sysctl names, file modes and device paths', () => {
      expect(only(['machine', 'sysctls', 'foo'], '1')).to.deep.equal({
        path: 'machine.sysctls.foo',
        message: 'sysctl name "foo" is malformed (expected dot-separated words such as net.ipv4.ip_forward)',
      });
      expect(only(['machine', 'files', 0, 'permissions'], 0o10000).message).to.match(/^4096 is not a file mode/);
      expect(only(['machine', 'files', 0, 'permissions'], 644).message).to.equal(
        '644 is the decimal number 644 (octal 01204); write the mode in octal with a leading 0, e.g. 0644 or 0o644',
      );
      expect(only(['machine', 'files', 0, 'permissions'], '0644').message).to.equal('"0644" is not an octal mode');
      expect(only(['machine', 'install', 'disk'], 'sda').message).to.equal(
        '"sda" is not a device path (expected e.g. /dev/sda or /dev/nvme0n1)',
      );
    });
  });
});
