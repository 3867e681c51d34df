// Secrets bundles: fresh CAs are CAs whose keys match (checked by openssl too), a client cert verifies, YAML round trip, errors.
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { InvalidSecretsError } from './errors.js';
import { fromBase64Pem, generateRsaKey, issueClientCertificate, toBase64Pem } from './pki.js';
import { TOKEN_PATTERN, generateSecrets, parseSecrets, secretsToYaml, type SecretsBundle } from './secrets.js';

const run = promisify(execFile);

function pem(value: string): string {
  const text = fromBase64Pem(value);
  if (text === undefined) throw new Error('not base64 PEM');
  return text;
}

function issuesOf(text: string): Record<string, string> {
  try {
    parseSecrets(text, 'secrets.yaml');
  } catch (e: unknown) {
    if (e instanceof InvalidSecretsError) return Object.fromEntries(e.issues.map((i) => [i.field, i.message]));
    throw e;
  }
  throw new Error('expected InvalidSecretsError');
}

describe('secrets bundle', function () {
  this.timeout(30_000);
  let bundle: SecretsBundle;
  let dir = '';

  before(async () => {
    [bundle, dir] = await Promise.all([generateSecrets(), mkdtemp(join(tmpdir(), 'osctl-secrets-'))]);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds four CAs (CA:TRUE) whose keys match, and an ECDSA service-account key', async () => {
    const { etcd, k8s, k8saggregator, os } = bundle.certs;
    for (const [name, ca] of Object.entries({ etcd, k8s, k8saggregator, os })) {
      const cert = new X509Certificate(pem(ca.crt));
      expect(cert.ca, name).to.equal(true);
      expect(cert.checkPrivateKey(createPrivateKey(pem(ca.key))), name).to.equal(true);
      expect(cert.verify(cert.publicKey), `${name} is self-signed`).to.equal(true);
      const file = join(dir, `${name}.crt`);
      await writeFile(file, pem(ca.crt));
      const { stdout } = await run('openssl', ['x509', '-in', file, '-noout', '-text']);
      expect(stdout, name)
        .to.match(/CA:TRUE/)
        .and.match(/Certificate Sign/)
        .and.match(/Public-Key: \(2048 bit\)/);
    }
    expect(new X509Certificate(pem(os.crt)).subject).to.equal('O=os');
    expect(new X509Certificate(pem(k8saggregator.crt)).subject).to.equal('CN=front-proxy');
    expect(createPrivateKey(pem(bundle.certs.k8sserviceaccount.key)).asymmetricKeyType).to.equal('ec');
  });

  it('signs an os:admin client certificate that openssl verifies against the OS CA', async () => {
    const client = issueClientCertificate(
      { crt: pem(bundle.certs.os.crt), key: pem(bundle.certs.os.key) },
      await generateRsaKey(),
      { organization: ['os:admin'] },
      new Date(),
    );
    const caFile = join(dir, 'os-ca.crt');
    const clientFile = join(dir, 'admin.crt');
    await Promise.all([writeFile(caFile, pem(bundle.certs.os.crt)), writeFile(clientFile, client.crt)]);
    const verified = await run('openssl', ['verify', '-CAfile', caFile, clientFile]);
    expect(verified.stdout.trim()).to.equal(`${clientFile}: OK`);
    const { stdout } = await run('openssl', ['x509', '-in', clientFile, '-noout', '-text']);
    expect(stdout)
      .to.match(/Subject: O ?= ?os:admin/)
      .and.match(/TLS Web Client Authentication/)
      .and.match(/CA:FALSE/);
    const cert = new X509Certificate(client.crt);
    expect(cert.checkIssued(new X509Certificate(pem(bundle.certs.os.crt)))).to.equal(true);
    expect(cert.checkPrivateKey(createPrivateKey(client.key))).to.equal(true);
  });

  it('has kubeadm-style tokens, a 32-byte secretbox secret and 32-byte cluster id and secret', () => {
    expect(bundle.secrets.bootstraptoken).to.match(TOKEN_PATTERN);
    expect(bundle.trustdinfo.token).to.match(TOKEN_PATTERN);
    expect(bundle.trustdinfo.token).not.to.equal(bundle.secrets.bootstraptoken);
    for (const v of [bundle.secrets.secretboxencryptionsecret, bundle.cluster.id, bundle.cluster.secret]) {
      expect(Buffer.from(v, 'base64')).to.have.length(32);
    }
  });

  it('round-trips through secrets.yaml text', () => {
    const text = secretsToYaml(bundle);
    expect(text).to.match(/^# /);
    expect(parseSecrets(text, 'secrets.yaml')).to.deep.equal(bundle);
  });

  it('names every missing or malformed field', () => {
    const broken = structuredClone(bundle) as unknown as {
      cluster: Record<string, unknown>;
      secrets: Record<string, unknown>;
      trustdinfo: Record<string, unknown>;
      certs: Record<string, Record<string, unknown>>;
    };
    delete broken.cluster['secret'];
    broken.secrets['bootstraptoken'] = 'ABC.def';
    broken.secrets['secretboxencryptionsecret'] = 'c2hvcnQ=';
    broken.trustdinfo['token'] = 42;
    broken.certs['k8s'] = { crt: bundle.certs.k8s.crt, key: bundle.certs.etcd.key };
    broken.certs['etcd'] = { crt: 'not-base64!', key: bundle.certs.etcd.key };
    delete broken.certs['k8sserviceaccount'];
    const issues = issuesOf(secretsToYaml(broken as unknown as SecretsBundle));
    expect(issues).to.deep.equal({
      'cluster.secret': 'missing',
      'secrets.bootstraptoken': '"ABC.def" is not a token like abcdef.0123456789abcdef ([a-z0-9]{6}.[a-z0-9]{16})',
      'secrets.secretboxencryptionsecret': 'must be 32 random bytes, base64-encoded (44 characters)',
      'trustdinfo.token': 'must be a string, got number',
      'certs.etcd.crt': 'must be a base64-encoded PEM certificate',
      'certs.k8s.key': 'does not match the certificate in crt',
      'certs.k8sserviceaccount.key': 'missing',
    });
  });

  it('refuses a bundle whose OS CA key is not RSA, and text that is not YAML', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const talosStyle = toBase64Pem(ed.replace(/PRIVATE KEY/g, 'ED25519 PRIVATE KEY'));
    const withEd = { ...bundle, certs: { ...bundle.certs, os: { crt: bundle.certs.os.crt, key: talosStyle } } };
    expect(issuesOf(secretsToYaml(withEd))['certs.os.key']).to.include(
      'is an ed25519 key; osctl signs with RSA CA keys only',
    );
    expect(issuesOf('cluster: ['))
      .to.have.property('(file)')
      .that.match(/^not valid YAML/);
    expect(Object.keys(issuesOf('just text'))).to.include('cluster.id');
  });
});
