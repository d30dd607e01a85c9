// Our own keys get a precomputed table in the noble provider (crypto/own-key-tables.ts), a peer's never does: an
// attacker picks those, one per handshake, and each table costs milliseconds and tens of KiB. The verdicts
// are the same as without a table (ecdsa-malformed-signatures, eddsa-edge-vectors, eddsa-torsion-differential
// compare them case by case).
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { MAX_OWN_KEY_TABLES, ownKeyTablesHeld } from '../../src/crypto/own-key-tables.js';
import type { CryptoProvider, PublicKey, VerifyOptions } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { generateKeyPair } from '../../src/auth/builder.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex, utf8 } from '../../src/wire/bytes.js';

const random = seededRandom('own key tables');
const keyBytes = (key: PublicKey) => hex(key.kind === 'ecdsa' ? key.point : 'publicKey' in key ? key.publicKey : new Uint8Array(0));

describe('which keys the engine verifies as its own', () => {
  it('in an mTLS handshake, only our own certificates\' keys, each for the CertificateVerify it sends; the peer\'s never', () => {
    const server = makeIdentity({ subject: { CN: 'server' }, keyType: 'p256' }, random);
    const client = makeIdentity({ subject: { CN: 'client' }, keyType: 'ed448' }, random);
    const calls: { side: 'client' | 'server'; key: string; ownKey: boolean }[] = [];
    const recording = (side: 'client' | 'server'): CryptoProvider => ({
      ...nobleProvider,
      verify: (alg, key, message, signature, options?: VerifyOptions) => {
        calls.push({ side, key: keyBytes(key), ownKey: options?.ownKey === true });
        return nobleProvider.verify(alg, key, message, signature, options);
      },
    });
    const pins = { kind: 'pinned-key' as const, keys: [server.certificate.spki, client.certificate.spki] };
    const pair = new InMemoryPair(
      { trust: pins, now: () => TEST_NOW, random: seededRandom('c'), certificate: client, provider: recording('client') },
      { trust: pins, now: () => TEST_NOW, random: seededRandom('s'), certificate: server, clientAuth: 'require', provider: recording('server') },
    ).run();
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    const serverKey = keyBytes(nobleProvider.publicKeyOf(server.privateKey!));
    const clientKey = keyBytes(nobleProvider.publicKeyOf(client.privateKey!));
    // each side: its own key once as its own (before sending), the peer's once as a peer's (its CertificateVerify)
    expect(calls).toEqual(
      expect.arrayContaining([
        { side: 'server', key: serverKey, ownKey: true },
        { side: 'server', key: clientKey, ownKey: false },
        { side: 'client', key: serverKey, ownKey: false },
        { side: 'client', key: clientKey, ownKey: true },
      ]),
    );
    expect(calls.filter((c) => c.ownKey)).toEqual([
      { side: 'server', key: serverKey, ownKey: true },
      { side: 'client', key: clientKey, ownKey: true },
    ]);
  });
});

describe('the tables are bounded', () => {
  it(`keys beyond ${MAX_OWN_KEY_TABLES} get no table and push out none; each still verifies, and a wrong signature still fails`, () => {
    const message = utf8.encode('64 spaces, a context string, a zero byte and a transcript hash');
    for (let i = 0; i < MAX_OWN_KEY_TABLES + 4; i++) {
      const { privateKey } = generateKeyPair(i % 2 ? 'p256' : 'ed25519', random, nobleProvider);
      const alg = privateKey.kind === 'ecdsa' ? ({ kind: 'ecdsa', hash: 'sha256' } as const) : ({ kind: 'ed25519' } as const);
      const publicKey = nobleProvider.publicKeyOf(privateKey);
      const signature = nobleProvider.sign(alg, privateKey, message, random);
      expect(nobleProvider.verify(alg, publicKey, message, signature, { ownKey: true })).toBe(true);
      expect(nobleProvider.verify(alg, publicKey, utf8.encode('another transcript'), signature, { ownKey: true })).toBe(false);
      expect(ownKeyTablesHeld()).toBeLessThanOrEqual(MAX_OWN_KEY_TABLES);
    }
    expect(ownKeyTablesHeld()).toBe(MAX_OWN_KEY_TABLES);
  });
});
