// The node:crypto provider against the noble provider, an independent implementation of every primitive:
// equal outputs where the primitive is deterministic, and signatures made by one verified by the other.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { FFDHE_PARAMETERS } from '../../src/crypto/ffdhe.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { AeadName, HashName, PrivateKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { resolveCommon } from '../../src/handshake/config.js';
import { IMPLEMENTED_GROUPS } from '../../src/handshake/negotiation.js';
import { nodeCryptoProvider as node } from '../../src/node/crypto.js';
import { OneShotHmac } from '../../src/node/hmac.js';
import { asPssKey, rsaTestKey } from '../../src/testing/rsa-keys.js';
import { utf8 } from '../../src/wire/bytes.js';
import { describeSealInto } from '../crypto/aead-seal-into.js';

const HASHES: HashName[] = ['sha1', 'sha256', 'sha384', 'sha512'];
const AEADS: AeadName[] = ['AES-128-GCM', 'AES-256-GCM', 'ChaCha20-Poly1305', 'AES-128-CCM', 'AES-128-CCM-8'];
const GROUPS = IMPLEMENTED_GROUPS;
const random = seededRandom('node crypto provider');

/** A plain Uint8Array with the same bytes, so a Buffer in disguise would fail `toStrictEqual`. */
const bytes = (data: Uint8Array) => new Uint8Array(data);

describe('hashes, HMAC and HKDF', () => {
  it.each(HASHES)('hashes %s like noble, in one shot and incrementally, and reads a digest without finalizing', (hash) => {
    for (const length of [0, 1, 55, 64, 1000]) {
      const data = random(length);
      expect(node.hash(hash, data)).toStrictEqual(bytes(nobleProvider.hash(hash, data)));
    }
    expect(node.hashLength(hash)).toBe(nobleProvider.hashLength(hash));
    const [a, b] = [random(100), random(7)];
    const state = node.createHash(hash).update(a);
    const first = state.digest();
    expect(state.digest()).toStrictEqual(first);
    expect(first).toStrictEqual(bytes(nobleProvider.hash(hash, a)));
    const forked = state.clone().update(b);
    expect(forked.digest()).toStrictEqual(bytes(nobleProvider.createHash(hash).update(a).update(b).digest()));
    expect(state.digest()).toStrictEqual(first);
  });

  it.each(HASHES)('computes HMAC-%s and HKDF extract and expand like noble', (hash) => {
    const [key, data, ikm, info] = [random(13), random(200), random(32), random(20)];
    expect(node.hmac(hash, key, data)).toStrictEqual(bytes(nobleProvider.hmac(hash, key, data)));
    // Keys up to the block length are padded, longer ones hashed first (RFC 2104 §2): both sides of 64 and 128.
    for (const keyLength of [0, 63, 64, 65, 127, 128, 129, 300]) {
      const long = random(keyLength);
      const keyCopy = long.slice();
      expect(node.hmac(hash, long, data)).toStrictEqual(bytes(nobleProvider.hmac(hash, long, data)));
      expect(long).toStrictEqual(keyCopy);
    }
    for (const salt of [new Uint8Array(0), random(node.hashLength(hash))]) {
      expect(node.hkdfExtract(hash, salt, ikm)).toStrictEqual(bytes(nobleProvider.hkdfExtract(hash, salt, ikm)));
    }
    const prk = nobleProvider.hkdfExtract(hash, new Uint8Array(0), ikm);
    for (const length of [1, 12, node.hashLength(hash), node.hashLength(hash) + 1, 255 * node.hashLength(hash)]) {
      expect(node.hkdfExpand(hash, prk, info, length)).toStrictEqual(bytes(nobleProvider.hkdfExpand(hash, prk, info, length)));
    }
  });

  it.each(HASHES)('HMAC-%s from one-shot hashes: equal to createHmac for every input size, results of their own, nothing of the key left in its buffer', (hash) => {
    const hmac = new OneShotHmac();
    // Past the buffer's first size (512) too: it grows, and the grown buffer is zeroed as well.
    for (const [keyLength, dataLength] of [[32, 0], [48, 50], [0, 1], [200, 63], [64, 600], [129, 5000]] as const) {
      const [key, data, info] = [random(keyLength), random(dataLength), random(7)];
      const expected = new Uint8Array(createHmac(hash, key).update(data).digest());
      const result = hmac.compute(hash, key, data);
      expect(result).toStrictEqual(expected);
      expect(hmac.scratch.every((byte) => byte === 0)).toBe(true);
      // HKDF-Expand's block: data | info | counter, cut to a length.
      const block = hmac.compute(hash, key, data, info, 3, 12);
      expect(block).toStrictEqual(new Uint8Array(createHmac(hash, key).update(data).update(info).update(Uint8Array.of(3)).digest().subarray(0, 12)));
      expect(hmac.scratch.every((byte) => byte === 0)).toBe(true);
      // The first result shares memory with neither the buffer nor the next result.
      expect(result.buffer).not.toBe(hmac.scratch.buffer);
      expect(result).toStrictEqual(expected);
    }
  });

  it('refuses an HKDF output longer than 255 hash lengths (RFC 5869 §2.3)', () => {
    expect(() => node.hkdfExpand('sha256', random(32), new Uint8Array(0), 255 * 32 + 1)).toThrow(/255/);
  });
});

