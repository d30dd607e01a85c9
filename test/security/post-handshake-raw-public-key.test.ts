// Attacker: post-handshake client authentication (RFC 8446 §4.6.2) on a connection that negotiated a raw public
// key for the client (RFC 7250, client_certificate_type in EncryptedExtensions). The negotiated type is the
// connection's: RFC 8446 §4.4.2 reads the CertificateEntry as X.509 only when "the corresponding certificate
// type extension ... was not negotiated in EncryptedExtensions, or the X.509 certificate type was negotiated",
// which holds for every Certificate of the connection, the post-handshake ones included. So the client answers
// with its SubjectPublicKeyInfo, the server judges that by its raw-key policy, a Certificate of the other type
// is refused, and `info` names a type only once CertificateVerify and Finished proved the key.
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { rawPublicKeyCertified } from '../../src/handshake/certificate-types.js';
import { encodeSpki } from '../../src/auth/keys.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedHandshake, suiteNamed, type HandshakeEdit } from '../../src/testing/tamper.js';
import { hex } from '../../src/wire/bytes.js';
import type { HandshakeMessage } from '../../src/wire/types.js';

const random = seededRandom('pha-rpk-keys');
const serverKey = generateKeyPair('ed25519', random, nobleProvider).privateKey;
const clientKey = generateKeyPair('p256', random, nobleProvider).privateKey;
const spkiOf = (privateKey: typeof clientKey) => encodeSpki(nobleProvider.publicKeyOf(privateKey));
const pinOf = (privateKey: typeof clientKey) => hex(nobleProvider.hash('sha256', spkiOf(privateKey)));
/** An X.509 certificate for the client's own key: the same key, the other certificate type. */
const clientCertificate = makeIdentity({ subject: { CN: 'alice' }, privateKey: clientKey }, seededRandom('pha-rpk-alice'));
// alice's X.509 identity under a key pin: her certificate's hash, no name (a key pin vouches for none, pinned-key-names.test.ts).
const aliceCertificateSha256 = hex(nobleProvider.hash('sha256', clientCertificate.der));

/** Raw keys both ways; the server asks for the client's raw key in the handshake (optional) and trusts `pins`. */
function connected(client: Partial<ClientConfig>, server: Partial<ServerConfig> = {}) {
  return new InMemoryPair(
    { serverCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', keys: [spkiOf(serverKey)] }, now: () => TEST_NOW, random: seededRandom('pha-rpk/c'), postHandshakeAuth: true, ...client },
    {
      rawPublicKey: { privateKey: serverKey },
      clientAuth: 'optional',
      clientCertificateTypes: ['raw-public-key'],
      trust: { kind: 'pinned-key', keys: [spkiOf(clientKey)] },
      now: () => TEST_NOW,
      random: seededRandom('pha-rpk/s'),
      ...server,
    },
  ).run();
}

const sentAlerts = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
const outgoingCertificates = (events: TlsEvent[]) =>
  events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'certificate' ? [e.message.entries.map((x) => hex(x.data))] : []));
const phaEvents = (events: TlsEvent[]) => events.filter((e) => e.type === 'post-handshake-auth');

