// RFC 7250 raw public keys with GnuTLS as the peer (gnutls-serv / gnutls-cli from gnutls-bin), in both
// directions: the server's key only, the client's key only, both; Ed25519, Ed448, ECDSA P-256 and P-521; and
// X.509 certificates with Ed448, P-521 and RSASSA-PSS keys in both directions. Negative cases:
// a raw key that is not pinned (bad_certificate), a raw key demanded from a peer that offers only X.509
// (unsupported_certificate). Then, with X.509 certificates, each RFC 8446 group beyond the usual three
// (secp521r1, x448, ffdhe2048..8192) with GnuTLS restricted to it, both directions. GnuTLS honours
// SSLKEYLOGFILE: its key log for a connection must equal the secrets our side announced for the same
// connection, line for line. node:tls knows nothing of RFC 7250,
// so an endpoint that prefers raw keys must fall back to X.509 with it, in both roles.
// What GnuTLS 3.7 does that the RFC leaves open: it answers a server_certificate_type it cannot meet with
// unsupported_certificate even when raw keys are not in its priorities, and, as a server restricted to raw client
// keys, still takes an X.509 certificate from a client that sends no client_certificate_type.
// The AES-CCM suites (RFC 8446 §B.4), off by default on both sides, are checked against GnuTLS here too.
// Every child is bounded by a deadline and killed after its test. A missing gnutls-bin skips loudly
// (fails with REQUIRE_INTEROP=1).
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { once } from 'node:events';
import * as tls from 'node:tls';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, type GeneratedKeyType } from '../../src/auth/builder.js';
import { encodePkcs8, encodeSpki } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PrivateKey } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { makeIdentity, type Identity } from '../../src/testing/certs.js';
import { asPssKey, rsaTestKey } from '../../src/testing/rsa-keys.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { connect, createServer, type ConnectOptions, type ServerOptions, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { type BoundedChild, freePort, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { ca, certPem, keyPem, listen, MORE_GROUPS, nextError, readAll, serverCertificates, trustedClient } from '../node/fixtures.js';

const scratch = scratchDirectory('tls13-lab-gnutls-');
const { dir, file } = scratch;
afterAll(scratch.remove);


const children: BoundedChild[] = [];
const servers: Array<Tls13Server | tls.Server> = [];
const sockets: Array<Tls13Socket | tls.TLSSocket> = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
});

let runs = 0;
/** A GnuTLS tool with its own key log file (SSLKEYLOGFILE), bounded to 10 s. */
function run(path: string, args: string[]): BoundedChild & { keylog: () => string[] } {
  const keylogPath = join(dir, `gnutls-${++runs}.keylog`);
  const child = spawnBounded(path, args, { timeoutMs: 10_000, cwd: dir, env: { ...process.env, SSLKEYLOGFILE: keylogPath } });
  children.push(child);
  const keylog = () => (existsSync(keylogPath) ? readFileSync(keylogPath, 'latin1').split('\n').filter((l) => l && !l.startsWith('#')) : []);
  return Object.assign(child, { keylog });
}

/** A raw key pair with its files as GnuTLS reads them: PKCS#8 private key, SPKI "PUBLIC KEY". */
interface RawKey {
  privateKey: PrivateKey;
  spki: Uint8Array;
  /** SHA-256 of the SPKI, hex: the pin. */
  pin: string;
  keyFile: string;
  publicFile: string;
}

const random = seededRandom('gnutls interop');

/** A PKCS#8 PEM GnuTLS can read: ECDSA keys carry their public point (GnuTLS 3.7 requires it). */
function gnutlsKeyPem(privateKey: PrivateKey): string {
  return toPem('PRIVATE KEY', encodePkcs8(privateKey, nobleProvider.publicKeyOf(privateKey)));
}

