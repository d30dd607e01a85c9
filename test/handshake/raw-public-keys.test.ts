import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { encodeSpki, loadPrivateKey } from '../../src/auth/keys.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PrivateKey } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { announcedSecret, editProtectedHandshake, suiteNamed } from '../../src/testing/tamper.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';

const random = seededRandom('rpk-keys');
const key = (kind: 'ed25519' | 'p256' | 'p384') => generateKeyPair(kind, random, nobleProvider).privateKey;
const rsaKey = (): PrivateKey => loadPrivateKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' }));
const spkiOf = (privateKey: PrivateKey) => encodeSpki(nobleProvider.publicKeyOf(privateKey));
const pinOf = (privateKey: PrivateKey) => hex(nobleProvider.hash('sha256', spkiOf(privateKey)));

const serverKey = key('ed25519');
const clientKey = key('p256');
const serverCertificate = makeIdentity({ subject: { CN: 'server' } }, seededRandom('rpk-server-cert'));
const clientCertificate = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('rpk-client-cert'));

function run(client: Partial<ClientConfig>, server: Partial<ServerConfig>) {
  return new InMemoryPair(
    { trust: { kind: 'pinned-key', spkiSha256: [pinOf(serverKey)] }, now: () => TEST_NOW, random: seededRandom('c'), ...client },
    { now: () => TEST_NOW, random: seededRandom('s'), ...server },
  ).run();
}

const sentAlert = (events: TlsEvent[]) => events.find((e) => e.type === 'alert' && e.direction === 'out');
const certificateEntries = (events: TlsEvent[], direction: 'in' | 'out') =>
  events.flatMap((e) => (e.type === 'handshake-message' && e.direction === direction && e.message.kind === 'certificate' ? [e.message.entries] : []));

