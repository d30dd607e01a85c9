// Negotiation: what each side picks and reports. The server's preference order wins (RFC 8446 §4.1.1,
// §4.2.7, §4.4.2.2); SNI and ALPN show up in `info` on both sides; the CertificateVerify scheme fits the
// signer's key, checked by verifying the signature with node:crypto over the transcript ourselves.
import { constants, createHash, verify, X509Certificate, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW, type Identity, type IdentityOptions } from '../../src/testing/certs.js';
import { concat } from '../../src/wire/bytes.js';
import type { HandshakeMessage } from '../../src/wire/types.js';

// Code points as RFC 8446 §B.4, §4.2.7 and §4.2.3 list them.
const SUITE = { AES_128_GCM_SHA256: 0x1301, AES_256_GCM_SHA384: 0x1302, CHACHA20_POLY1305_SHA256: 0x1303 } as const;
const GROUP = { secp256r1: 0x0017, secp384r1: 0x0018, x25519: 0x001d } as const;
const SCHEME = {
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
} as const;

const rnd = seededRandom('negotiation identities');

function rsaIdentity(options: IdentityOptions): Identity {
  const der = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'der', type: 'pkcs8' });
  return makeIdentity({ ...options, privateKey: loadPrivateKey(new Uint8Array(der)) }, rnd);
}

const serverEd25519 = makeIdentity({ subject: { CN: 'ed25519 server' }, sans: { dns: ['example.test'] } }, rnd);
const serverP256 = makeIdentity({ subject: { CN: 'p256 server' }, keyType: 'p256' }, rnd);
const serverP384 = makeIdentity({ subject: { CN: 'p384 server' }, keyType: 'p384' }, rnd);
const serverRsa = rsaIdentity({ subject: { CN: 'rsa server' } });
const clientEd25519 = makeIdentity({ subject: { CN: 'ed25519 client' } }, rnd);
const clientP256 = makeIdentity({ subject: { CN: 'p256 client' }, keyType: 'p256' }, rnd);
const clientP384 = makeIdentity({ subject: { CN: 'p384 client' }, keyType: 'p384' }, rnd);

const pinned = (...ids: Identity[]) => ({ kind: 'pinned-certificate' as const, certificates: ids.map((i) => i.der) });

function connect(server: Identity, client: Partial<ClientConfig> = {}, srv: Partial<ServerConfig> = {}): InMemoryPair {
  const pair = new InMemoryPair(
    { trust: pinned(server), now: () => TEST_NOW, random: seededRandom('client'), ...client },
    { certificate: server, now: () => TEST_NOW, random: seededRandom('server'), ...srv },
  ).run();
  expect(pair.client.isConnected).toBe(true);
  expect(pair.server.isConnected).toBe(true);
  return pair;
}

type MessageEvent = Extract<TlsEvent, { type: 'handshake-message' }>;

function messages(events: TlsEvent[]): MessageEvent[] {
  return events.filter((e): e is MessageEvent => e.type === 'handshake-message');
}

function sent<K extends HandshakeMessage['kind']>(events: TlsEvent[], kind: K): Extract<HandshakeMessage, { kind: K }> {
  const event = messages(events).find((e) => e.direction === 'out' && e.message.kind === kind);
  if (!event) throw new Error(`no ${kind} was sent`);
  return event.message as Extract<HandshakeMessage, { kind: K }>;
}

/** An extension body of a message, by code point. */
function extensionData(message: HandshakeMessage, type: number): Uint8Array | undefined {
  return 'extensions' in message ? message.extensions.find((e) => e.type === type)?.data : undefined;
}

/**
 * Verifies the CertificateVerify `signer` sent with node:crypto: the signed content of RFC 8446 §4.4.3
 * (64 spaces, the context string, a zero byte, the transcript hash up to this message) against the public
 * key in the certificate it sent, with the hash and padding its scheme names. Returns the scheme.
 */
function verifySentCertificateVerify(events: TlsEvent[], signer: 'client' | 'server', transcriptHash: 'sha256' | 'sha384'): number {
  const all = messages(events);
  const cvAt = all.findIndex((e) => e.direction === 'out' && e.message.kind === 'certificate_verify');
  expect(cvAt).toBeGreaterThan(0);
  const cv = all[cvAt]!.message as Extract<HandshakeMessage, { kind: 'certificate_verify' }>;
  const transcript = createHash(transcriptHash).update(concat(...all.slice(0, cvAt).map((e) => e.raw))).digest();
  const content = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from(`TLS 1.3, ${signer} CertificateVerify`), Buffer.of(0), transcript]);
  const leaf = sent(events, 'certificate').entries[0]!.data;
  const key = new X509Certificate(Buffer.from(leaf)).publicKey;
  const pss = (hash: string, saltLength: number) =>
    verify(hash, content, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, cv.signature);
  const ok: Record<number, () => boolean> = {
    [SCHEME.ed25519]: () => verify(null, content, key, cv.signature),
    [SCHEME.ecdsa_secp256r1_sha256]: () => key.asymmetricKeyDetails?.namedCurve === 'prime256v1' && verify('sha256', content, key, cv.signature),
    [SCHEME.ecdsa_secp384r1_sha384]: () => key.asymmetricKeyDetails?.namedCurve === 'secp384r1' && verify('sha384', content, key, cv.signature),
    [SCHEME.rsa_pss_rsae_sha256]: () => pss('sha256', 32),
    [SCHEME.rsa_pss_rsae_sha384]: () => pss('sha384', 48),
    [SCHEME.rsa_pss_rsae_sha512]: () => pss('sha512', 64),
  };
  expect(ok[cv.scheme]?.()).toBe(true);
  return cv.scheme;
}