/** The server asks after the handshake; the client's answer is rewritten by `edit` (the client is the attacker). */
function answerEdited(pair: InMemoryPair, edit: HandshakeEdit) {
  pair.server.requestClientCertificate();
  pair.step('server');
  const queue = pair.pull('client');
  const [first] = queue.splice(0);
  const keys = { suite: suiteNamed(pair.client.info.cipherSuite), secret: announcedSecret(pair.events('client'), 'client_application_traffic_secret_0') };
  queue.push({ ...first!, bytes: editProtectedHandshake(first!.bytes, keys, edit) });
  return pair.run();
}
/** A raw-key client that declines the handshake's CertificateRequest ('ask') and is connected. */
function declinedInHandshake(seed: string) {
  const pair = new InMemoryPair(
    { serverCertificateTypes: ['raw-public-key'], clientCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', keys: [spkiOf(serverKey)] }, now: () => TEST_NOW, random: seededRandom(`${seed}/c`), postHandshakeAuth: true, certificate: 'ask' },
    { rawPublicKey: { privateKey: serverKey }, clientAuth: 'optional', clientCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', keys: [spkiOf(clientKey)] }, now: () => TEST_NOW, random: seededRandom(`${seed}/s`) },
  ).run();
  pair.client.resolve({ kind: 'client-certificate' });
  return pair.run();
}
const ourRawKey = rawPublicKeyCertified(nobleProvider, { privateKey: clientKey });
const onlyCertificate = (messages: HandshakeMessage[]) => messages.filter((m) => m.kind === 'certificate');

describe('post-handshake authentication after a raw public key was negotiated for the client', () => {
  it('the client answers with its SubjectPublicKeyInfo, not an X.509 certificate, and the server accepts it', () => {
    // The client holds both types for the same key; the negotiated one decides what it sends (RFC 8446 §4.4.2).
    const pair = connected({ rawPublicKey: { privateKey: clientKey }, certificate: clientCertificate });
    expect(pair.server.info).toMatchObject({ clientAuth: 'authenticated', clientCertificateType: 'raw-public-key' });
    pair.server.requestClientCertificate();
    pair.run();
    expect(outgoingCertificates(pair.events('client'))).toEqual([[hex(spkiOf(clientKey))], [hex(spkiOf(clientKey))]]);
    expect(sentAlerts(pair.events('server'))).toEqual([]);
    expect(phaEvents(pair.events('server'))).toMatchObject([{ answer: 'certificate', info: { clientCertificateType: 'raw-public-key', peer: { spkiSha256: pinOf(clientKey) } } }]);
    expect(phaEvents(pair.events('server'))[0]).not.toHaveProperty('replaced');
  });

  it('a client that declined in the handshake proves its raw key after it', () => {
    const pair = declinedInHandshake('declined');
    expect(pair.server.info).toMatchObject({ clientAuth: 'requested-none-sent' });
    pair.server.requestClientCertificate();
    pair.run();
    pair.client.resolve({ kind: 'client-certificate', certificate: ourRawKey });
    pair.run();
    expect(sentAlerts(pair.events('server'))).toEqual([]);
    expect(pair.server.info).toMatchObject({ clientAuth: 'authenticated', clientCertificateType: 'raw-public-key', peer: { spkiSha256: pinOf(clientKey) } });
  });

  it('refuses an X.509 certificate where a raw key was negotiated, even one for the pinned key, with bad_certificate', () => {
    const pair = answerEdited(connected({ rawPublicKey: { privateKey: clientKey } }), (messages) =>
      messages.map((m) => (m.kind === 'certificate' ? { ...m, entries: [{ data: clientCertificate.der, extensions: [] }] } : m)),
    );
    expect(sentAlerts(pair.events('server'))).toEqual(['bad_certificate']);
    expect(phaEvents(pair.events('server'))).toEqual([]);
    expect(pair.server.state).toBe('CLOSED');
  });

  it('refuses a raw key where X.509 was negotiated, even the pinned key, with bad_certificate', () => {
    // X.509 for the client (nothing negotiated in EncryptedExtensions); the attacker answers with the bare SPKI
    // of the same pinned key, which the raw-key policy shape would accept.
    const pair = answerEdited(
      connected({ certificate: clientCertificate }, { clientCertificateTypes: ['x509'] }),
      (messages) => messages.map((m) => (m.kind === 'certificate' ? { ...m, entries: [{ data: spkiOf(clientKey), extensions: [] }] } : m)),
    );
    expect(sentAlerts(pair.events('server'))).toEqual(['bad_certificate']);
    expect(phaEvents(pair.events('server'))).toEqual([]);
    expect(pair.server.info.peer?.certificateSha256).toBe(aliceCertificateSha256);
  });
});

describe('the client certificate type is reported only with a proven key', () => {
  it('in the handshake: a raw-key Certificate without CertificateVerify and Finished sets no type', () => {
    const pair = new InMemoryPair(
      { serverCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', keys: [spkiOf(serverKey)] }, now: () => TEST_NOW, random: seededRandom('c3'), rawPublicKey: { privateKey: clientKey } },
      { rawPublicKey: { privateKey: serverKey }, clientAuth: 'optional', clientCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', keys: [spkiOf(clientKey)] }, now: () => TEST_NOW, random: seededRandom('s3') },
    );
    pair.step('client');
    pair.step('server');
    const queue = pair.pull('client');
    const keys = { suite: suiteNamed(pair.client.info.cipherSuite), secret: announcedSecret(pair.events('client'), 'client_handshake_traffic_secret') };
    const index = queue.findIndex((r) => r.bytes[0] === 23); // the encrypted flight (a compat ChangeCipherSpec may precede it)
    queue[index] = { ...queue[index]!, bytes: editProtectedHandshake(queue[index]!.bytes, keys, onlyCertificate) };
    pair.run();
    expect(pair.server.state).not.toBe('CONNECTED');
    expect(pair.server.info.peer).toBeUndefined();
    expect(pair.server.info.clientCertificateType).toBeUndefined();
  });

  it('after the handshake: a raw-key Certificate alone (no CertificateVerify, no Finished) sets no type', () => {
    const pair = declinedInHandshake('certificate alone');
    pair.server.requestClientCertificate();
    pair.step('server');
    pair.client.resolve({ kind: 'client-certificate', certificate: ourRawKey });
    const queue = pair.pull('client');
    const keys = { suite: suiteNamed(pair.client.info.cipherSuite), secret: announcedSecret(pair.events('client'), 'client_application_traffic_secret_0') };
    queue[0] = { ...queue[0]!, bytes: editProtectedHandshake(queue[0]!.bytes, keys, onlyCertificate) };
    pair.run();
    expect(pair.server.info.peer).toBeUndefined();
    expect(pair.server.info.clientCertificateType).toBeUndefined();
    expect(phaEvents(pair.events('server'))).toEqual([]);
  });
});

describe('a session resumed from a raw-key handshake reports the raw-key type of the identity it carries', () => {
  // `info` reads an absent type as X.509 (events.ts), and so does the adapter's getPeerCertificate(): a resumed
  // raw-key peer reported without its type would have its SubjectPublicKeyInfo parsed as a certificate.
  it('both sides: peer from the ticket, type raw-public-key', () => {
    const tickets = { count: 1, key: new Uint8Array(32).fill(7) };
    const client: Partial<ClientConfig> = { rawPublicKey: { privateKey: clientKey } };
    const first = connected(client, { tickets });
    const ticket = first.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
    const second = connected({ ...client, resumption: { ticket } }, { tickets });
    expect(second.client.info).toMatchObject({ resumed: true, serverCertificateType: 'raw-public-key', peer: { spkiSha256: pinOf(serverKey) } });
    expect(second.server.info).toMatchObject({ resumed: true, clientAuth: 'authenticated', clientCertificateType: 'raw-public-key', peer: { spkiSha256: pinOf(clientKey) } });
  });

  it('control: a session resumed from an X.509 handshake reports x509 for the client', () => {
    const tickets = { count: 1, key: new Uint8Array(32).fill(8) };
    const client: Partial<ClientConfig> = { certificate: clientCertificate };
    const server: Partial<ServerConfig> = { tickets, clientCertificateTypes: ['x509'] };
    const first = connected(client, server);
    const ticket = first.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
    const second = connected({ ...client, resumption: { ticket } }, server);
    expect(second.server.info).toMatchObject({ resumed: true, clientCertificateType: 'x509', peer: { certificateSha256: aliceCertificateSha256 } });
  });
});

describe('a caller answering with a certificate of the other type than negotiated', () => {
  it('gets a TypeError before anything is sent, the decision still pending, in the handshake and after it', () => {
    const pair = new InMemoryPair(
      { serverCertificateTypes: ['raw-public-key'], clientCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', keys: [spkiOf(serverKey)] }, now: () => TEST_NOW, random: seededRandom('wrong/c'), postHandshakeAuth: true, certificate: 'ask' },
      { rawPublicKey: { privateKey: serverKey }, clientAuth: 'optional', clientCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', keys: [spkiOf(clientKey)] }, now: () => TEST_NOW, random: seededRandom('wrong/s') },
    ).run();
    expect(() => pair.client.resolve({ kind: 'client-certificate', certificate: clientCertificate })).toThrow(new TypeError('the server negotiated a raw public key for our certificate, and this one is X.509'));
    expect(pair.client.takeOutput()).toHaveLength(0);
    pair.client.resolve({ kind: 'client-certificate', certificate: ourRawKey });
    pair.run();
    expect(pair.server.info).toMatchObject({ clientAuth: 'authenticated', clientCertificateType: 'raw-public-key' });
    pair.server.requestClientCertificate();
    pair.run();
    expect(() => pair.client.resolve({ kind: 'client-certificate', certificate: clientCertificate })).toThrow(TypeError);
    expect(pair.client.takeOutput()).toHaveLength(0);
    pair.client.resolve({ kind: 'client-certificate', certificate: ourRawKey });
    pair.run();
    expect(sentAlerts(pair.events('server'))).toEqual([]);
    expect(phaEvents(pair.events('server'))).toMatchObject([{ answer: 'certificate' }]);
  });

  it('and the other way: a raw key where X.509 is the type', () => {
    const pair = new InMemoryPair(
      { serverCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', keys: [spkiOf(serverKey)] }, now: () => TEST_NOW, random: seededRandom('wrong2/c'), certificate: 'ask' },
      { rawPublicKey: { privateKey: serverKey }, clientAuth: 'optional', trust: { kind: 'pinned-key', keys: [spkiOf(clientKey)] }, now: () => TEST_NOW, random: seededRandom('wrong2/s') },
    ).run();
    expect(() => pair.client.resolve({ kind: 'client-certificate', certificate: ourRawKey })).toThrow(new TypeError('the server negotiated X.509 for our certificate, and this one is a raw public key'));
    pair.client.resolve({ kind: 'client-certificate', certificate: clientCertificate });
    pair.run();
    expect(pair.server.info).toMatchObject({ clientAuth: 'authenticated', clientCertificateType: 'x509', peer: { certificateSha256: aliceCertificateSha256 } });
  });
});