describe('RFC 7250 raw public keys', () => {
  it('authenticates a server by its raw Ed25519 key: one SubjectPublicKeyInfo on the wire, no certificate', () => {
    const pair = run({ serverCertificateTypes: ['raw-public-key'] }, { rawPublicKey: { privateKey: serverKey } });
    expect(pair.client.isConnected).toBe(true);
    expect(pair.client.info).toMatchObject({ serverCertificateType: 'raw-public-key' });
    expect(pair.client.info.peer).toMatchObject({ spkiSha256: pinOf(serverKey), keyType: 'Ed25519' });
    expect(pair.client.info.peer?.subject).toBeUndefined();
    expect(certificateEntries(pair.events('client'), 'in')[0]?.map((e) => hex(e.data))).toEqual([hex(spkiOf(serverKey))]);
  });

  it('uses raw keys in both directions under required client authentication', () => {
    const pair = run(
      { serverCertificateTypes: ['raw-public-key'], rawPublicKey: { privateKey: clientKey } },
      {
        rawPublicKey: { privateKey: serverKey },
        clientAuth: 'require',
        clientCertificateTypes: ['raw-public-key'],
        trust: { kind: 'pinned-key', keys: [spkiOf(clientKey)] },
      },
    );
    expect(pair.server.info).toMatchObject({ clientAuth: 'authenticated', clientCertificateType: 'raw-public-key' });
    expect(pair.server.info.peer).toMatchObject({ spkiSha256: pinOf(clientKey), keyType: 'ECDSA P-256' });
  });

  it('combines an X.509 server with a raw-key client, and a raw-key server with an X.509 client', () => {
    const x509Server = run(
      { trust: { kind: 'pinned-certificate', certificates: [serverCertificate.der] }, rawPublicKey: { privateKey: clientKey } },
      { certificate: serverCertificate, clientAuth: 'require', clientCertificateTypes: ['raw-public-key', 'x509'], trust: { kind: 'pinned-key', spkiSha256: [pinOf(clientKey)] } },
    );
    expect(x509Server.server.info).toMatchObject({ serverCertificateType: 'x509', clientCertificateType: 'raw-public-key', clientAuth: 'authenticated' });

    const x509Client = run(
      { serverCertificateTypes: ['raw-public-key'], certificate: clientCertificate },
      { rawPublicKey: { privateKey: serverKey }, clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [clientCertificate.der] } },
    );
    expect(x509Client.server.info).toMatchObject({ serverCertificateType: 'raw-public-key', clientAuth: 'authenticated' });
    expect(x509Client.server.info.peer?.subject).toBe('CN=alice');
  });

  it('completes without a client identity when raw-key client authentication is optional and the client has none', () => {
    const pair = run(
      { serverCertificateTypes: ['raw-public-key'], clientCertificateTypes: ['raw-public-key'] },
      { rawPublicKey: { privateKey: serverKey }, clientAuth: 'optional', clientCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', spkiSha256: [pinOf(clientKey)] } },
    );
    expect(pair.server.isConnected).toBe(true);
    expect(pair.server.info).toMatchObject({ clientAuth: 'requested-none-sent' });
  });

  it.each([
    ['Ed25519', () => key('ed25519'), 'Ed25519'],
    ['ECDSA P-256', () => key('p256'), 'ECDSA P-256'],
    ['ECDSA P-384', () => key('p384'), 'ECDSA P-384'],
    ['RSA-2048', rsaKey, 'RSA-2048'],
  ])('authenticates a raw %s server key', (_name, make, keyType) => {
    const privateKey = make();
    const pair = run({ serverCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', spkiSha256: [pinOf(privateKey)] } }, { rawPublicKey: { privateKey } });
    expect(pair.client.info.peer?.keyType).toBe(keyType);
  });

  it('falls back to X.509 with a server that has only a certificate, when the client also accepts X.509', () => {
    const pair = run(
      { serverCertificateTypes: ['raw-public-key', 'x509'], trust: { kind: 'any-of', policies: [{ kind: 'pinned-certificate', certificates: [serverCertificate.der] }] } },
      { certificate: serverCertificate },
    );
    expect(pair.client.info).toMatchObject({ serverCertificateType: 'x509' });
    expect(pair.client.isConnected).toBe(true);
  });

  it('sends bad_certificate for a raw key that is not on the allow-list', () => {
    const pair = run({ serverCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', spkiSha256: [pinOf(clientKey)] } }, { rawPublicKey: { privateKey: serverKey } });
    expect(sentAlert(pair.events('client'))).toMatchObject({ description: 'bad_certificate' });
  });

  it('sends unsupported_certificate when the client demands a raw key and the server has only X.509', () => {
    const pair = run({ serverCertificateTypes: ['raw-public-key'] }, { certificate: serverCertificate });
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'unsupported_certificate' });
  });

  it('sends unsupported_certificate when the server has only a raw key and the client accepts only X.509', () => {
    const pair = run({}, { rawPublicKey: { privateKey: serverKey } });
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'unsupported_certificate' });
  });

  it('sends unsupported_certificate when the server demands a raw client key and the client offers only X.509', () => {
    const pair = run(
      { serverCertificateTypes: ['raw-public-key'], certificate: clientCertificate },
      { rawPublicKey: { privateKey: serverKey }, clientAuth: 'require', clientCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', spkiSha256: [pinOf(clientKey)] } },
    );
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'unsupported_certificate' });
  });

  it('sends illegal_parameter for a raw-key Certificate with two entries (RFC 8446 §4.4.2)', () => {
    const client = Connection.client({ serverCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', keys: [spkiOf(serverKey)] } });
    const server = Connection.server({ rawPublicKey: { privateKey: serverKey } });
    server.receive(client.takeOutput());
    const events = server.takeEvents();
    const keys = { suite: suiteNamed(server.info.cipherSuite), secret: announcedSecret(events, 'server_handshake_traffic_secret') };
    const flight = editProtectedHandshake(server.takeOutput(), keys, (messages) =>
      messages.map((m) => (m.kind === 'certificate' ? { ...m, entries: [m.entries[0]!, m.entries[0]!] } : m)),
    );
    client.receive(flight);
    expect(sentAlert(client.takeEvents())).toMatchObject({ description: 'illegal_parameter' });
    expect(client.state).toBe('CLOSED');
  });
});