describe('cipher suite', () => {
  it.each([
    { client: [SUITE.AES_128_GCM_SHA256, SUITE.AES_256_GCM_SHA384, SUITE.CHACHA20_POLY1305_SHA256], server: [SUITE.CHACHA20_POLY1305_SHA256, SUITE.AES_128_GCM_SHA256], chosen: SUITE.CHACHA20_POLY1305_SHA256, name: 'TLS_CHACHA20_POLY1305_SHA256', hashLength: 32 },
    { client: [SUITE.CHACHA20_POLY1305_SHA256, SUITE.AES_128_GCM_SHA256, SUITE.AES_256_GCM_SHA384], server: [SUITE.AES_256_GCM_SHA384, SUITE.CHACHA20_POLY1305_SHA256], chosen: SUITE.AES_256_GCM_SHA384, name: 'TLS_AES_256_GCM_SHA384', hashLength: 48 },
  ])('takes the server preference $name over the client order', ({ client, server, chosen, name, hashLength }) => {
    const pair = connect(serverEd25519, { cipherSuites: client }, { cipherSuites: server });
    expect(sent(pair.events('server'), 'server_hello').cipherSuite).toBe(chosen);
    expect(pair.client.info.cipherSuite).toBe(name);
    expect(pair.server.info.cipherSuite).toBe(name);
    // The suite's hash sets the Finished length (RFC 8446 §4.4.4): the whole key schedule follows it.
    expect(sent(pair.events('server'), 'finished').verifyData).toHaveLength(hashLength);
    expect(sent(pair.events('client'), 'finished').verifyData).toHaveLength(hashLength);
  });

  it('skips a server favourite the client did not offer', () => {
    const pair = connect(serverEd25519, { cipherSuites: [SUITE.AES_128_GCM_SHA256] }, { cipherSuites: [SUITE.AES_256_GCM_SHA384, SUITE.AES_128_GCM_SHA256] });
    expect(sent(pair.events('server'), 'server_hello').cipherSuite).toBe(SUITE.AES_128_GCM_SHA256);
  });
});

describe('key-exchange group', () => {
  it.each([
    { server: [GROUP.secp384r1, GROUP.x25519], chosen: GROUP.secp384r1, name: 'secp384r1', shareLength: 97 },
    { server: [GROUP.secp256r1, GROUP.secp384r1], chosen: GROUP.secp256r1, name: 'secp256r1', shareLength: 65 },
    { server: [GROUP.x25519, GROUP.secp256r1], chosen: GROUP.x25519, name: 'x25519', shareLength: 32 },
  ])('takes the server preference $name among the groups the client sent shares for', ({ server, chosen, name, shareLength }) => {
    const groups = [GROUP.x25519, GROUP.secp256r1, GROUP.secp384r1];
    const pair = connect(serverEd25519, { groups, keyShareGroups: groups }, { groups: server });
    // KeyShareServerHello: group (2 bytes), key_exchange length (2 bytes), key_exchange (RFC 8446 §4.2.8).
    const share = extensionData(sent(pair.events('server'), 'server_hello'), 51)!;
    expect((share[0]! << 8) | share[1]!).toBe(chosen);
    expect((share[2]! << 8) | share[3]!).toBe(shareLength);
    expect(pair.client.info.group).toBe(name);
    expect(pair.server.info.group).toBe(name);
  });
});