function rawKey(name: string, kind: GeneratedKeyType): RawKey {
  const { privateKey, publicKey } = generateKeyPair(kind, random, nobleProvider);
  const spki = encodeSpki(publicKey);
  return {
    privateKey,
    spki,
    pin: createHash('sha256').update(spki).digest('hex'),
    keyFile: file(`${name}.key`, gnutlsKeyPem(privateKey)),
    publicFile: file(`${name}.pub`, toPem('PUBLIC KEY', spki)),
  };
}

const KEYS = [
  { keyName: 'Ed25519', gnutlsName: 'EdDSA (Ed25519)', server: rawKey('server-ed25519', 'ed25519'), client: rawKey('client-ed25519', 'ed25519') },
  { keyName: 'ECDSA P-256', gnutlsName: 'EC/ECDSA', server: rawKey('server-p256', 'p256'), client: rawKey('client-p256', 'p256') },
  { keyName: 'Ed448', gnutlsName: 'EdDSA (Ed448)', server: rawKey('server-ed448', 'ed448'), client: rawKey('client-ed448', 'ed448') },
  { keyName: 'ECDSA P-521', gnutlsName: 'EC/ECDSA', server: rawKey('server-p521', 'p521'), client: rawKey('client-p521', 'p521') },
] as const;
const stranger = rawKey('stranger', 'p256');

const serverX509 = serverCertificates['ECDSA P-256'];
const serverCertFile = file('server-x509.pem', certPem(serverX509));
const serverCertKeyFile = file('server-x509.key', gnutlsKeyPem(serverX509.privateKey));
const caFile = file('ca.pem', certPem(ca));

/** TLS 1.3 only, both certificate types of RFC 7250 enabled next to X.509. */
const PRIORITY_RPK = 'NORMAL:-VERS-ALL:+VERS-TLS1.3:+CTYPE-SRV-RAWPK:+CTYPE-CLI-RAWPK';
/** TLS 1.3 with GnuTLS's defaults: X.509 only. */
const PRIORITY_X509 = 'NORMAL:-VERS-ALL:+VERS-TLS1.3';

/** Every key-log line our socket announces (its 'keylog' events). */
function keylogOf(socket: Tls13Socket): string[] {
  const lines: string[] = [];
  socket.on('keylog', (line: Buffer) => lines.push(line.toString('latin1').trim()));
  return lines;
}

type TestContext = Parameters<typeof requireBinary>[1];

/** gnutls-serv echoing each line back, once it says it is listening. */
async function gnutlsServ(test: TestContext, args: string[]) {
  const path = requireBinary('gnutls-serv', test);
  const port = await freePort();
  const server = run(path, ['--port', String(port), '--echo', ...args]);
  // It prints the line before binding and "done" after.
  await server.waitFor(/listening on IPv4 [^\n]*done/);
  return { server, port };
}

/** gnutls-cli sending one line; it closes at the end of its input. */
function gnutlsCli(test: TestContext, port: number, args: string[]) {
  const client = run(requireBinary('gnutls-cli', test), ['--port', String(port), ...args, '127.0.0.1']);
  client.child.stdin.end('ping\n');
  return client;
}

/** Our server echoing what it reads, with each connection's key-log lines and every error. */
async function ourEchoServer(options: ServerOptions) {
  const errors: Error[] = [];
  const connections: Array<{ socket: Tls13Socket; keylog: string[] }> = [];
  const server = createServer(options, (socket) => {
    socket.on('data', (chunk: Buffer) => socket.write(chunk));
    socket.on('end', () => socket.end());
    socket.on('error', (error) => errors.push(error));
  });
  server.on('tlsSocket', (socket: Tls13Socket) => connections.push({ socket, keylog: keylogOf(socket) }));
  server.on('tlsClientError', (error: Error) => errors.push(error));
  servers.push(server);
  return { port: await listen(server), errors, connections };
}

/** Our client: sends one line, reads the echo until the server closes. */
async function ourClientEcho(options: ConnectOptions) {
  const client = connect(options);
  sockets.push(client);
  const keylog = keylogOf(client);
  client.end('ping\n');
  return { client, keylog, echoed: await readAll(client) };
}

