// Attacker's script against the node provider's cache of imported peer keys (src/node/key-objects.ts): the
// cache files a KeyObject by the key's content, copied, so that a caller who reuses a key's buffer cannot
// alias a cached key. A memo in front of it, keyed by the PublicKey object alone, answered for the object
// whatever its bytes had become: after the bytes were changed in place, the old key's signatures still
// verified and the new key's did not. The noble provider reads the bytes every time; both must agree.
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, PublicKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { utf8 } from '../../src/wire/bytes.js';

const random = seededRandom('peer key cache attacker');
const message = utf8.encode('TLS 1.3, server CertificateVerify');

describe.each([
  ['Ed25519', 'ed25519', { kind: 'ed25519' }],
  ['ECDSA P-256', 'p256', { kind: 'ecdsa', hash: 'sha256' }],
] as const)('%s: one PublicKey object whose bytes are replaced in place', (_name, type, alg: SignatureAlgorithm) => {
  const alice = generateKeyPair(type, random, nobleProvider).privateKey;
  const mallory = generateKeyPair(type, random, nobleProvider).privateKey;
  const bytesOf = (key: PublicKey) => (key.kind === 'ecdsa' ? key.point : key.kind === 'ed25519' ? key.publicKey : new Uint8Array(0));
  const aliceSigned = nobleProvider.sign(alg, alice, message, random);
  const mallorySigned = nobleProvider.sign(alg, mallory, message, random);

  it.each([
    ['noble', nobleProvider],
    ['node:crypto', nodeCryptoProvider],
  ] as const)('%s verifies with the bytes it holds now, not the ones it held when first asked', (_provider, provider: CryptoProvider) => {
    const key = structuredClone(nobleProvider.publicKeyOf(alice));
    expect(provider.verify(alg, key, message, aliceSigned)).toBe(true);
    bytesOf(key).set(bytesOf(nobleProvider.publicKeyOf(mallory)));
    expect(provider.verify(alg, key, message, aliceSigned)).toBe(false);
    expect(provider.verify(alg, key, message, mallorySigned)).toBe(true);
  });
});