describe('AEAD', () => {
  it.each(AEADS)('seals %s like noble and opens what noble sealed', (aead) => {
    const key = random(node.aeadKeyLength(aead));
    expect(node.aeadKeyLength(aead)).toBe(nobleProvider.aeadKeyLength(aead));
    const [ours, theirs] = [node.createAead(aead, key), nobleProvider.createAead(aead, key)];
    // Node 20's OpenSSL cannot CCM-seal an empty plaintext (Node 26's can); a TLSInnerPlaintext is never empty.
    for (const length of aead.includes('CCM') ? [1, 16, 17, 16385] : [0, 1, 16, 17, 16385]) {
      const [nonce, aad, plaintext] = [random(12), random(5), random(length)];
      const sealed = ours.seal(nonce, aad, plaintext);
      expect(sealed).toStrictEqual(bytes(theirs.seal(nonce, aad, plaintext)));
      expect(ours.open(nonce, aad, sealed)).toStrictEqual(plaintext);
    }
  });

  it.each(AEADS)('returns null from %s open for a changed tag, body, AAD or nonce, and for a short input', (aead) => {
    const aeadKey = node.createAead(aead, random(node.aeadKeyLength(aead)));
    const [nonce, aad] = [random(12), random(5)];
    const sealed = aeadKey.seal(nonce, aad, utf8.encode('attack at dawn'));
    const flipped = (data: Uint8Array, at: number) => data.map((b, i) => (i === at ? b ^ 1 : b));
    expect(aeadKey.open(nonce, aad, flipped(sealed, sealed.length - 1))).toBeNull();
    expect(aeadKey.open(nonce, aad, flipped(sealed, 0))).toBeNull();
    expect(aeadKey.open(nonce, flipped(aad, 2), sealed)).toBeNull();
    expect(aeadKey.open(flipped(nonce, 11), aad, sealed)).toBeNull();
    expect(aeadKey.open(nonce, aad, sealed.subarray(0, 15))).toBeNull();
    expect(aeadKey.open(nonce.subarray(1), aad, sealed)).toBeNull();
  });

  it('refuses a key of the wrong length', () => {
    expect(() => node.createAead('AES-256-GCM', random(16))).toThrow(/32-byte key/);
  });

  it.each(AEADS)('keeps %s sealing under the key it was given when the caller later reuses that buffer', (aead) => {
    const key = random(node.aeadKeyLength(aead));
    const reference = nobleProvider.createAead(aead, key.slice());
    const aeadKey = node.createAead(aead, key);
    key.fill(0);
    const [nonce, aad, plaintext] = [random(12), random(5), random(17)];
    const sealed = aeadKey.seal(nonce, aad, plaintext);
    expect(sealed).toStrictEqual(bytes(reference.seal(nonce, aad, plaintext)));
    expect(aeadKey.open(nonce, aad, sealed)).toStrictEqual(plaintext);
  });
});

