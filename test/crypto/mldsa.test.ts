// ML-DSA keys and signatures below the handshake: both providers sign with noble's ML-DSA (the same bytes from
// the same RandomSource), a key signs in its own parameter set only, and RFC 9881's PKCS#8 and SPKI forms are
// read strictly.
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { der } from '../../src/auth/der-writer.js';
import { encodePkcs8, encodeSpki, KeyError, loadPrivateKey, parsePkcs8, parseSpki } from '../../src/auth/keys.js';
import { OID } from '../../src/auth/oids.js';
import { ML_DSA_SIZES, mlDsaExpandedKey } from '../../src/crypto/mldsa.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { MlDsaParameterSet, PrivateKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';

const SETS = [
  { set: 'ML-DSA-44', type: 'ml-dsa-44', oid: OID.idMlDsa44 },
  { set: 'ML-DSA-65', type: 'ml-dsa-65', oid: OID.idMlDsa65 },
  { set: 'ML-DSA-87', type: 'ml-dsa-87', oid: OID.idMlDsa87 },
] as const;
const message = new TextEncoder().encode('TLS 1.3, server CertificateVerify');

describe.each(SETS)('$set', ({ set, type, oid }) => {
  const key = generateKeyPair(type, seededRandom(set), nobleProvider).privateKey as Extract<PrivateKey, { kind: 'ml-dsa' }>;
  const alg: SignatureAlgorithm = { kind: 'ml-dsa', parameterSet: set };
  const sizes = ML_DSA_SIZES[set];

  it('signs and verifies in both providers, with the same signature from the same randomness (noble in both)', () => {
    const publicKey = nobleProvider.publicKeyOf(key);
    expect(nodeCryptoProvider.publicKeyOf(key)).toEqual(publicKey);
    const noble = nobleProvider.sign(alg, key, message, seededRandom('rnd'));
    const node = nodeCryptoProvider.sign(alg, key, message, seededRandom('rnd'));
    expect(noble).toHaveLength(sizes.signature);
    expect(node).toEqual(noble);
    for (const provider of [nobleProvider, nodeCryptoProvider]) {
      expect(provider.verify(alg, publicKey, message, noble)).toBe(true);
      expect(provider.verify(alg, publicKey, message.subarray(1), noble)).toBe(false);
    }
  });

  it('signs with the key its seed holds now: a seed written over in place is expanded again', () => {
    const other = generateKeyPair(type, seededRandom(`${set} other`), nobleProvider).privateKey as Extract<PrivateKey, { kind: 'ml-dsa' }>;
    const mine = { ...key, seed: new Uint8Array(key.seed) };
    expect(nobleProvider.verify(alg, nobleProvider.publicKeyOf(key), message, nobleProvider.sign(alg, mine, message, seededRandom('rnd')))).toBe(true);
    mine.seed.set(other.seed);
    const signature = nobleProvider.sign(alg, mine, message, seededRandom('rnd'));
    expect(nobleProvider.verify(alg, nobleProvider.publicKeyOf(other), message, signature)).toBe(true);
    expect(nobleProvider.verify(alg, nobleProvider.publicKeyOf(key), message, signature)).toBe(false);
  });

  it('hedges: other randomness, another signature, both valid (FIPS 204 §3.4)', () => {
    const [a, b] = [nobleProvider.sign(alg, key, message, seededRandom('a')), nobleProvider.sign(alg, key, message, seededRandom('b'))];
    expect(a).not.toEqual(b);
    expect(nobleProvider.verify(alg, nobleProvider.publicKeyOf(key), message, b)).toBe(true);
  });

  it('refuses to sign or verify in another parameter set, in both providers', () => {
    const otherSet: MlDsaParameterSet = set === 'ML-DSA-44' ? 'ML-DSA-65' : 'ML-DSA-44';
    const other: SignatureAlgorithm = { kind: 'ml-dsa', parameterSet: otherSet };
    const signature = nobleProvider.sign(alg, key, message, seededRandom('rnd'));
    for (const provider of [nobleProvider, nodeCryptoProvider]) {
      expect(() => provider.sign(other, key, message, seededRandom('rnd'))).toThrow(`an ${set} key cannot make ${otherSet} signatures`);
      expect(provider.verify(other, nobleProvider.publicKeyOf(key), message, signature)).toBe(false);
      expect(provider.verify({ kind: 'ed25519' }, nobleProvider.publicKeyOf(key), message, signature)).toBe(false);
    }
  });

  it('writes RFC 9881 forms: SPKI with the raw key and no parameters, PKCS#8 with the 32-byte seed [0]', () => {
    const publicKey = nobleProvider.publicKeyOf(key);
    const spki = encodeSpki(publicKey);
    expect(spki).toEqual(der.sequence(der.sequence(der.oid(oid)), der.bitString(publicKey.kind === 'ml-dsa' ? publicKey.publicKey : new Uint8Array())));
    expect(parseSpki(spki)).toEqual(publicKey);
    const pkcs8 = encodePkcs8(key);
    expect(pkcs8).toEqual(der.sequence(der.integer(0), der.sequence(der.oid(oid)), der.octetString(der.implicit(0, key.seed))));
    expect(parsePkcs8(pkcs8)).toEqual(key);
  });

  const pkcs8 = (privateKey: Uint8Array, algorithm = der.sequence(der.oid(oid))) => der.sequence(der.integer(0), algorithm, der.octetString(privateKey));

  it('reads the "both" form when its expandedKey is the one its seed makes, and refuses it otherwise', () => {
    const expanded = mlDsaExpandedKey(set, key.seed);
    expect(expanded).toHaveLength(sizes.expandedKey);
    expect(parsePkcs8(pkcs8(der.sequence(der.octetString(key.seed), der.octetString(expanded))))).toEqual(key);
    const otherExpanded = mlDsaExpandedKey(set, new Uint8Array(32).fill(7));
    expect(() => parsePkcs8(pkcs8(der.sequence(der.octetString(key.seed), der.octetString(otherExpanded))))).toThrow(/expandedKey is not the one its seed makes/);
  });

  it('refuses an expandedKey alone, a seed of another length, and parameters in the AlgorithmIdentifier', () => {
    expect(() => parsePkcs8(pkcs8(der.octetString(mlDsaExpandedKey(set, key.seed))))).toThrow(/holds only the expandedKey/);
    expect(() => parsePkcs8(pkcs8(der.implicit(0, key.seed.subarray(1))))).toThrow(/seed has 31 bytes, expected 32/);
    expect(() => parsePkcs8(pkcs8(der.implicit(0, key.seed), der.sequence(der.oid(oid), der.null())))).toThrow(KeyError);
    expect(() => parseSpki(der.sequence(der.sequence(der.oid(oid), der.null()), der.bitString(new Uint8Array(sizes.publicKey))))).toThrow(/must not carry parameters/);
  });

  it('loads its PEM', () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(encodePkcs8(key)).toString('base64')}\n-----END PRIVATE KEY-----\n`;
    expect(loadPrivateKey(pem)).toEqual(key);
  });
});
