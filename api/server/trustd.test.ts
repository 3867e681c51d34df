// trustd over real TLS on loopback: the right token gets a certificate that openssl verifies against the CA, with the
// CSR's names; a wrong or missing token is UNAUTHENTICATED, garbage INVALID_ARGUMENT, a CSR asking for roles
// PERMISSION_DENIED; a client that does not trust the CA never reaches it; a swapped certificate serves new connections.
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Metadata, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { signCsr } from '../../controllers/secrets/csr-sign.js';
import { createCsr } from '../../controllers/secrets/csr.js';
import { inspect, openssl, pemDir } from '../../controllers/secrets/testing.js';
import { SecurityClientConstructor } from '../proto/load.js';
import { issueServerCertificate } from './certs.js';
import { testCa, type TestCa } from './testing.js';
import { TOKEN_METADATA, startTrustdServer, tokenMatches, type TrustdServer } from './trustd.js';

const TOKEN = 'q1w2e3.r4t5y6u7i8o9p0a1';

type Answer = { ca: Buffer; crt: Buffer };

/** One Certificate call to 127.0.0.1:`port`, trusting `caPem`, with `token` (none when undefined). */
function ask(port: number, caPem: string, csr: string, token: string | undefined): Promise<Answer> {
  const client = new SecurityClientConstructor(`127.0.0.1:${port}`, credentials.createSsl(Buffer.from(caPem)));
  const md = new Metadata();
  if (token !== undefined) md.set(TOKEN_METADATA, token);
  const fn = (client as unknown as Record<string, (...a: unknown[]) => void>)['Certificate']!;
  return new Promise<Answer>((resolve, reject) => {
    fn.call(
      client,
      { csr: Buffer.from(csr) },
      md,
      { deadline: Date.now() + 5000 },
      (e: ServiceError | null, r: Answer) => {
        client.close();
        if (e === null) resolve(r);
        else reject(e);
      },
    );
  });
}

/** The status code (and details) a call failed with. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const se = e as ServiceError;
    return `${status[se.code]}: ${se.details}`;
  }
  return 'signed';
}

describe('trustd server', function () {
  this.timeout(30_000);
  let ca: TestCa;
  let server: TrustdServer;
  const refusals: string[] = [];
  before(async () => {
    ca = await testCa();
  });
  beforeEach(async () => {
    refusals.length = 0;
    const tls = issueServerCertificate({ caCertPem: ca.crt, caKeyPem: ca.key, dnsNames: ['cp-1'], ips: ['127.0.0.1'] });
    server = await startTrustdServer({
      host: '127.0.0.1',
      port: 0,
      tls,
      token: () => TOKEN,
      sign: (csr) => {
        const now = Date.now();
        const { crt } = signCsr(ca, csr, { notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) });
        return { ca: ca.crt, crt };
      },
      log: (level, msg) => refusals.push(`${level} ${msg}`),
    });
  });
  afterEach(async () => {
    await server.close();
  });

  it('signs a CSR presented with the join token; openssl verifies the certificate and shows its SANs', async () => {
    const { csr } = createCsr({ commonName: 'worker-1', dnsNames: ['worker-1'], ips: ['10.5.0.3', '127.0.0.1'] });
    const r = await ask(server.port, ca.crt, csr, TOKEN);
    expect(r.ca.toString()).to.equal(ca.crt);
    const { verify, text } = await inspect(ca.crt, r.crt.toString());
    expect(verify).to.match(/: OK$/);
    expect(text).to.include('DNS:worker-1, IP Address:10.5.0.3, IP Address:127.0.0.1');
    expect(text).to.match(/Extended Key Usage:\s*\n\s+TLS Web Server Authentication\n/);
    const cert = new X509Certificate(r.crt);
    expect(Date.parse(cert.validTo) - Date.now()).to.be.closeTo(86_400_000, 10_000);
  });

  it('refuses a wrong or missing token (UNAUTHENTICATED), garbage (INVALID_ARGUMENT), roles (PERMISSION_DENIED)', async () => {
    const { csr } = createCsr({ commonName: 'w', dnsNames: ['w'], ips: [] });
    expect(await refusal(ask(server.port, ca.crt, csr, 'q1w2e3.r4t5y6u7i8o9p0a2'))).to.equal(
      'UNAUTHENTICATED: invalid token',
    );
    expect(await refusal(ask(server.port, ca.crt, csr, undefined))).to.equal('UNAUTHENTICATED: missing token');
    expect(await refusal(ask(server.port, ca.crt, 'not a csr', TOKEN))).to.match(/^INVALID_ARGUMENT: .*not a PEM/);
    const d = await pemDir();
    try {
      const out = await d.write('admin.csr', '');
      const key = await d.write('admin.key', '');
      const subj = ['-subj', '/O=os:admin/CN=sneaky', '-addext', 'subjectAltName=DNS:sneaky'];
      await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', out, ...subj]);
      const admin = await readFile(out, 'utf8');
      expect(await refusal(ask(server.port, ca.crt, admin, TOKEN))).to.match(/^PERMISSION_DENIED: .*roles\) os:admin/);
    } finally {
      await d.done();
    }
    expect(refusals.join('\n')).to.match(/warn refused a certificate request from .*: invalid token/);
    expect(refusals.join('\n')).not.to.include(TOKEN.slice(7));
  });

  it('is reached only by clients that trust the CA; a swapped certificate serves new connections', async () => {
    const other = await testCa('other-ca');
    const { csr } = createCsr({ commonName: 'w', dnsNames: ['w'], ips: [] });
    expect(await refusal(ask(server.port, other.crt, csr, TOKEN))).to.match(/^UNAVAILABLE: /);
    const swapped = issueServerCertificate({
      caCertPem: other.crt,
      caKeyPem: other.key,
      dnsNames: [],
      ips: ['127.0.0.1'],
    });
    server.updateCertificate(swapped);
    expect((await ask(server.port, other.crt, csr, TOKEN)).crt.toString()).to.include('BEGIN CERTIFICATE');
  });

  it('compares tokens in constant time over digests, and never accepts an empty one', () => {
    expect(tokenMatches(TOKEN, TOKEN)).to.equal(true);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).to.equal(false);
    expect(tokenMatches(undefined, TOKEN)).to.equal(false);
    expect(tokenMatches('', '')).to.equal(false);
  });
});