const pinned = (...keys: RawKey[]): TrustPolicy => ({ kind: 'pinned-key', spkiSha256: keys.map((k) => k.pin) });
const sorted = (lines: string[]) => [...lines].sort();
const rpk = (key: RawKey) => ['--rawpkkeyfile', key.keyFile, '--rawpkfile', key.publicFile];
const x509Server = ['--x509certfile', serverCertFile, '--x509keyfile', serverCertKeyFile];
/** The five TLS 1.3 key-log labels GnuTLS writes for a full handshake. */
const LABELS = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'];

/** GnuTLS's key log equals ours, line for line, and covers the whole key schedule. */
function expectSameKeylog(ours: string[], theirs: string[]): void {
  expect(sorted(theirs.map((line) => line.split(' ')[0]!))).toEqual(LABELS);
  expect(sorted(ours)).toEqual(sorted(theirs));
}

describe('our client against gnutls-serv with raw public keys', () => {
  for (const { keyName, server: serverKey, client: clientKey } of KEYS) {
    it(`authenticates gnutls-serv by its pinned raw ${keyName} key, and both log the same secrets`, async (test) => {
      const { server, port } = await gnutlsServ(test, ['--priority', PRIORITY_RPK, ...rpk(serverKey)]);
      const { client, keylog, echoed } = await ourClientEcho({ host: '127.0.0.1', port, serverCertificateTypes: ['raw-public-key'], trust: pinned(serverKey) });
      expect(echoed).toBe('ping\n');
      expect(client.info.serverCertificateType).toBe('raw-public-key');
      expect(client.info.peer).toMatchObject({ spkiSha256: serverKey.pin, keyType: keyName, verdict: { trusted: true, rule: 'pinned-key' } });
      expect(client.info.peer?.chain?.map((der) => Buffer.from(der).toString('hex'))).toEqual([Buffer.from(serverKey.spki).toString('hex')]);
      expectSameKeylog(keylog, server.keylog());
    });

    it(`authenticates itself with a raw ${keyName} key to gnutls-serv, which uses an X.509 certificate`, async (test) => {
      const { server, port } = await gnutlsServ(test, ['--priority', PRIORITY_RPK, '--require-client-cert', ...x509Server]);
      const { client, keylog, echoed } = await ourClientEcho({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, rawPublicKey: { privateKey: clientKey.privateKey } });
      expect(echoed).toBe('ping\n');
      expect(client.info).toMatchObject({ serverCertificateType: 'x509', clientCertificateType: 'raw-public-key', clientAuth: 'authenticated' });
      expect(client.info.peer?.subject).toBe('CN=localhost p256');
      expectSameKeylog(keylog, server.keylog());
    });

    it(`uses raw ${keyName} keys in both directions with gnutls-serv requiring a client key`, async (test) => {
      const { server, port } = await gnutlsServ(test, ['--priority', PRIORITY_RPK, '--require-client-cert', ...rpk(serverKey)]);
      const { client, keylog, echoed } = await ourClientEcho({
        host: '127.0.0.1',
        port,
        serverCertificateTypes: ['raw-public-key'],
        trust: pinned(serverKey),
        rawPublicKey: { privateKey: clientKey.privateKey },
      });
      expect(echoed).toBe('ping\n');
      expect(client.info).toMatchObject({ serverCertificateType: 'raw-public-key', clientCertificateType: 'raw-public-key', clientAuth: 'authenticated' });
      expectSameKeylog(keylog, server.keylog());
    });
  }

  it("refuses gnutls-serv's raw key when another key is pinned: we send bad_certificate and gnutls-serv reports the alert", async (test) => {
    const { server, port } = await gnutlsServ(test, ['--priority', PRIORITY_RPK, ...rpk(KEYS[0].server)]);
    const client = connect({ host: '127.0.0.1', port, serverCertificateTypes: ['raw-public-key'], trust: pinned(stranger) });
    sockets.push(client);
    expect(await nextError(client)).toMatchObject({ direction: 'sent', alert: 'bad_certificate' });
    await server.waitFor(/Error in handshake: A TLS fatal alert has been received\./);
  });

  for (const [label, priority] of [
    ['with raw keys enabled but only a certificate', PRIORITY_RPK],
    ['with its default priorities (X.509 only)', PRIORITY_X509],
  ] as const) {
    it(`demands a raw key from gnutls-serv ${label}: gnutls-serv sends unsupported_certificate`, async (test) => {
      const { server, port } = await gnutlsServ(test, ['--priority', priority, ...x509Server]);
      const client = connect({ host: 'localhost', port, serverCertificateTypes: ['raw-public-key'], trust: pinned(KEYS[0].server) });
      sockets.push(client);
      expect(await nextError(client)).toMatchObject({ direction: 'received', alert: 'unsupported_certificate' });
      await server.waitFor(/Error in handshake: The certificate type is not supported\./);
    });
  }

  it('is accepted with an X.509 client certificate by gnutls-serv that allows only raw client keys, since our client sends no client_certificate_type', async (test) => {
    // RFC 7250 §4.1: a client that can only send X.509 omits client_certificate_type, and then X.509 is
    // what it sends. GnuTLS 3.7 takes that certificate even with -CTYPE-CLI-ALL:+CTYPE-CLI-RAWPK.
    const serverKey = KEYS[0].server;
    const priority = `${PRIORITY_RPK}:-CTYPE-CLI-ALL:+CTYPE-CLI-RAWPK`;
    const { port } = await gnutlsServ(test, ['--priority', priority, '--require-client-cert', ...rpk(serverKey)]);
    const { client, echoed } = await ourClientEcho({ host: '127.0.0.1', port, serverCertificateTypes: ['raw-public-key'], trust: pinned(serverKey), certificate: trustedClient });
    expect(echoed).toBe('ping\n');
    expect(client.info).toMatchObject({ clientAuth: 'authenticated', serverCertificateType: 'raw-public-key' });
    expect(client.info.clientCertificateType).not.toBe('raw-public-key');
  });
});

