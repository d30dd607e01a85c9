// Red team, session 18 (issue 16: the node provider imports keys once, keeps HMAC and cipher state, pools work).
// Attacker's script against any provider memo keyed by the identity of an array or key object: the engine and its
// callers reuse memory (a secret wiped and its array refilled, a receive buffer holding the next peer's key, a
// scratch label buffer), so an answer must always be for the bytes the array holds at the call, never for what
// it held when a memo was filled. Each call is compared with noble on fresh copies of the same bytes; and an
// AEAD key made before the refill keeps the key it was made with (it holds its own copy, RecordProtection).
// Every case runs with the caller's bytes in a Uint8Array and in a Buffer, whose slice() is a view, not a copy:
// found here (red team, session 18), each on main before its fix:
// - noble's AEAD keys (createAead, and AES-CCM's) kept a view of a Buffer key as their "private copy": the
//   caller refilling or wiping its Buffer changed the key of an AEAD already made, and the AEAD's wipe() zeroed
//   the caller's memory;
// - the node provider's private-key memo kept a view of a Buffer seed or scalar as "what it imported": a key
//   refilled in place compared equal to itself, and the provider went on signing with the old key (also after
//   the caller zeroed it); its peer-key cache filed a view of a Buffer public key as the key's value.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesCcm } from '../../src/crypto/ccm.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { AeadName, CryptoProvider, HashName, PrivateKey, PublicKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { hex } from '../../src/wire/bytes.js';

