// Attacker's script against the node provider's KeyObjects of our own private keys (src/node/key-objects.ts):
// a memo keyed by the PrivateKey object answered for the object whatever its content had become, so after a
// caller replaced the key in place (a key buffer reloaded, a rotated key written into the same object), the
// node provider went on signing with the old key while the noble provider signed with the new one. A cached
// KeyObject must answer only for the key as it is now, in every provider alike.
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, PrivateKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { utf8 } from '../../src/wire/bytes.js';
import { nodeKey } from '../auth/helpers.js';

const random = seededRandom('private key cache attacker');
const message = utf8.encode('TLS 1.3, server CertificateVerify');

/** Writes `to`'s content into `key`, as a caller that reuses its key object would: bytes in place, fields reassigned. */
function replaceInPlace(key: PrivateKey, to: PrivateKey): void {
  if (key.kind === 'ed25519' && to.kind === 'ed25519') key.seed.set(to.seed);
  else if (key.kind === 'ecdsa' && to.kind === 'ecdsa') key.d.set(to.d);
  else Object.assign(key, to);
}

const cases: Array<[string, () => PrivateKey, SignatureAlgorithm]> = [
  ['Ed25519', () => generateKeyPair('ed25519', random, nobleProvider).privateKey, { kind: 'ed25519' }],
  ['ECDSA P-256', () => generateKeyPair('p256', random, nobleProvider).privateKey, { kind: 'ecdsa', hash: 'sha256' }],
  ['RSA-2048', () => nodeKey('rsa2048').privateKey, { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }],
];

describe.each(cases)('%s: one PrivateKey object whose content is replaced', (_name, makeKey, alg) => {
  const alice = makeKey();
  const mallory = makeKey();

  it.each([
    ['noble', nobleProvider],
    ['node:crypto', nodeCryptoProvider],
  ] as const)('%s signs with the key it holds now, not the one it held when first asked', (_provider, provider: CryptoProvider) => {
    const key = structuredClone(alice);
    const first = provider.sign(alg, key, message, random);
    expect(nobleProvider.verify(alg, nobleProvider.publicKeyOf(alice), message, first)).toBe(true);
    replaceInPlace(key, mallory);
    const second = provider.sign(alg, key, message, random);
    expect(nobleProvider.verify(alg, nobleProvider.publicKeyOf(mallory), message, second)).toBe(true);
    expect(nobleProvider.verify(alg, nobleProvider.publicKeyOf(alice), message, second)).toBe(false);
    expect(provider.publicKeyOf(key)).toEqual(nobleProvider.publicKeyOf(mallory));
  });
});