describe('gnutls-cli against our server with raw public keys', () => {
  for (const { keyName, gnutlsName, server: serverKey, client: clientKey } of KEYS) {
    it(`gnutls-cli accepts our server's raw ${keyName} key, and both log the same secrets`, async (test) => {
      const ours = await ourEchoServer({ rawPublicKey: { privateKey: serverKey.privateKey } });
      // gnutls-cli cannot pin a raw key on its command line (only --tofu): --insecure, and we check what it saw.
      const cli = gnutlsCli(test, ours.port, ['--priority', PRIORITY_RPK, '--insecure']);
      expect(await cli.exited).toBe(0);
      expect(cli.stdout()).toContain('- Certificate type: Raw Public Key\n- Got 1 Raw public-key(s).');
      expect(cli.stdout()).toContain(` - PK algo: ${gnutlsName}`);
      // GnuTLS's description names the client's then the server's certificate type.
      expect(cli.stdout()).toContain('- Description: (TLS1.3-X.509-Raw Public Key)-');
      expect(cli.stdout()).toContain('ping');
      expect(ours.errors).toEqual([]);
      expect(ours.connections[0]!.socket.info.serverCertificateType).toBe('raw-public-key');
      expectSameKeylog(ours.connections[0]!.keylog, cli.keylog());
    });

    it(`authenticates gnutls-cli by its pinned raw ${keyName} key, our server using an X.509 certificate`, async (test) => {
      const ours = await ourEchoServer({ certificate: serverX509, clientAuth: 'require', clientCertificateTypes: ['raw-public-key'], trust: pinned(clientKey) });
      const cli = gnutlsCli(test, ours.port, ['--priority', PRIORITY_RPK, '--x509cafile', caFile, ...rpk(clientKey)]);
      expect(await cli.exited).toBe(0);
      expect(cli.stdout()).toContain('- Status: The certificate is trusted.');
      expect(cli.stdout()).toContain('- Description: (TLS1.3-Raw Public Key-X.509)-');
      expect(ours.errors).toEqual([]);
      const { socket, keylog } = ours.connections[0]!;
      expect(socket.info).toMatchObject({ serverCertificateType: 'x509', clientCertificateType: 'raw-public-key', clientAuth: 'authenticated' });
      expect(socket.getPeerIdentity()).toMatchObject({ spkiSha256: clientKey.pin, keyType: keyName });
      expectSameKeylog(keylog, cli.keylog());
    });

    it(`uses raw ${keyName} keys in both directions with gnutls-cli`, async (test) => {
      const ours = await ourEchoServer({ rawPublicKey: { privateKey: serverKey.privateKey }, clientAuth: 'require', clientCertificateTypes: ['raw-public-key'], trust: pinned(clientKey) });
      const cli = gnutlsCli(test, ours.port, ['--priority', PRIORITY_RPK, '--insecure', ...rpk(clientKey)]);
      expect(await cli.exited).toBe(0);
      expect(cli.stdout()).toContain('- Description: (TLS1.3-Raw Public Key)-');
      expect(cli.stdout()).toContain('ping');
      const { socket, keylog } = ours.connections[0]!;
      expect(socket.info).toMatchObject({ serverCertificateType: 'raw-public-key', clientCertificateType: 'raw-public-key', clientAuth: 'authenticated' });
      expect(socket.getPeerIdentity()).toMatchObject({ spkiSha256: clientKey.pin, keyType: keyName });
      expectSameKeylog(keylog, cli.keylog());
    });
  }

  it('refuses a gnutls-cli raw key that is not pinned with bad_certificate, which gnutls-cli reports', async (test) => {
    const ours = await ourEchoServer({ rawPublicKey: { privateKey: KEYS[0].server.privateKey }, clientAuth: 'require', clientCertificateTypes: ['raw-public-key'], trust: pinned(stranger) });
    const cli = gnutlsCli(test, ours.port, ['--priority', PRIORITY_RPK, '--insecure', ...rpk(KEYS[1].client)]);
    expect(await cli.exited).not.toBe(0);
    // TLS 1.3: the client finished its handshake before the server judged its key.
    expect(cli.stdout()).toContain('- Handshake was completed');
    expect(cli.stdout() + cli.stderr()).toContain('*** Received alert [42]: Certificate is bad');
    expect(cli.stdout()).not.toContain('ping');
    expect(ours.errors).toHaveLength(1);
    expect(ours.errors[0]).toMatchObject({ direction: 'sent', alert: 'bad_certificate' });
  });

  it('refuses gnutls-cli offering only X.509 when our server has only a raw key: unsupported_certificate', async (test) => {
    const ours = await ourEchoServer({ rawPublicKey: { privateKey: KEYS[0].server.privateKey } });
    const cli = gnutlsCli(test, ours.port, ['--priority', PRIORITY_X509, '--insecure']);
    expect(await cli.exited).not.toBe(0);
    expect(cli.stdout() + cli.stderr()).toContain('*** Received alert [43]: Certificate is not supported');
    expect(ours.errors).toHaveLength(1);
    expect(ours.errors[0]).toMatchObject({ direction: 'sent', alert: 'unsupported_certificate' });
  });

  it('refuses gnutls-cli with only an X.509 client certificate when our server demands a raw client key: unsupported_certificate', async (test) => {
    const ours = await ourEchoServer({ rawPublicKey: { privateKey: KEYS[0].server.privateKey }, clientAuth: 'require', clientCertificateTypes: ['raw-public-key'], trust: pinned(stranger) });
    // Raw keys allowed for the server only: gnutls-cli sends no client_certificate_type, so X.509 is all it can send.
    const clientX509 = ['--x509certfile', file('client.pem', certPem(trustedClient)), '--x509keyfile', file('client.key', gnutlsKeyPem(trustedClient.privateKey))];
    const cli = gnutlsCli(test, ours.port, ['--priority', `${PRIORITY_X509}:+CTYPE-SRV-RAWPK`, '--insecure', ...clientX509]);
    expect(await cli.exited).not.toBe(0);
    expect(cli.stdout() + cli.stderr()).toContain('*** Received alert [43]: Certificate is not supported');
    expect(ours.errors).toHaveLength(1);
    expect(ours.errors[0]).toMatchObject({ direction: 'sent', alert: 'unsupported_certificate' });
  });

  it('gnutls-cli with raw client keys enabled but only an X.509 client certificate gives up itself when our server chooses a raw key', async (test) => {
    const ours = await ourEchoServer({ rawPublicKey: { privateKey: KEYS[0].server.privateKey }, clientAuth: 'require', clientCertificateTypes: ['raw-public-key'], trust: pinned(stranger) });
    const clientX509 = ['--x509certfile', file('client2.pem', certPem(trustedClient)), '--x509keyfile', file('client2.key', gnutlsKeyPem(trustedClient.privateKey))];
    const cli = gnutlsCli(test, ours.port, ['--priority', PRIORITY_RPK, '--insecure', ...clientX509]);
    expect(await cli.exited).not.toBe(0);
    expect(cli.stdout() + cli.stderr()).toContain('Could not find a suitable key to send to server');
  });
});