describe('key exchange', () => {
  it.each(GROUPS)('makes the same %s key pair, server share and shared secret as noble from the same randomness', (group) => {
    const [ours, theirs] = [node.keyExchange(group), nobleProvider.keyExchange(group)];
    expect(ours.group).toBe(group);
    expect(ours.shareLengths).toEqual(theirs.shareLengths);
    const replay = () => seededRandom(`${group} replay`);
    const client = ours.generate(replay());
    // Each provider holds its private key in its own form: noble's is made from the same randomness.
    const nobleClient = theirs.generate(replay());
    expect(client.share).toStrictEqual(bytes(nobleClient.share));
    const answer = ours.encapsulate(client.share, replay())!;
    const nobleAnswer = theirs.encapsulate(client.share, replay())!;
    expect(answer.share).toStrictEqual(bytes(nobleAnswer.share));
    expect(answer.sharedSecret).toStrictEqual(bytes(nobleAnswer.sharedSecret));
    expect(ours.decapsulate(client.privateKey, answer.share)).toStrictEqual(bytes(answer.sharedSecret));
    expect(theirs.decapsulate(nobleClient.privateKey, answer.share)).toStrictEqual(bytes(answer.sharedSecret));
  });

  it.each(GROUPS)('returns null for a %s peer value of the wrong length', (group) => {
    const exchange = node.keyExchange(group);
    const peer = nobleProvider.keyExchange(group).generate(random).share;
    expect(exchange.decapsulate(exchange.generate(random).privateKey, peer.subarray(1))).toBeNull();
    expect(exchange.encapsulate(peer.subarray(1), random)).toBeNull();
  });

  it('returns null for NIST points that are compressed or off the curve, as noble does', () => {
    for (const group of ['secp256r1', 'secp384r1', 'secp521r1'] as const) {
      const [ours, theirs] = [node.keyExchange(group), nobleProvider.keyExchange(group)];
      const { privateKey } = ours.generate(random);
      const noblePair = theirs.generate(random);
      const offCurve = noblePair.share.slice();
      offCurve[offCurve.length - 1]! ^= 1;
      const compressed = new Uint8Array(offCurve.length).fill(0x02, 0, 1);
      for (const bad of [offCurve, compressed]) {
        expect(ours.decapsulate(privateKey, bad)).toBeNull();
        expect(theirs.decapsulate(noblePair.privateKey, bad)).toBeNull();
        expect(ours.encapsulate(bad, random)).toBeNull();
      }
    }
  });

  it.each([
    ['x25519', 32],
    ['x448', 56],
  ] as const)('returns null for a %s low-order point whose secret is all zeros (RFC 8446 §7.4.2)', (group, length) => {
    const [exchange, noble] = [node.keyExchange(group), nobleProvider.keyExchange(group)];
    const { privateKey } = exchange.generate(random);
    const noblePrivateKey = noble.generate(random).privateKey;
    for (const lowOrder of [new Uint8Array(length), Uint8Array.of(1, ...new Uint8Array(length - 1))]) {
      expect(exchange.decapsulate(privateKey, lowOrder)).toBeNull();
      expect(exchange.encapsulate(lowOrder, random)).toBeNull();
      expect(noble.decapsulate(noblePrivateKey, lowOrder)).toBeNull();
    }
  });

  it.each(['ffdhe2048', 'ffdhe8192'] as const)('returns null for a %s value Y of 1 or p - 1, as noble does (RFC 8446 §4.2.8.1)', (group) => {
    const exchange = node.keyExchange(group);
    const { privateKey, share } = exchange.generate(random);
    const one = new Uint8Array(share.length).fill(1, share.length - 1);
    const pMinusOne = new Uint8Array(Buffer.from(FFDHE_PARAMETERS[group].prime.toString(16), 'hex'));
    pMinusOne[pMinusOne.length - 1]! -= 1;
    for (const bad of [one, pMinusOne]) {
      expect(exchange.decapsulate(privateKey, bad)).toBeNull();
      expect(exchange.encapsulate(bad, random)).toBeNull();
    }
  });
});

function rsaKey(): PrivateKey {
  const der = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' });
  return loadPrivateKey(new Uint8Array(der));
}

const RSA = rsaKey();
const KEYS: { name: string; key: PrivateKey; algorithms: SignatureAlgorithm[]; deterministic: boolean }[] = [
  { name: 'Ed25519', key: generateKeyPair('ed25519', random, nobleProvider).privateKey, algorithms: [{ kind: 'ed25519' }], deterministic: true },
  { name: 'ECDSA P-256', key: generateKeyPair('p256', random, nobleProvider).privateKey, algorithms: [{ kind: 'ecdsa', hash: 'sha256' }, { kind: 'ecdsa', hash: 'sha384' }], deterministic: false },
  { name: 'ECDSA P-384', key: generateKeyPair('p384', random, nobleProvider).privateKey, algorithms: [{ kind: 'ecdsa', hash: 'sha384' }, { kind: 'ecdsa', hash: 'sha256' }], deterministic: false },
  { name: 'RSA-2048 PSS', key: RSA, algorithms: [{ kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }, { kind: 'rsa-pss', hash: 'sha512', saltLength: 64 }], deterministic: false },
  { name: 'RSA-2048 PKCS#1', key: RSA, algorithms: [{ kind: 'rsa-pkcs1', hash: 'sha256' }, { kind: 'rsa-pkcs1', hash: 'sha1' }], deterministic: true },
  { name: 'Ed448', key: generateKeyPair('ed448', random, nobleProvider).privateKey, algorithms: [{ kind: 'ed448' }], deterministic: true },
  { name: 'ECDSA P-521', key: generateKeyPair('p521', random, nobleProvider).privateKey, algorithms: [{ kind: 'ecdsa', hash: 'sha512' }, { kind: 'ecdsa', hash: 'sha256' }], deterministic: false },
  { name: 'RSASSA-PSS-2048 without parameters', key: asPssKey(rsaTestKey()), algorithms: [{ kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }, { kind: 'rsa-pss', hash: 'sha384', saltLength: 20 }], deterministic: false },
  {
    name: 'RSASSA-PSS-2048 restricted to SHA-384',
    key: asPssKey(rsaTestKey(), { hash: 'sha384', minSaltLength: 48 }),
    algorithms: [{ kind: 'rsa-pss', hash: 'sha384', saltLength: 48 }, { kind: 'rsa-pss', hash: 'sha384', saltLength: 64 }],
    deterministic: false,
  },
];

