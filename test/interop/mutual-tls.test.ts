// Mutual TLS with OpenSSL as the peer, for Ed25519, Ed448, ECDSA P-256 and P-521, RSA-2048 and RSASSA-PSS
// client keys, each with a self-signed client certificate made by our builder: `openssl s_server -Verify 1
// -CAfile <that certificate>` accepts our client, and our server pinning the certificate accepts `openssl
// s_client -cert -key` and refuses another self-signed certificate with bad_certificate. Every child is bounded by a deadline and killed after its
// test. A missing openssl skips loudly (fails with REQUIRE_INTEROP=1).
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { GeneratedKeyType } from '../../src/auth/builder.js';
import { loadPrivateKey } from '../../src/auth/keys.js';
import type { PrivateKey } from '../../src/crypto/provider.js';
import { asPssKey, rsaTestKey } from '../../src/testing/rsa-keys.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { seededRandom } from '../../src/crypto/random.js';
import { connect, createServer, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { type BoundedChild, freePort, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { DAY, makeIdentity, type Identity } from '../../src/testing/certs.js';
import { ca, certPem, keyPem, listen, nextError, readAll, serverCertificates } from '../node/fixtures.js';

const scratch = scratchDirectory('tls13-lab-mtls-interop-');
const { dir, file } = scratch;
afterAll(scratch.remove);


const children: BoundedChild[] = [];
const servers: Tls13Server[] = [];
const sockets: Tls13Socket[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
});

function run(path: string, args: string[]): BoundedChild {
  const child = spawnBounded(path, args, { timeoutMs: 10_000, cwd: dir });
  children.push(child);
  return child;
}

// Real peers check validity with the real clock.
const validity = { notBefore: Date.now() - DAY, notAfter: Date.now() + 30 * DAY };
const random = seededRandom('mutual-tls interop');

/** A self-signed client certificate as `tls13 cert --eku clientAuth` makes it (no basicConstraints cA). */
function selfSignedClient(name: string, key: { keyType: GeneratedKeyType } | { privateKey: PrivateKey } | 'rsa'): Identity {
  const keyOption =
    key === 'rsa'
      ? { privateKey: loadPrivateKey(new Uint8Array(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' }))) }
      : key;
  return makeIdentity({ subject: { CN: name }, extKeyUsage: ['clientAuth'], ...validity, ...keyOption }, random);
}

/** What s_server's status page says about our CertificateVerify (OpenSSL 3.0 prints no line for Ed25519). */
const CLIENTS: Array<{ keyName: string; identity: Identity; peerSignatureType?: string }> = [
  { keyName: 'Ed25519', identity: selfSignedClient('alice ed25519', { keyType: 'ed25519' }) },
  { keyName: 'ECDSA P-256', identity: selfSignedClient('alice p256', { keyType: 'p256' }), peerSignatureType: 'ECDSA' },
  { keyName: 'RSA-2048', identity: selfSignedClient('alice rsa', 'rsa'), peerSignatureType: 'RSA-PSS' },
  { keyName: 'Ed448', identity: selfSignedClient('alice ed448', { keyType: 'ed448' }) },
  { keyName: 'ECDSA P-521', identity: selfSignedClient('alice p521', { keyType: 'p521' }), peerSignatureType: 'ECDSA' },
  {
    keyName: 'RSASSA-PSS-2048 restricted to SHA-256',
    identity: selfSignedClient('alice rsa-pss', { privateKey: asPssKey(rsaTestKey(), { hash: 'sha256', minSaltLength: 32 }) }),
    peerSignatureType: 'RSA-PSS',
  },
];
const stranger = selfSignedClient('mallory', { keyType: 'p256' });

const trustServer: TrustPolicy = { kind: 'ca', anchors: [ca.der] };

describe('openssl s_server -Verify 1 -CAfile <the client certificate> with our client', () => {
  for (const { keyName, identity, peerSignatureType } of CLIENTS) {
    it(`accepts our client presenting its self-signed ${keyName} certificate, which has no basicConstraints cA`, async (test) => {
      const openssl = requireBinary('openssl', test);
      const port = await freePort();
      const n = keyName.replace(/\W/g, '');
      const server = run(openssl, [
        's_server', '-tls1_3', '-www', '-accept', String(port), '-naccept', '1',
        '-Verify', '1', '-verify_return_error', '-CAfile', file(`ca-file-${n}.pem`, certPem(identity)),
        '-cert', file(`server-${n}.pem`, certPem(serverCertificates['ECDSA P-256'])), '-key', file(`server-${n}.key`, keyPem(serverCertificates['ECDSA P-256'])),
      ]);
      await server.waitFor(/ACCEPT/);

      const client = connect({ host: 'localhost', port, trust: trustServer, certificate: identity });
      sockets.push(client);
      client.write('GET / HTTP/1.0\r\n\r\n');
      const page = await readAll(client);

      expect(page).toMatch(/^HTTP\/1\.0 200 ok/);
      // The status page describes the session as s_server saw it, including our CertificateVerify.
      if (peerSignatureType) expect(page).toContain(`Peer signature type: ${peerSignatureType}`);
      expect(client.info.clientAuth).toBe('authenticated');
      expect(await server.exited).toBe(0);
      // s_server logs the verification of our certificate: depth 0 is alice's self-signed leaf, no error.
      expect(server.stdout() + server.stderr()).toContain(`depth=0 CN = ${identity.certificate.subject.text.replace(/^CN=/, '')}`);
      expect(server.stdout() + server.stderr()).not.toMatch(/verify error/);
    });
  }

  it('accepts our client presenting a self-signed certificate with an explicit basicConstraints cA=FALSE (as tls13 cert makes)', async (test) => {
    const openssl = requireBinary('openssl', test);
    const port = await freePort();
    const notCa = makeIdentity({ subject: { CN: 'alice not a ca' }, isCA: false, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'], keyType: 'p256', ...validity }, random);
    const server = run(openssl, [
      's_server', '-tls1_3', '-www', '-accept', String(port), '-naccept', '1',
      '-Verify', '1', '-verify_return_error', '-CAfile', file('ca-file-not-ca.pem', certPem(notCa)),
      '-cert', file('server-not-ca.pem', certPem(serverCertificates['ECDSA P-256'])), '-key', file('server-not-ca.key', keyPem(serverCertificates['ECDSA P-256'])),
    ]);
    await server.waitFor(/ACCEPT/);

    const client = connect({ host: 'localhost', port, trust: trustServer, certificate: notCa });
    sockets.push(client);
    client.write('GET / HTTP/1.0\r\n\r\n');

    expect(await readAll(client)).toMatch(/^HTTP\/1\.0 200 ok/);
    expect(new X509Certificate(notCa.der).ca).toBe(false);
  });

  it('refuses our client presenting another self-signed certificate, and our client reports unknown_ca', async (test) => {
    const openssl = requireBinary('openssl', test);
    const port = await freePort();
    const server = run(openssl, [
      's_server', '-tls1_3', '-www', '-accept', String(port), '-naccept', '1',
      '-Verify', '1', '-verify_return_error', '-CAfile', file('ca-file-trusted.pem', certPem(CLIENTS[1]!.identity)),
      '-cert', file('server.pem', certPem(serverCertificates['ECDSA P-256'])), '-key', file('server.key', keyPem(serverCertificates['ECDSA P-256'])),
    ]);
    await server.waitFor(/ACCEPT/);

    const client = connect({ host: 'localhost', port, trust: trustServer, certificate: stranger });
    sockets.push(client);
    client.write('GET / HTTP/1.0\r\n\r\n');
    const error = await nextError(client);

    expect(error).toMatchObject({ direction: 'received', alert: 'unknown_ca' });
    await server.exited;
    expect(server.stdout() + server.stderr()).toMatch(/verify error:num=18:self-signed certificate/);
  });
});

/** Our server, requiring a client certificate pinned by its bytes; it greets each client by its subject. */
async function ourPinningServer(pinned: Identity) {
  const errors: Error[] = [];
  const server = createServer(
    {
      certificate: serverCertificates.Ed25519,
      clientAuth: 'require',
      trust: { kind: 'pinned-certificate', certificates: [pinned.der] },
    },
    (socket) => {
      socket.once('data', () => socket.end(`hello ${socket.getPeerIdentity()?.subject}`));
      socket.on('error', (error) => errors.push(error));
    },
  );
  server.on('tlsClientError', (error: Error) => errors.push(error));
  servers.push(server);
  return { port: await listen(server), errors };
}

function sClient(openssl: string, port: number, name: string, identity: Identity): BoundedChild {
  const child = run(openssl, [
    's_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-ign_eof',
    '-cert', file(`${name}.pem`, certPem(identity)), '-key', file(`${name}.key`, keyPem(identity)),
  ]);
  child.child.stdin.end('ping');
  return child;
}

describe('openssl s_client -cert -key against our server pinning one self-signed client certificate', () => {
  for (const { keyName, identity } of CLIENTS) {
    it(`accepts the pinned ${keyName} certificate and sees the client's identity, and refuses another with bad_certificate`, async (test) => {
      const openssl = requireBinary('openssl', test);
      const { port, errors } = await ourPinningServer(identity);
      const n = keyName.replace(/\W/g, '');

      const pinned = sClient(openssl, port, `pinned-${n}`, identity);
      await pinned.exited;
      expect(pinned.stdout()).toContain(`hello ${identity.certificate.subject.text}`);
      expect(errors).toEqual([]);

      const other = sClient(openssl, port, `stranger-${n}`, stranger);
      await other.exited;
      expect(other.stdout()).not.toContain('hello');
      expect(other.stderr()).toMatch(/alert bad certificate/);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ direction: 'sent', alert: 'bad_certificate' });
    });
  }
});