describe('GnuTLS and us over the other RFC 8446 groups (secp521r1, x448, FFDHE), with X.509 certificates', () => {
  for (const group of MORE_GROUPS) {
    const priority = `${PRIORITY_X509}:-GROUP-ALL:+${group.gnutls}`;
    /** How GnuTLS names the key exchange in its session description: ECDHE-X448, DHE-FFDHE2048, ... */
    const kx = `${group.name.startsWith('ffdhe') ? 'DHE' : 'ECDHE'}-${group.gnutls.replace('GROUP-', '')}`;

    it(`our client and gnutls-serv allowing only ${group.name} agree on it, and both log the same secrets`, async (test) => {
      const { server, port } = await gnutlsServ(test, ['--priority', priority, ...x509Server]);
      const { client, keylog, echoed } = await ourClientEcho({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, groups: [group.id] });
      expect(echoed).toBe('ping\n');
      expect(client.info.group).toBe(group.name);
      expectSameKeylog(keylog, server.keylog());
    });

    it(`gnutls-cli allowing only ${group.name} and our server agree on it, and both log the same secrets`, async (test) => {
      const ours = await ourEchoServer({ certificate: serverX509, groups: [group.id] });
      const cli = gnutlsCli(test, ours.port, ['--priority', priority, '--x509cafile', caFile]);
      expect(await cli.exited).toBe(0);
      expect(cli.stdout()).toContain(`-(${kx})-`);
      expect(cli.stdout()).toContain('ping');
      expect(ours.errors).toEqual([]);
      expect(ours.connections[0]!.socket.info.group).toBe(group.name);
      expectSameKeylog(ours.connections[0]!.keylog, cli.keylog());
    });
  }
});