describe.each(KEYS)('$name signatures', ({ key, algorithms, deterministic }) => {
  const publicKey = nobleProvider.publicKeyOf(key);
  const message = utf8.encode('TLS 1.3, server CertificateVerify');

  it('derives the same public key as noble', () => {
    expect(node.publicKeyOf(key)).toStrictEqual(publicKey);
  });

  it.each(algorithms)('verifies its own %o signatures with noble and noble\'s with itself', (alg) => {
    const ours = node.sign(alg, key, message, random);
    const theirs = nobleProvider.sign(alg, key, message, random);
    expect(nobleProvider.verify(alg, publicKey, message, ours)).toBe(true);
    expect(node.verify(alg, publicKey, message, theirs)).toBe(true);
    if (deterministic) expect(ours).toStrictEqual(bytes(theirs));
  });

  it.each(algorithms)('rejects %o signatures over another message, changed signatures and garbage without throwing', (alg) => {
    const signature = nobleProvider.sign(alg, key, message, random);
    const changed = signature.map((b, i) => (i === signature.length - 1 ? b ^ 1 : b));
    expect(node.verify(alg, publicKey, utf8.encode('another message'), signature)).toBe(false);
    expect(node.verify(alg, publicKey, message, changed)).toBe(false);
    expect(node.verify(alg, publicKey, message, new Uint8Array(0))).toBe(false);
    expect(node.verify(alg, publicKey, message, random(signature.length))).toBe(false);
  });
});

