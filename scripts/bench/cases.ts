// The handshake variants the bench measures, each described once and turned into configs for our engine
// and into options for node:tls, over the same certificates and keys (made once, up front).
import { generateKeyPairSync } from 'node:crypto';
import { encodePkcs8, encodeSpki, loadPrivateKey, spkiSha256 } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import type { CryptoProvider, PrivateKey, RandomSource } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DAY, makeIdentity, TEST_NOW, type Identity, type IdentityOptions } from '../../src/testing/certs.js';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.js';

export const SERVER_NAME = 'bench.test';

export interface HandshakeCase {
  name: string;
  /** What the row measures, in words, for the table legend and the JSON. */
  description: string;
  serverIdentity: Identity;
  /** How the client judges the server; node:tls gets the equivalent `ca` list. */
  trust: { kind: 'pinned-certificate' | 'ca'; anchor: Identity };
  /** Mutual TLS: the client's identity, pinned by the server. */
  clientIdentity?: Identity;
  /**
   * 'raw-public-key': the server sends its SubjectPublicKeyInfo (RFC 7250), the client pins its SHA-256
   * (node:tls, without RFC 7250, does the certificate handshake instead). 'resumption': each handshake
   * resumes from one ticket of an earlier full handshake (psk_dhe_ke, RFC 8446 §2.2), as node:tls resumes
   * its session.
   */
  variant?: 'raw-public-key' | 'resumption';
  /** The key-exchange group of both sides (x25519 unless given): our code point and OpenSSL's name. */
  group?: BenchGroup;
}

export interface BenchGroup {
  name: string;
  id: number;
  openssl: string;
}

export const X25519: BenchGroup = { name: 'x25519', id: NamedGroup.x25519, openssl: 'X25519' };

/** The groups with a row of their own (an Ed25519 pinned handshake each), beside x25519 in every other row. */
export const GROUP_ROWS: readonly BenchGroup[] = [
  { name: 'X25519MLKEM768', id: NamedGroup.X25519MLKEM768, openssl: 'X25519MLKEM768' },
  { name: 'secp521r1', id: NamedGroup.secp521r1, openssl: 'P-521' },
  { name: 'x448', id: NamedGroup.x448, openssl: 'X448' },
  { name: 'ffdhe2048', id: NamedGroup.ffdhe2048, openssl: 'ffdhe2048' },
];

/** The PEM texts node:tls needs for one side. */
export interface NodeCredentials {
  cert: string;
  key: string;
}

export function nodeCredentials(identity: { chain: Uint8Array[]; privateKey: PrivateKey }): NodeCredentials {
  return {
    cert: identity.chain.map((der) => toPem('CERTIFICATE', der)).join(''),
    key: toPem('PRIVATE KEY', encodePkcs8(identity.privateKey)),
  };
}

/** Certificates valid for years around now, so node:tls (which reads the real clock) accepts them too. */
function identity(options: IdentityOptions, random: RandomSource): Identity {
  return makeIdentity({ notBefore: TEST_NOW - 3650 * DAY, notAfter: TEST_NOW + 3650 * DAY, ...options }, random);
}