describe('node:tls, which does not implement RFC 7250, and our endpoints that prefer raw keys', () => {
  it('our client offering [raw-public-key, x509] falls back to the X.509 certificate of a node:tls server, and presents its own certificate', async () => {
    let clientSubject: string | undefined;
    const server = tls.createServer(
      { cert: certPem(serverX509), key: keyPem(serverX509), minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: true, ca: certPem(trustedClient) },
      (socket) => {
        clientSubject = (socket.getPeerCertificate().subject as { CN?: string } | undefined)?.CN;
        socket.pipe(socket);
      },
    );
    servers.push(server);
    const port = await listen(server);
    const { client, echoed } = await ourClientEcho({
      host: 'localhost',
      port,
      serverCertificateTypes: ['raw-public-key', 'x509'],
      trust: { kind: 'any-of', policies: [pinned(KEYS[0].server), { kind: 'ca', anchors: [ca.der] }] },
      rawPublicKey: { privateKey: KEYS[0].client.privateKey },
      certificate: trustedClient,
    });
    expect(echoed).toBe('ping\n');
    expect(client.info).toMatchObject({ serverCertificateType: 'x509', clientAuth: 'authenticated' });
    expect(client.info.clientCertificateType).not.toBe('raw-public-key');
    expect(client.info.peer).toMatchObject({ subject: 'CN=localhost p256', verdict: { rule: 'ca' } });
    expect(clientSubject).toBe('trusted client');
  });

  it('a node:tls client gets the X.509 certificate of our server that has both a raw key and a certificate, and authenticates with its own', async () => {
    const ours = await ourEchoServer({
      rawPublicKey: { privateKey: KEYS[1].server.privateKey },
      certificate: serverX509,
      clientAuth: 'require',
      clientCertificateTypes: ['raw-public-key', 'x509'],
      trust: { kind: 'any-of', policies: [pinned(KEYS[1].client), { kind: 'pinned-certificate', certificates: [trustedClient.der] }] },
    });
    const client = tls.connect({ host: '127.0.0.1', port: ours.port, servername: 'localhost', ca: certPem(ca), cert: certPem(trustedClient), key: keyPem(trustedClient), minVersion: 'TLSv1.3' });
    sockets.push(client);
    client.end('ping\n');
    await once(client, 'secureConnect');
    expect(client.authorized).toBe(true);
    expect(client.getPeerCertificate().subject.CN).toBe('localhost p256');
    expect(await readAll(client)).toBe('ping\n');
    const { socket } = ours.connections[0]!;
    expect(socket.info).toMatchObject({ serverCertificateType: 'x509', clientAuth: 'authenticated' });
    expect(socket.getPeerIdentity()?.subject).toBe('CN=trusted client');
  });
});