describe('peer keys imported once per key content', () => {
  // The provider shares one imported KeyObject between public keys with the same content (a pinned peer's
  // key arrives freshly parsed in every handshake). The attacker's hope: that a key cached for one peer
  // verifies what another key, or a look-alike of it, signed.
  const message = utf8.encode('CertificateVerify');
  const sameKind = (name: string) => KEYS.find((k) => k.name === name)!;
  const other = (kind: 'ed25519' | 'p256' | 'ed448') => generateKeyPair(kind, random, nobleProvider).privateKey;

  it.each([
    ['Ed25519', other('ed25519')],
    ['ECDSA P-256', other('p256')],
    ['Ed448', other('ed448')],
    ['RSA-2048 PKCS#1', rsaKey()],
  ] as const)('%s: a cached key verifies only its own signatures, a fresh copy of it included', (name, another) => {
    const { key, algorithms } = sameKind(name);
    const alg = algorithms[0]!;
    const signature = nobleProvider.sign(alg, key, message, random);
    const publicKey = nobleProvider.publicKeyOf(key);
    expect(node.verify(alg, publicKey, message, signature)).toBe(true);
    expect(node.verify(alg, structuredClone(publicKey), message, signature)).toBe(true);
    expect(node.verify(alg, nobleProvider.publicKeyOf(another), message, signature)).toBe(false);
    expect(node.verify(alg, nobleProvider.publicKeyOf(another), message, nobleProvider.sign(alg, another, message, random))).toBe(true);
  });

  it('keeps an RSA modulus with another exponent apart, and stays right after more keys than it caches', () => {
    const alg = { kind: 'rsa-pkcs1', hash: 'sha256' } as const;
    const publicKey = nobleProvider.publicKeyOf(RSA);
    if (publicKey.kind !== 'rsa') throw new Error('expected an RSA key');
    const signature = nobleProvider.sign(alg, RSA, message, random);
    expect(node.verify(alg, publicKey, message, signature)).toBe(true);
    expect(node.verify(alg, { ...publicKey, e: 3n }, message, signature)).toBe(false);
    const ed = KEYS[0]!.key;
    const edSignature = nobleProvider.sign({ kind: 'ed25519' }, ed, message, random);
    for (let i = 0; i < 300; i++) expect(node.verify({ kind: 'ed25519' }, { kind: 'ed25519', publicKey: random(32) }, message, edSignature)).toBe(false);
    expect(node.verify({ kind: 'ed25519' }, structuredClone(nobleProvider.publicKeyOf(ed)), message, edSignature)).toBe(true);
    expect(node.verify(alg, { ...publicKey }, message, signature)).toBe(true);
  });
  it.each([
    ['Ed25519', 0],
    ['ECDSA P-256', 40],
  ] as const)('%s: a key one byte away from a cached one (the cache files both together) does not borrow its KeyObject', (name, at) => {
    const { key, algorithms } = sameKind(name);
    const alg = algorithms[0]!;
    const signature = nobleProvider.sign(alg, key, message, random);
    const publicKey = nobleProvider.publicKeyOf(key);
    expect(node.verify(alg, publicKey, message, signature)).toBe(true);
    const flip = (bytes: Uint8Array) => bytes.map((b, i) => (i === at ? b ^ 1 : b));
    const lookAlike = publicKey.kind === 'ecdsa' ? { ...publicKey, point: flip(publicKey.point) } : publicKey.kind === 'ed25519' ? { ...publicKey, publicKey: flip(publicKey.publicKey) } : publicKey;
    expect(lookAlike).not.toStrictEqual(publicKey);
    expect(node.verify(alg, lookAlike, message, signature)).toBe(false);
  });

  it('keeps what it cached when the caller later changes the bytes of a key it gave', () => {
    // A view into a receive buffer reused for the next peer's key: changed in one byte, it files with the first.
    const key = other('ed25519');
    const signature = nobleProvider.sign({ kind: 'ed25519' }, key, message, random);
    const publicKey = nobleProvider.publicKeyOf(key);
    if (publicKey.kind !== 'ed25519') throw new Error('expected an Ed25519 key');
    const buffer = publicKey.publicKey.slice();
    expect(node.verify({ kind: 'ed25519' }, { kind: 'ed25519', publicKey: buffer }, message, signature)).toBe(true);
    buffer[0] ^= 1;
    expect(node.verify({ kind: 'ed25519' }, { kind: 'ed25519', publicKey: buffer }, message, signature)).toBe(false);
    buffer[0] ^= 1;
    expect(node.verify({ kind: 'ed25519' }, { kind: 'ed25519', publicKey: buffer }, message, signature)).toBe(true);
  });
});

describe('mismatched keys and algorithms', () => {
  it('refuses to verify with a key of another kind or a malformed public key, and never throws', () => {
    const ed = KEYS[0]!.key;
    const signature = nobleProvider.sign({ kind: 'ed25519' }, ed, utf8.encode('m'), random);
    expect(node.verify({ kind: 'ecdsa', hash: 'sha256' }, nobleProvider.publicKeyOf(ed), utf8.encode('m'), signature)).toBe(false);
    expect(node.verify({ kind: 'ed25519' }, { kind: 'ed25519', publicKey: random(31) }, utf8.encode('m'), signature)).toBe(false);
    expect(node.verify({ kind: 'ecdsa', hash: 'sha256' }, { kind: 'ecdsa', curve: 'P-256', point: random(65) }, utf8.encode('m'), signature)).toBe(false);
  });

  it('refuses to sign with a key of another kind', () => {
    expect(() => node.sign({ kind: 'ed25519' }, RSA, utf8.encode('m'), random)).toThrow(/rsa key cannot make ed25519/);
  });

  it('signs with an RSA key that lacks its primes (our bigint RSA), verifiable by node:crypto', () => {
    if (RSA.kind !== 'rsa') throw new Error('expected an RSA key');
    const { n, e, d } = RSA;
    const alg = { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 } as const;
    const signature = node.sign(alg, { kind: 'rsa', n, e, d }, utf8.encode('m'), random);
    expect(node.verify(alg, { kind: 'rsa', n, e }, utf8.encode('m'), signature)).toBe(true);
  });
});

describe('default provider of the test project', () => {
  // vitest.config.ts runs the suite twice: "noble" as is, "node-crypto" with the engine's default provider
  // resolved to nodeCryptoProvider; each project names the provider it expects.
  it('is the provider this vitest project promises, while an explicit nobleProvider stays noble', () => {
    expect(resolveCommon({}, 'client').provider.name).toBe(process.env.EXPECTED_DEFAULT_PROVIDER);
    expect(nobleProvider.name).toBe('noble');
  });
});

describeSealInto(node);
