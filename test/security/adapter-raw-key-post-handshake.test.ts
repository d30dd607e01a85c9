// Attacker: a client that authenticates with a raw public key (RFC 7250) to a server behind the Node adapter,
// in the handshake, after it (RFC 8446 §4.6.2) and on a resumed session. Its "certificate" is a bare
// SubjectPublicKeyInfo: getPeerCertificate() and getPeerX509Certificate() must report no X.509 certificate for
// it (parsing the SPKI as one throws, or names a certificate nobody presented), while `authorized` and
// getPeerIdentity() name the proven key. The adapter decides by info.clientCertificateType, which the
// handshake, the post-handshake answer and the resumed ticket's identity each set.
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { encodeSpki } from '../../src/auth/keys.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { NegotiatedInfo, SessionTicket } from '../../src/handshake/events.js';
import { connect, createServer, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { hex } from '../../src/wire/bytes.js';
import { ca, certPem, listen, serverCertificates } from '../node/fixtures.js';

const clientKey = generateKeyPair('p256', seededRandom('adapter raw key pha'), nobleProvider).privateKey;
const clientSpki = encodeSpki(nobleProvider.publicKeyOf(clientKey));

let servers: Tls13Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  servers = [];
});

const view = (socket: Tls13Socket) => ({
  authorized: socket.authorized,
  certificate: socket.getPeerCertificate(),
  x509: socket.getPeerX509Certificate(),
  spki: socket.getPeerIdentity()?.spkiSha256,
  type: socket.info.clientCertificateType,
});
const proven = { authorized: true, certificate: {}, x509: undefined, spki: hex(nobleProvider.hash('sha256', clientSpki)), type: 'raw-public-key' };

async function rawKeyServer() {
  const server = createServer({
    certificate: serverCertificates['ECDSA P-256'],
    trust: { kind: 'pinned-key', keys: [clientSpki] },
    clientAuth: 'optional',
    clientCertificateTypes: ['raw-public-key'],
    tickets: { count: 1 },
  });
  servers.push(server);
  server.on('tlsClientError', () => {});
  return { server, port: await listen(server) };
}

describe('a raw-key client behind the adapter', () => {
  it('in the handshake and again after it: authorized, the key named, no X.509 certificate reported (nothing throws)', async () => {
    const { server, port } = await rawKeyServer();
    const accepted = new Promise<Tls13Socket>((resolve) => server.once('secureConnection', resolve));
    const client = connect({ port, host: 'localhost', ca: certPem(ca), postHandshakeAuth: true, clientCertificateTypes: ['raw-public-key'], rawPublicKey: { privateKey: clientKey } });
    client.on('error', () => {});
    const socket = await accepted;
    socket.on('error', () => {});
    expect(view(socket)).toEqual(proven);
    const answered = new Promise<string>((resolve) => socket.once('postHandshakeAuth', (_info: NegotiatedInfo, answer: string) => resolve(answer)));
    socket.requestClientCertificate();
    expect(await answered).toBe('certificate');
    expect(view(socket)).toEqual(proven);
    client.destroy();
    socket.destroy();
  });

  it('on a session resumed from that handshake: the ticket identity is a raw key, reported as one', async () => {
    const { server, port } = await rawKeyServer();
    const options = { port, host: 'localhost', ca: certPem(ca), clientCertificateTypes: ['raw-public-key' as const], rawPublicKey: { privateKey: clientKey } };
    const first = connect(options);
    first.on('error', () => {});
    const session = await new Promise<SessionTicket>((resolve) => first.once('session', resolve));
    first.destroy();
    const accepted = new Promise<Tls13Socket>((resolve) => server.once('secureConnection', resolve));
    const second = connect({ ...options, session });
    second.on('error', () => {});
    const socket = await accepted;
    socket.on('error', () => {});
    expect(socket.isSessionReused()).toBe(true);
    expect(view(socket)).toEqual(proven);
    second.destroy();
    socket.destroy();
  });
});