describe('the AES-CCM suites with GnuTLS (priority +AES-128-CCM, +AES-128-CCM-8)', () => {
  const CCM = [
    { suite: 'TLS_AES_128_CCM_SHA256', id: 0x1304, gnutls: 'AES-128-CCM' },
    { suite: 'TLS_AES_128_CCM_8_SHA256', id: 0x1305, gnutls: 'AES-128-CCM-8' },
  ] as const;
  const priority = (cipher: string) => `${PRIORITY_X509}:+${cipher}`;

  for (const { suite, id, gnutls } of CCM) {
    it(`our client speaks ${suite} with gnutls-serv, and both log the same secrets`, async (test) => {
      const { server, port } = await gnutlsServ(test, ['--priority', priority(gnutls), ...x509Server]);
      const { client, keylog, echoed } = await ourClientEcho({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, cipherSuites: [id] });
      expect(echoed).toBe('ping\n');
      expect(client.info.cipherSuite).toBe(suite);
      expectSameKeylog(keylog, server.keylog());
    });

    it(`gnutls-cli speaks ${suite} with our server, and both log the same secrets`, async (test) => {
      const ours = await ourEchoServer({ certificate: serverX509, cipherSuites: [id] });
      const cli = gnutlsCli(test, ours.port, ['--priority', priority(gnutls), '--x509cafile', caFile]);
      expect(await cli.exited).toBe(0);
      expect(cli.stdout()).toContain(`-(${gnutls})`);
      expect(cli.stdout()).toContain('ping');
      expect(ours.errors).toEqual([]);
      expect(ours.connections[0]!.socket.info.cipherSuite).toBe(suite);
      expectSameKeylog(ours.connections[0]!.keylog, cli.keylog());
    });
  }
});

/** X.509 chains of the newer key types, issued by the fixtures' CA, valid around the real clock. */
const X509_KEYS = [
  { keyName: 'Ed448', key: () => generateKeyPair('ed448', random, nobleProvider).privateKey, scheme: 'ed448', gnutlsSignature: 'EdDSA-Ed448' },
  { keyName: 'ECDSA P-521', key: () => generateKeyPair('p521', random, nobleProvider).privateKey, scheme: 'ecdsa_secp521r1_sha512', gnutlsSignature: 'ECDSA-SECP521R1-SHA512' },
  { keyName: 'RSASSA-PSS', key: () => asPssKey(rsaTestKey(), { hash: 'sha256', minSaltLength: 32 }), scheme: 'rsa_pss_pss_sha256', gnutlsSignature: 'RSA-PSS-SHA256' },
];