describe('signature scheme', () => {
  it.each([
    { key: 'Ed25519', server: serverEd25519, scheme: SCHEME.ed25519, name: 'ed25519' },
    { key: 'ECDSA P-256', server: serverP256, scheme: SCHEME.ecdsa_secp256r1_sha256, name: 'ecdsa_secp256r1_sha256' },
    { key: 'ECDSA P-384', server: serverP384, scheme: SCHEME.ecdsa_secp384r1_sha384, name: 'ecdsa_secp384r1_sha384' },
    { key: 'RSA-2048', server: serverRsa, scheme: SCHEME.rsa_pss_rsae_sha256, name: 'rsa_pss_rsae_sha256' },
  ])('signs CertificateVerify with $name for an $key server key, and node:crypto verifies it', ({ server, scheme, name }) => {
    const pair = connect(server);
    expect(verifySentCertificateVerify(pair.events('server'), 'server', 'sha256')).toBe(scheme);
    expect(pair.client.info.signatureScheme).toBe(name);
    expect(pair.server.info.signatureScheme).toBe(name);
  });

  it('takes the server preference among the RSA-PSS schemes the client accepts', () => {
    const pair = connect(
      serverRsa,
      { signatureSchemes: [SCHEME.rsa_pss_rsae_sha256, SCHEME.rsa_pss_rsae_sha384, SCHEME.rsa_pss_rsae_sha512] },
      { signatureSchemes: [SCHEME.rsa_pss_rsae_sha512, SCHEME.rsa_pss_rsae_sha384, SCHEME.rsa_pss_rsae_sha256] },
    );
    expect(verifySentCertificateVerify(pair.events('server'), 'server', 'sha256')).toBe(SCHEME.rsa_pss_rsae_sha512);
  });

  it('passes over a preferred scheme that does not fit the key', () => {
    const pair = connect(serverP384, {}, { signatureSchemes: [SCHEME.ed25519, SCHEME.ecdsa_secp256r1_sha256, SCHEME.ecdsa_secp384r1_sha384] });
    expect(verifySentCertificateVerify(pair.events('server'), 'server', 'sha256')).toBe(SCHEME.ecdsa_secp384r1_sha384);
  });
});

describe('SNI and ALPN', () => {
  it('reports the server name and the server-preferred ALPN protocol on both sides', () => {
    const pair = connect(
      serverEd25519,
      { serverName: 'example.test', alpnProtocols: ['h2', 'http/1.1'] },
      { alpnProtocols: ['http/1.1', 'h2'] },
    );
    for (const side of [pair.client, pair.server]) {
      expect(side.info.serverName).toBe('example.test');
      expect(side.info.alpn).toBe('http/1.1');
    }
    // ALPN answer in EncryptedExtensions: a list holding exactly the one chosen protocol (RFC 7301 §3.1).
    const alpn = extensionData(sent(pair.events('server'), 'encrypted_extensions'), 16)!;
    expect(Buffer.from(alpn).toString('latin1')).toBe('\x00\x09\x08http/1.1');
  });

  it('reports no ALPN protocol when the server has none configured', () => {
    const pair = connect(serverEd25519, { alpnProtocols: ['h2'] });
    expect(pair.client.info.alpn).toBeUndefined();
    expect(pair.server.info.alpn).toBeUndefined();
  });

  it('sends no server_name for an IP address literal (RFC 6066 §3)', () => {
    const pair = connect(serverEd25519, { serverName: '192.0.2.1' });
    expect(extensionData(sent(pair.events('client'), 'client_hello'), 0)).toBeUndefined();
    expect(pair.server.info.serverName).toBeUndefined();
  });
});

describe('client certificate selection', () => {
  /** A server whose CertificateRequest accepts only ecdsa_secp256r1_sha256 (its own P-256 key signs with it too). */
  function withP256OnlyRequest(client: Identity) {
    return connect(
      serverP256,
      { certificate: client },
      { clientAuth: 'optional', trust: pinned(clientEd25519, clientP256, clientP384), signatureSchemes: [SCHEME.ecdsa_secp256r1_sha256] },
    );
  }

  it('sends its certificate when its key fits the signature_algorithms of the CertificateRequest', () => {
    const pair = withP256OnlyRequest(clientP256);
    const requested = extensionData(sent(pair.events('server'), 'certificate_request'), 13)!;
    expect(Array.from(requested)).toEqual([0, 2, 0x04, 0x03]);
    expect(verifySentCertificateVerify(pair.events('client'), 'client', 'sha256')).toBe(SCHEME.ecdsa_secp256r1_sha256);
    expect(pair.client.info.clientAuth).toBe('authenticated');
    expect(pair.server.info.clientAuth).toBe('authenticated');
    expect(pair.server.info.peer?.subject).toBe('CN=p256 client');
  });

  it.each([
    { key: 'Ed25519', client: clientEd25519 },
    { key: 'P-384 (TLS 1.3 ECDSA schemes name their curve, RFC 8446 §4.2.3)', client: clientP384 },
  ])('sends an empty Certificate when its $key key fits none of them', ({ client }) => {
    const pair = withP256OnlyRequest(client);
    expect(sent(pair.events('client'), 'certificate').entries).toEqual([]);
    expect(messages(pair.events('client')).some((e) => e.direction === 'out' && e.message.kind === 'certificate_verify')).toBe(false);
    expect(pair.client.info.clientAuth).toBe('requested-none-sent');
    expect(pair.server.info.clientAuth).toBe('requested-none-sent');
    expect(pair.server.info.peer).toBeUndefined();
  });
});
