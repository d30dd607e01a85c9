// Attacker's test of isolation between connections: whatever one connection's provider writes into its
// inputs never reaches another connection's view of the same certificate. A process-wide memo of peers' parsed
// certificates (007325e, this round, removed at the merge) broke it: the parse was frozen, but typed arrays
// cannot be frozen, so the tbs, signature, SubjectPublicKeyInfo and key it handed to the provider
// (verify(alg, key, tbs, signature) for the path, verify(alg, leaf key, content, signature) for
// CertificateVerify) were views every later connection of the process shared. A provider that wipes its
// inputs made every later honest client refuse the genuine server; a provider that wrote another key while a
// handshake waited at its verify-peer pause made that handshake accept the impostor's CertificateVerify.
// Any future cache of certificates must keep these tests green.
import { describe, expect, it } from 'vitest';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, sendingWhatItSigns, signingWithAnotherKey, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { equalBytes, hex } from '../../src/wire/bytes.js';

const random = seededRandom('memoised-certificate-writes');
const ca = makeIdentity({ subject: { CN: 'writes CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const caPolicy: TrustPolicy = { kind: 'ca', anchors: [ca.der] };
const sha256 = (bytes: Uint8Array) => hex(nobleProvider.hash('sha256', bytes));
const alerts = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' ? [`${e.direction} ${e.description}`] : []));

/** A server certificate no other test presents. */
const issuedServer = (cn: string): Identity => makeIdentity({ subject: { CN: cn }, sans: { dns: ['issued.example'] }, issuer: ca }, random);

const connect = (server: ServerConfig['certificate'], provider?: CryptoProvider, serverProvider?: CryptoProvider) => {
  const client: ClientConfig = { trust: caPolicy, serverName: 'issued.example', now: () => TEST_NOW, random: seededRandom('c'), ...(provider ? { provider } : {}) };
  return new InMemoryPair(client, { certificate: server, now: () => TEST_NOW, random: seededRandom('s'), ...(serverProvider ? { provider: serverProvider } : {}) }).run();
};

/** noble, whose verify wipes its inputs after answering (hygiene some providers apply to what they were given). */
const wiping: CryptoProvider = {
  ...nobleProvider,
  name: 'noble (wipes its inputs)',
  verify(alg, key, message, signature) {
    const ok = nobleProvider.verify(alg, key, message, signature);
    message.fill(0);
    signature.fill(0);
    if (key.kind === 'ed25519') key.publicKey.fill(0);
    return ok;
  },
};

/** noble, whose verify writes `replacement` over the Ed25519 key `target` after answering. */
const keySwapping = (target: Uint8Array, replacement: Uint8Array): CryptoProvider => ({
  ...nobleProvider,
  name: 'noble (swaps a key)',
  verify(alg, key, message, signature) {
    const ok = nobleProvider.verify(alg, key, message, signature);
    if (key.kind === 'ed25519' && equalBytes(key.publicKey, target)) key.publicKey.set(replacement);
    return ok;
  },
});

const ed25519Key = (identity: Identity) => {
  const key = identity.certificate.publicKey!;
  if (key.kind !== 'ed25519') throw new Error('an Ed25519 identity was expected');
  return key.publicKey;
};

describe("writes into a peer certificate's arrays by another connection's provider", () => {
  it("a provider that wipes its inputs in one connection does not break the next connection's view of the same certificate", () => {
    const server = issuedServer('wiped');
    // The wiping connection breaks itself (the leaf's key lies inside the tbs it wiped): its own affair.
    connect(server, wiping);
    const next = connect(server);
    expect(alerts(next.events('client'))).toEqual([]);
    expect(next.client.isConnected).toBe(true);
    expect(next.client.info.peer?.certificateSha256).toBe(sha256(server.der));
  });

  it("a key written into the leaf's key by one connection: the next handshake refuses that key's CertificateVerify for the genuine certificate, accepts the genuine server", () => {
    const genuine = issuedServer('genuine');
    const attacker = makeIdentity({ subject: { CN: 'attacker' } }, random);
    const first = connect(genuine, keySwapping(ed25519Key(genuine), ed25519Key(attacker)));
    expect(first.client.isConnected).toBe(true);
    // The genuine certificate's chain, CertificateVerify signed with the attacker's Ed25519 key.
    const signing = sendingWhatItSigns(signingWithAnotherKey(genuine.chain, attacker.privateKey, random));
    const impostor = connect(signing.certificate, undefined, signing.provider);
    expect(impostor.client.isConnected).toBe(false);
    expect(alerts(impostor.events('client'))).toEqual(['out decrypt_error']);
    // The genuine server is still accepted, with its own key reported.
    const honest = connect(genuine);
    expect(honest.client.isConnected).toBe(true);
    expect(honest.client.info.peer?.spkiSha256).toBe(sha256(genuine.certificate.spki));
  });

  it("a key written into the leaf's key while another handshake waits at its verify-peer pause is not the key that handshake checks CertificateVerify with", () => {
    const genuine = issuedServer('paused');
    const attacker = makeIdentity({ subject: { CN: 'attacker at the pause' } }, random);
    // The impostor: the genuine certificate, CertificateVerify signed with the attacker's key. The caller is
    // asked about the genuine certificate (its exact bytes) before CertificateVerify is checked.
    const paused = new InMemoryPair(
      { trust: { kind: 'ask' }, serverName: 'issued.example', now: () => TEST_NOW, random: seededRandom('paused c') },
      { ...sendingWhatItSigns(signingWithAnotherKey(genuine.chain, attacker.privateKey, random)), now: () => TEST_NOW, random: seededRandom('paused s') },
    ).run();
    const pending = paused.client.pendingDecision;
    expect(pending?.kind === 'verify-peer' && pending.chain.map(sha256)).toEqual([sha256(genuine.der)]);
    // Meanwhile another connection of the process meets the same certificate through a key-swapping provider.
    expect(connect(genuine, keySwapping(ed25519Key(genuine), ed25519Key(attacker))).client.isConnected).toBe(true);
    paused.client.resolve({ kind: 'verify-peer', verdict: { trusted: true } });
    paused.run();
    expect(paused.client.isConnected).toBe(false);
    expect(alerts([...paused.events('client'), ...paused.client.takeEvents()])).toEqual(['out decrypt_error']);
  });
});