describe('X.509 certificates with Ed448, P-521 and RSASSA-PSS keys, in both directions', () => {
  const validity = { notBefore: Date.now() - 86_400_000, notAfter: Date.now() + 86_400_000 };
  const issued = (cn: string, eku: string, privateKey: PrivateKey) =>
    makeIdentity({ subject: { CN: cn }, sans: { dns: [cn] }, extKeyUsage: [eku], issuer: ca, serial: 20n, privateKey, ...validity }, random);
  const files = (name: string, identity: Identity) => ['--x509certfile', file(`${name}.pem`, certPem(identity)), '--x509keyfile', file(`${name}.key`, gnutlsKeyPem(identity.privateKey))];

  for (const { keyName, key, scheme, gnutlsSignature } of X509_KEYS) {
    const n = keyName.replace(/\W/g, '');
    it(`gnutls-cli validates our server's ${keyName} certificate and CertificateVerify, and our server its ${keyName} client certificate`, async (test) => {
      const ours = await ourEchoServer({ certificate: issued('localhost', 'serverAuth', key()), clientAuth: 'require', trust: { kind: 'ca', anchors: [ca.der] } });
      const cli = gnutlsCli(test, ours.port, ['--priority', PRIORITY_X509, '--x509cafile', caFile, '--sni-hostname', 'localhost', '--verify-hostname', 'localhost', ...files(`cli-${n}`, issued('alice', 'clientAuth', key()))]);
      expect(await cli.exited).toBe(0);
      expect(cli.stdout()).toContain('- Status: The certificate is trusted.');
      expect(cli.stdout()).toMatch(new RegExp(`- Description: \\(TLS1\\.3-X\\.509\\)-\\([^)]*\\)-\\(${gnutlsSignature}\\)-`));
      expect(cli.stdout()).toContain('ping');
      expect(ours.errors).toEqual([]);
      const { socket, keylog } = ours.connections[0]!;
      expect(socket.info).toMatchObject({ signatureScheme: scheme, clientAuth: 'authenticated' });
      expect(socket.getPeerIdentity()?.subject).toBe('CN=alice');
      expectSameKeylog(keylog, cli.keylog());
    });

    it(`our client validates gnutls-serv's ${keyName} certificate and CertificateVerify, and gnutls-serv its ${keyName} client certificate`, async (test) => {
      const { server, port } = await gnutlsServ(test, ['--priority', PRIORITY_X509, '--require-client-cert', '--x509cafile', caFile, ...files(`serv-${n}`, issued('localhost', 'serverAuth', key()))]);
      const { client, keylog, echoed } = await ourClientEcho({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, certificate: issued('alice', 'clientAuth', key()) });
      expect(echoed).toBe('ping\n');
      expect(client.info).toMatchObject({ signatureScheme: scheme, clientAuth: 'authenticated' });
      expect(client.getPeerIdentity()?.subject).toBe('CN=localhost');
      expectSameKeylog(keylog, server.keylog());
    });
  }
});

describe('GnuTLS reading our key files', () => {
  // With the public key given, encodePkcs8 writes ECPrivateKey.publicKey [1], which GnuTLS 3.7 requires.
  it('certtool loads the PKCS#8 P-256 private key that encodePkcs8 writes', async (test) => {
    const certtool = requireBinary('certtool', test);
    const keyFile = file('encodePkcs8-p256.key', toPem('PRIVATE KEY', encodePkcs8(KEYS[1].server.privateKey, nobleProvider.publicKeyOf(KEYS[1].server.privateKey))));
    const child = run(certtool, ['--load-privkey', keyFile, '--pubkey-info']);
    expect(await child.exited).toBe(0);
  });
});