/** Every certificate and key the bench uses, made once from a fixed seed (RSA from node:crypto). */
export function makeCases(): HandshakeCase[] {
  const random = seededRandom('tls13-lab bench');
  const server = (keyType: IdentityOptions['keyType'], extra: IdentityOptions = {}) =>
    identity({ subject: { CN: SERVER_NAME }, sans: { dns: [SERVER_NAME] }, extKeyUsage: ['serverAuth'], keyType, ...extra }, random);

  const ed25519 = server('ed25519');
  const ca = identity({ subject: { CN: 'Bench CA' }, isCA: true, keyUsage: ['keyCertSign'], keyType: 'ed25519' }, random);
  const ed25519Issued = server('ed25519', { issuer: ca });
  const p256 = server('p256');
  const rsaDer = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' });
  const rsa2048 = server(undefined, { privateKey: loadPrivateKey(new Uint8Array(rsaDer)) });
  const client = identity({ subject: { CN: 'bench client' }, extKeyUsage: ['clientAuth'], keyType: 'ed25519' }, random);

  return [
    { name: 'ed25519 pinned', description: 'Ed25519 server certificate, client pins it (DER match)', serverIdentity: ed25519, trust: { kind: 'pinned-certificate', anchor: ed25519 } },
    { name: 'ed25519 CA', description: 'Ed25519 server certificate issued by an Ed25519 CA, client validates the chain', serverIdentity: ed25519Issued, trust: { kind: 'ca', anchor: ca } },
    { name: 'p256 pinned', description: 'ECDSA P-256 server certificate (self-signed), client pins it', serverIdentity: p256, trust: { kind: 'pinned-certificate', anchor: p256 } },
    { name: 'rsa2048 pinned', description: 'RSA-2048 server certificate (rsa_pss_rsae_sha256), client pins it', serverIdentity: rsa2048, trust: { kind: 'pinned-certificate', anchor: rsa2048 } },
    {
      name: 'mtls ed25519',
      description: 'Ed25519 server certificate pinned by the client, Ed25519 client certificate pinned by the server',
      serverIdentity: ed25519,
      trust: { kind: 'pinned-certificate', anchor: ed25519 },
      clientIdentity: client,
    },
    {
      name: 'rpk ed25519',
      description: 'Ed25519 raw public key (RFC 7250) pinned by its SPKI SHA-256; node:tls: the Ed25519 certificate, pinned',
      serverIdentity: ed25519,
      trust: { kind: 'pinned-certificate', anchor: ed25519 },
      variant: 'raw-public-key',
    },
    {
      name: 'psk resumption',
      description: 'Resumption (psk_dhe_ke, x25519) from a ticket of an Ed25519 handshake; a new ticket each time, as node:tls',
      serverIdentity: ed25519,
      trust: { kind: 'pinned-certificate', anchor: ed25519 },
      variant: 'resumption',
    },
    ...GROUP_ROWS.map((group) => ({
      name: `group ${group.name}`,
      description: `Ed25519 server certificate pinned by the client, key exchange over ${group.name}`,
      serverIdentity: ed25519,
      trust: { kind: 'pinned-certificate' as const, anchor: ed25519 },
      group,
    })),
  ];
}

function trustPolicy(c: HandshakeCase): TrustPolicy {
  return c.trust.kind === 'ca'
    ? { kind: 'ca', anchors: [c.trust.anchor.der] }
    : { kind: 'pinned-certificate', certificates: [c.trust.anchor.der] };
}

/**
 * Configs for our engine: TLS_AES_128_GCM_SHA256, x25519 only (or the case's group), no secret or trace events, no session tickets (node:tls cannot turn
 * them off and makes two per handshake: a few microseconds of symmetric crypto, see node-tls.ts), except
 * for resumption, where the server issues one ticket per handshake under a key shared by its connections.
 */
export function engineConfigs(c: HandshakeCase, provider: CryptoProvider, random: RandomSource): { client: ClientConfig; server: ServerConfig } {
  const common = {
    provider,
    random,
    now: () => Date.now(),
    cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256],
    groups: [(c.group ?? X25519).id],
    // No key log and no trace, as node:tls without a 'keylog' listener and our node adapter without a 'keylog'
    // or 'tlsEvent' one.
    secretEvents: false,
    traceEvents: false,
  };
  const client: ClientConfig = { ...common, serverName: SERVER_NAME, trust: trustPolicy(c) };
  const server: ServerConfig = { ...common, certificate: c.serverIdentity, tickets: { count: 0 } };
  if (c.clientIdentity) {
    client.certificate = c.clientIdentity;
    server.clientAuth = 'require';
    server.trust = { kind: 'pinned-certificate', certificates: [c.clientIdentity.der] };
  }
  if (c.variant === 'raw-public-key') {
    const spki = encodeSpki(provider.publicKeyOf(c.serverIdentity.privateKey));
    delete server.certificate;
    server.rawPublicKey = { privateKey: c.serverIdentity.privateKey, spki };
    client.serverCertificateTypes = ['raw-public-key'];
    client.trust = { kind: 'pinned-key', spkiSha256: [spkiSha256(spki, provider).hex] };
  }
  if (c.variant === 'resumption') {
    server.tickets = { count: 1, key: random(32) };
    const first = new InMemoryPair(client, server).run();
    const ticket = first.events('client').find((e) => e.type === 'session-ticket');
    if (ticket?.type !== 'session-ticket') throw new Error(`${c.name}: the first handshake gave no ticket`);
    client.resumption = { ticket: ticket.ticket };
  }
  return { client, server };
}