const HASHES: HashName[] = ['sha256', 'sha384'];
const AEADS: AeadName[] = ['AES-128-GCM', 'AES-256-GCM', 'ChaCha20-Poly1305', 'AES-128-CCM'];
const PROVIDERS = [
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as const;

/** `array` with other random bytes, in place; returns it. */
const fresh = (n: number) => new Uint8Array(randomBytes(n));
/** Where the caller holds its bytes: its own array, or a Buffer (Node's usual bytes). */
const HOLDERS = [
  ['a Uint8Array', (bytes: Uint8Array) => Uint8Array.from(bytes)],
  ['a Buffer', (bytes: Uint8Array) => Buffer.from(bytes)],
] as const;
const refill = (array: Uint8Array) => {
  array.set(randomBytes(array.length));
  return array;
};

describe.each(PROVIDERS)('%s answers for the bytes an array holds at the call', (_, provider: CryptoProvider) => {
  it.each(HASHES)('hmac, hkdfExtract, hkdfExpand, hash (%s): the same key, salt, input and info arrays refilled between calls', (hash) => {
    const key = fresh(48);
    const data = fresh(100);
    const info = fresh(30);
    for (let round = 0; round < 4; round++) {
      expect(hex(provider.hmac(hash, key, data))).toBe(hex(nobleProvider.hmac(hash, key.slice(), data.slice())));
      expect(hex(provider.hkdfExtract(hash, key, data))).toBe(hex(nobleProvider.hkdfExtract(hash, key.slice(), data.slice())));
      expect(hex(provider.hkdfExpand(hash, key, info, 80))).toBe(hex(nobleProvider.hkdfExpand(hash, key.slice(), info.slice(), 80)));
      expect(hex(provider.hash(hash, data))).toBe(hex(nobleProvider.hash(hash, data.slice())));
      // A secret wiped between two uses of its array: the answer is the zeros', not the secret's.
      if (round === 2) key.fill(0);
      else refill(key);
      refill(data);
      refill(info);
    }
  });

  it.each(AEADS.flatMap((aead) => HOLDERS.map(([holder, hold]) => [aead, holder, hold] as const)))('%s, the key in %s: a key made from it, the array refilled, a key made again: each seals and opens under its own bytes', (aead, _, hold) => {
    const raw = hold(fresh(provider.aeadKeyLength(aead)));
    const nonce = fresh(12);
    const aad = fresh(5);
    const plaintext = fresh(1000);
    const firstBytes = Uint8Array.from(raw);
    const first = provider.createAead(aead, raw);
    refill(raw);
    const second = provider.createAead(aead, raw);
    const expectedFirst = nobleProvider.createAead(aead, firstBytes).seal(nonce, aad, plaintext);
    const expectedSecond = nobleProvider.createAead(aead, Uint8Array.from(raw)).seal(nonce, aad, plaintext);
    expect(hex(first.seal(nonce, aad, plaintext))).toBe(hex(expectedFirst));
    expect(hex(second.seal(nonce, aad, plaintext))).toBe(hex(expectedSecond));
    expect(first.open(nonce, aad, expectedSecond)).toBeNull();
    expect(hex(second.open(nonce, aad, expectedSecond)!)).toBe(hex(plaintext));
    // The raw key wiped by its owner after the AEAD was made: the AEAD still holds its key.
    raw.fill(0);
    expect(hex(second.seal(nonce, aad, plaintext))).toBe(hex(expectedSecond));
  });

  it.each(HOLDERS)('verify: one public key object whose bytes (in %s) are refilled with another key in place is judged by its bytes now', (_, hold) => {
    const random = seededRandom('provider refilled arrays');
    const cases: Array<[SignatureAlgorithm, () => PrivateKey]> = [
      [{ kind: 'ed25519' }, () => ({ kind: 'ed25519', seed: random(32) })],
      [{ kind: 'ecdsa', hash: 'sha256' }, () => ({ kind: 'ecdsa', curve: 'P-256', d: nobleProvider.keyExchange('secp256r1').generate(random).privateKey as Uint8Array })],
    ];
    const message = fresh(64);
    for (const [alg, makeKey] of cases) {
      const [a, b] = [makeKey(), makeKey()];
      const [signedByA, signedByB] = [a, b].map((key) => nobleProvider.sign(alg, key, message, random));
      const [publicA, publicB] = [a, b].map((key) => nobleProvider.publicKeyOf(key));
      const held = { ...publicA! } as PublicKey & { publicKey?: Uint8Array; point?: Uint8Array };
      const bytes = (key: PublicKey) => ('publicKey' in key ? key.publicKey : (key as { point: Uint8Array }).point);
      const array = hold(bytes(publicA!));
      if ('publicKey' in held) held.publicKey = array;
      else held.point = array;
      expect(provider.verify(alg, held, message, signedByA!)).toBe(true);
      array.set(bytes(publicB!));
      expect(provider.verify(alg, held, message, signedByA!)).toBe(false);
      expect(provider.verify(alg, held, message, signedByB!)).toBe(true);
      array.set(bytes(publicA!));
      expect(provider.verify(alg, held, message, signedByB!)).toBe(false);
      expect(provider.verify(alg, held, message, signedByA!)).toBe(true);
    }
  });

  it.each(HOLDERS)('verify: a key held in %s, refilled with another that ends in the same four bytes, vouches for nothing the other connection shows', (holder, hold) => {
    // The node provider files imported peer keys by their last four bytes and compares the whole value: a value
    // kept as a view of the first caller's memory becomes the second key once that memory is refilled, and the
    // first key's KeyObject then answers for a second caller holding the second key in arrays of its own.
    // Keys of this case alone: the cache is the process's, and one filed by another case would be found first.
    const random = seededRandom(`provider refilled arrays: same bucket, ${holder}, ${provider === nobleProvider ? 'noble' : 'node'}`);
    const message = fresh(64);
    const a: PrivateKey = { kind: 'ed25519', seed: random(32) };
    const signedByA = nobleProvider.sign({ kind: 'ed25519' }, a, message, random);
    const publicA = (nobleProvider.publicKeyOf(a) as { publicKey: Uint8Array }).publicKey;
    const publicB = Uint8Array.from(publicA);
    publicB[0] ^= 0x01; // another key, filed with A (same last four bytes)
    const held = hold(publicA);
    expect(provider.verify({ kind: 'ed25519' }, { kind: 'ed25519', publicKey: held }, message, signedByA)).toBe(true);
    held.set(publicB);
    expect(provider.verify({ kind: 'ed25519' }, { kind: 'ed25519', publicKey: Uint8Array.from(publicB) }, message, signedByA)).toBe(false);
  });

  it.each(HOLDERS)('sign: one private key object whose secret (in %s) is refilled in place, then zeroed, signs with the secret it holds now', (_, hold) => {
    const random = seededRandom('provider refilled private keys');
    const message = fresh(64);
    const p256 = () => nobleProvider.keyExchange('secp256r1').generate(random).privateKey as Uint8Array;
    const cases: Array<[SignatureAlgorithm, (secret: Uint8Array) => PrivateKey, () => Uint8Array]> = [
      [{ kind: 'ed25519' }, (seed) => ({ kind: 'ed25519', seed }), () => random(32)],
      [{ kind: 'ecdsa', hash: 'sha256' }, (d) => ({ kind: 'ecdsa', curve: 'P-256', d }), p256],
    ];
    for (const [alg, keyOf, secret] of cases) {
      const [before, after] = [secret(), secret()];
      const held = hold(before);
      const key = keyOf(held);
      const publicOf = (bytes: Uint8Array) => nobleProvider.publicKeyOf(keyOf(Uint8Array.from(bytes)));
      expect(nobleProvider.verify(alg, publicOf(before), message, provider.sign(alg, key, message, random))).toBe(true);
      held.set(after);
      const signature = provider.sign(alg, key, message, random);
      expect(nobleProvider.verify(alg, publicOf(after), message, signature)).toBe(true);
      expect(nobleProvider.verify(alg, publicOf(before), message, signature)).toBe(false);
      // Zeroed by its owner: no longer a key to sign with, whatever was made of it before.
      held.fill(0);
      let made: Uint8Array | undefined;
      try {
        made = provider.sign(alg, key, message, random);
      } catch {
        made = undefined; // an all-zero ECDSA scalar is no key: refused
      }
      expect(made !== undefined && nobleProvider.verify(alg, publicOf(after), message, made)).toBe(false);
    }
  });
});

describe('AES-CCM (ccm.ts, under noble) made from a key in a Buffer', () => {
  it.each(HOLDERS)('keeps its key when the caller refills or wipes its %s', (_, hold) => {
    const key = fresh(16);
    const held = hold(key);
    const ccm = aesCcm(held, 16);
    held.fill(0);
    const [nonce, aad, plaintext] = [fresh(12), fresh(5), fresh(100)];
    expect(hex(ccm.seal(nonce, aad, plaintext))).toBe(hex(aesCcm(key, 16).seal(nonce, aad, plaintext)));
  });
});
