// A CryptoProvider on node:crypto (OpenSSL): the same interface as the noble provider, many times faster.
// Synchronous APIs only, as the sans-I/O engine needs. Keys arrive as our raw structures (provider.ts) and
// become KeyObjects (JWK import for raw public values and key shares, our PKCS#8 for signing keys), cached
// per key object. The AEADs are in aead.ts.
//
// Not reproducible: OpenSSL draws ECDSA nonces and RSA-PSS salts itself and cannot take them from our
// RandomSource, so signatures from this provider differ from run to run even under fixedRandom/seededRandom
// (RFC 8448's byte-for-byte RSA-PSS CertificateVerify needs the noble provider; verifying it is fine here).
// Everything else that draws randomness (key shares) still draws it from the RandomSource the engine passes,
// except ML-KEM encapsulation on a Node with a native ML-KEM (24.7+), where OpenSSL draws the message itself.
// ML-DSA signatures are noble's (the noble provider's sign, verify and publicKeyOf): Node 20's OpenSSL 3.0
// has no ML-DSA, and one implementation gives one verdict on a peer's signature whichever provider runs.
import {
  constants,
  createDiffieHellman,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hash as oneShotHash,
  sign as nodeSign,
  verify as nodeVerify,
  type Hash,
  KeyObject,
} from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { i2osp, os2ip } from '../crypto/bigint.js';
import { BIGINT_FFDHE_ARITHMETIC, ffdheGroups, type FfdheArithmetic } from '../crypto/ffdhe.js';
import { keyExchangeGroups, type DiffieHellmanGroups, type MlKemPrimitives } from '../crypto/groups.js';
import type { DiffieHellmanGroup } from '../crypto/key-exchange.js';
import { NOBLE_ML_KEM, type MlKemPrimitive } from '../crypto/mlkem.js';
import { nobleProvider } from '../crypto/noble.js';
import { rsaPkcs1Sign, rsaPssSign, rsaSignatureLength } from '../crypto/rsa.js';
import { rsaPublicKeyOf, signatureKeyProblem } from '../crypto/signature-keys.js';
import type {
  CryptoProvider,
  CurveName,
  HashName,
  GroupName,
  HashState,
  PrivateKey,
  PublicKey,
  RandomSource,
  SignatureAlgorithm,
} from '../crypto/provider.js';
import {
  bigintBytes,
  bytesOfLatin1,
  ecPointJwk,
  ecPrivateKey,
  ecPublicPoint,
  JWK_CURVES,
  memoize,
  okpPrivateKey,
  okpPublicBytes,
  okpPublicKey,
  plain,
  privateKeyObject,
  publicKeyObject,
  sameMemory,
} from './key-objects.js';
// Empties the random pool when a V8 startup snapshot is written or started (src/node/snapshot.ts).
import './snapshot.js';
import { OneShotHmac } from './hmac.js';
import { aeadKeyLength, createAead } from './aead.js';

const HASH_LENGTHS: Readonly<Record<HashName, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/** digest() reads a copy of the OpenSSL context, so the running state stays usable. */
class NodeHashState implements HashState {
  constructor(private readonly state: Hash) {}
  update(data: Uint8Array): this {
    this.state.update(data);
    return this;
  }
  digest(output?: Uint8Array): Uint8Array {
    const text = this.state.copy().digest('binary');
    if (output === undefined) return bytesOfLatin1(text);
    if (output.length !== text.length) throw new Error(`digest: output must be ${text.length} bytes, got ${output.length}`);
    for (let i = 0; i < text.length; i++) output[i] = text.charCodeAt(i);
    return output;
  }
  clone(): HashState {
    return new NodeHashState(this.state.copy());
  }
}

const oneShotHmac = new OneShotHmac();

function hmac(hash: HashName, key: Uint8Array, data: Uint8Array, output?: Uint8Array): Uint8Array {
  return oneShotHmac.compute(hash, key, data, undefined, undefined, undefined, output);
}

/** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt is HashLen zeros, which HMAC pads to the same key. */
function hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmac(hash, salt, ikm);
}

/** RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), output the first `length` bytes of T(1) | T(2) | ... */
function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number, output?: Uint8Array): Uint8Array {
  const hashLength = HASH_LENGTHS[hash];
  if (length > 255 * hashLength) throw new Error(`HKDF-Expand: length ${length} exceeds 255 * HashLen`);
  // One block (every TLS 1.3 key, IV and secret): one HMAC, its first `length` bytes.
  if (length <= hashLength) return oneShotHmac.compute(hash, prk, info, undefined, 1, length, output);
  if (output !== undefined && output.length !== length) throw new Error(`HKDF-Expand: output must be ${length} bytes, got ${output.length}`);
  const okm = output ?? new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1, filled = 0; filled < length; i++) {
    previous = oneShotHmac.compute(hash, prk, previous, info, i);
    okm.set(previous.subarray(0, length - filled), filled);
    filled += previous.length;
  }
  return okm;
}

// --- Key exchange ---------------------------------------------------------------------------------

function exactLength(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (bytes.length !== length) throw new Error(`${what} must be ${length} bytes, got ${bytes.length}`);
  return bytes;
}

/**
 * The secret, or null when OpenSSL refuses the peer's value (off the curve, or an all-zero X25519/X448 result).
 * A private key not of this provider's making (noble's bytes, say) is the caller's mistake, not the peer's: a
 * TypeError, never the null that the engine answers with illegal_parameter (test/crypto/key-share-private-forms).
 */
function agree(group: GroupName, privateKey: unknown, makePeer: () => KeyObject): Uint8Array | null {
  if (!(privateKey instanceof KeyObject) || privateKey.type !== 'private') {
    throw new TypeError(`${group}: the private key is not one the node:crypto provider made (a private KeyObject)`);
  }
  try {
    return plain(diffieHellman({ privateKey, publicKey: makePeer() }));
  } catch {
    return null;
  }
}

/**
 * X25519 and X448 (RFC 7748 §5): any key-length bytes are a private key; clamping happens inside. The private
 * key is its KeyObject, made at once from the drawn bytes (OpenSSL computes the public value with it) and used
 * for the secret: nothing is keyed by the caller's array, which a RandomSource may refill and hand out again
 * (test/security/reused-random-buffer).
 */
function montgomeryGroup(group: 'x25519' | 'x448', crv: 'X25519' | 'X448', keyLength: number): DiffieHellmanGroup<KeyObject> {
  return {
    group,
    publicLength: keyLength,
    generatePrivateKey: (random) => okpPrivateKey(crv, exactLength(random(keyLength), keyLength, `${group} private key`)),
    publicKey: okpPublicBytes,
    sharedSecret(privateKey, peerPublic) {
      if (peerPublic.length !== keyLength) return null;
      // OpenSSL fails the derivation when the result is all zeros (RFC 7748 §6, RFC 8446 §7.4.2).
      return agree(group, privateKey, () => okpPublicKey(crv, peerPublic));
    },
  };
}

/** The order n of each curve's base point (SEC 2 §2.4.2, §2.5.1, §2.6.1). */
const CURVE_ORDERS: Readonly<Record<CurveName, bigint>> = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  'P-521':
    0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
};

/** An ECDHE key share: the private KeyObject and its public point, both made once from the scalar. */
interface EcdheShare {
  key: KeyObject;
  point: Uint8Array;
}

/** ECDHE over a NIST curve (RFC 8446 §4.2.8.2, §7.4.2). */
function ecdheGroup(group: 'secp256r1' | 'secp384r1' | 'secp521r1', curve: CurveName): DiffieHellmanGroup<EcdheShare> {
  const { length } = JWK_CURVES[curve];
  const order = CURVE_ORDERS[curve];
  return {
    group,
    publicLength: 1 + 2 * length,
    // A seed 1.5 times the order's length reduced into [1, n-1] (FIPS 186-5 A.2.1): every seed gives a
    // valid scalar, with a bias below 2^-64. The noble provider maps seeds the same way.
    generatePrivateKey(random) {
      const seed = random(length + length / 2);
      // os2ip/i2osp, not Buffer.from: a private scalar has no place in Node's shared Buffer pool.
      const d = i2osp((os2ip(seed) % (order - 1n)) + 1n, length);
      const point = ecPublicPoint(curve, d);
      const key = ecPrivateKey(curve, d, point);
      // Our bytes of the scalar go; the KeyObject (and the JWK string it was imported from) cannot be zeroed.
      d.fill(0);
      return { key, point };
    },
    publicKey: (share) => share.point,
    sharedSecret(share, peerPublic) {
      // Only the uncompressed form is allowed in TLS 1.3 (§4.2.8.2); the JWK import checks the point is
      // on the curve. The secret is the x-coordinate, as OpenSSL's ECDH derives it.
      if (peerPublic.length !== 1 + 2 * length || peerPublic[0] !== 0x04) return null;
      return agree(group, share?.key, () => createPublicKey({ key: ecPointJwk(curve, peerPublic), format: 'jwk' }));
    },
  };
}

/**
 * FFDHE exponentiations by OpenSSL's Diffie-Hellman (constant-time Montgomery exponentiation, three to six
 * times faster than bigint.ts): our exponent as the private key of a DH key over p with generator 2.
 * computeSecret checks the peer's value itself too (and throws); ffdhe.ts checks it first.
 */
function opensslDh(prime: bigint, exponent: bigint) {
  const dh = createDiffieHellman(bigintBytes(prime), 2);
  const privateKey = bigintBytes(exponent);
  dh.setPrivateKey(privateKey); // copied into OpenSSL: our bytes go at once (the bigint cannot be zeroed)
  privateKey.fill(0);
  return dh;
}

const OPENSSL_FFDHE_ARITHMETIC: FfdheArithmetic = {
  generatorPower: (prime, exponent) => BigInt(`0x${opensslDh(prime, exponent).generateKeys('hex')}`),
  power: (prime, base, exponent) => BigInt(`0x${opensslDh(prime, exponent).computeSecret(bigintBytes(base)).toString('hex')}`),
};

/**
 * OpenSSL 3.0 (Node 20, 22) sets up a DiffieHellman over an RFC 7919 prime at once; later versions (OpenSSL
 * 3.5 in Node 26) check the prime on every createDiffieHellman: measured 0.8 s for ffdhe2048, 4.6 s for
 * ffdhe3072, minutes for ffdhe8192, CPU a ClientHello could make us spend. There the bigint arithmetic runs.
 */
const FFDHE_ARITHMETIC = process.versions.openssl?.startsWith('3.0.') ? OPENSSL_FFDHE_ARITHMETIC : BIGINT_FFDHE_ARITHMETIC;

/** node:crypto's ML-KEM functions, which Node 20's types (and OpenSSL 3.0) do not have. */
interface NodeKem {
  encapsulate(key: KeyObject): { sharedKey: Buffer; ciphertext: Buffer };
  decapsulate(key: KeyObject, ciphertext: Buffer): Buffer;
}

/**
 * ML-KEM by OpenSSL 3.5 through node:crypto (Node 24.7 and later). The decapsulation key is kept as its
 * 64-byte seed d || z (FIPS 203 §7.1 allows that), imported as a 'raw-seed' key; keygen from the same seed
 * gives the same keys as noble. Encapsulation draws its message m inside OpenSSL, not from our RandomSource:
 * like ECDSA nonces here, server shares are not reproducible with this provider.
 */
function nodeMlKem(type: 'ml-kem-768' | 'ml-kem-1024', kem: NodeKem): MlKemPrimitive {
  // The seed as it is, not Buffer.from(seed): that copy would sit in Node's shared Buffer pool (test/node/native-mlkem).
  const decapsulationKey = memoize((seed: Uint8Array) => createPrivateKey({ key: sameMemory(seed), format: 'raw-seed', asymmetricKeyType: type } as never));
  return {
    keygen(drawn) {
      // A copy of our own: the memo is keyed by the array, which a RandomSource may refill and hand out again.
      const seed = drawn.slice();
      const publicKey = createPublicKey(decapsulationKey(seed)).export({ format: 'raw-public' } as never) as Buffer;
      return { publicKey: plain(publicKey), secretKey: seed };
    },
    encapsulate(publicKey) {
      const key = createPublicKey({ key: Buffer.from(publicKey), format: 'raw-public', asymmetricKeyType: type } as never);
      const { sharedKey, ciphertext } = kem.encapsulate(key);
      return { cipherText: plain(ciphertext), sharedSecret: plain(sharedKey) };
    },
    decapsulate: (cipherText, seed) => plain(kem.decapsulate(decapsulationKey(seed), Buffer.from(cipherText))),
  };
}

/** node:crypto's ML-KEM when the running Node has it, with seed import; noble's otherwise (Node 20). */
function availableMlKem(): MlKemPrimitives {
  const kem = nodeCrypto as unknown as Partial<NodeKem>;
  if (typeof kem.encapsulate !== 'function' || typeof kem.decapsulate !== 'function') return NOBLE_ML_KEM;
  const native = { 'ML-KEM-768': nodeMlKem('ml-kem-768', kem as NodeKem), 'ML-KEM-1024': nodeMlKem('ml-kem-1024', kem as NodeKem) };
  try {
    native['ML-KEM-768'].keygen(new Uint8Array(64));
    return native;
  } catch {
    return NOBLE_ML_KEM; // an ML-KEM without raw-seed keys
  }
}

/** The ML-KEM this provider's groups run (test/security/ephemeral-secrets watches it). */
export const NODE_ML_KEM = availableMlKem();

/** Which ML-KEM this provider runs: 'node:crypto' or 'noble'. */
export const NODE_PROVIDER_ML_KEM: 'node:crypto' | 'noble' = NODE_ML_KEM === NOBLE_ML_KEM ? 'noble' : 'node:crypto';

/** The Diffie-Hellman arithmetic of each group, the groups' own part (test/security/ephemeral-secrets watches it). */
export const NODE_DIFFIE_HELLMAN_GROUPS: DiffieHellmanGroups = {
  x25519: montgomeryGroup('x25519', 'X25519', 32),
  x448: montgomeryGroup('x448', 'X448', 56),
  secp256r1: ecdheGroup('secp256r1', 'P-256'),
  secp384r1: ecdheGroup('secp384r1', 'P-384'),
  secp521r1: ecdheGroup('secp521r1', 'P-521'),
  ...ffdheGroups(FFDHE_ARITHMETIC),
};

const KEY_EXCHANGES = keyExchangeGroups(NODE_DIFFIE_HELLMAN_GROUPS, NODE_ML_KEM);

// --- Signatures -----------------------------------------------------------------------------------

/** node's sign/verify options for an algorithm; the hash (null for EdDSA, which hashes internally). */
function signingOptions(alg: Exclude<SignatureAlgorithm, { kind: 'ml-dsa' }>): { hash: HashName | null; options: { dsaEncoding?: 'der'; padding?: number; saltLength?: number } } {
  switch (alg.kind) {
    case 'ed25519':
    case 'ed448':
      return { hash: null, options: {} };
    case 'ecdsa':
      return { hash: alg.hash, options: { dsaEncoding: 'der' } };
    case 'rsa-pkcs1':
      return { hash: alg.hash, options: { padding: constants.RSA_PKCS1_PADDING } };
    case 'rsa-pss':
      // MGF1 over the same hash is OpenSSL's default for PSS.
      return { hash: alg.hash, options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength } };
  }
}

/**
 * OpenSSL draws the RSA-PSS salt and the ECDSA nonce itself: `random` is used only for an RSA key without
 * its primes, which goes to our bigint RSA instead.
 */
function sign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, random: RandomSource): Uint8Array {
  if (alg.kind === 'ml-dsa' || key.kind === 'ml-dsa') return nobleProvider.sign(alg, key, message, random);
  const problem = signatureKeyProblem(alg, key);
  if (problem) throw new Error(problem);
  const keyObject = privateKeyObject(key);
  if (keyObject === null && (key.kind === 'rsa' || key.kind === 'rsa-pss')) {
    if (alg.kind === 'rsa-pss') return rsaPssSign(key, alg.hash, message, alg.saltLength, random);
    if (alg.kind === 'rsa-pkcs1') return rsaPkcs1Sign(key, alg.hash, message);
  }
  const { hash, options } = signingOptions(alg);
  return plain(nodeSign(hash, message, { key: keyObject!, ...options }));
}

function verify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (alg.kind === 'ml-dsa' || key.kind === 'ml-dsa') return nobleProvider.verify(alg, key, message, signature);
  if (signatureKeyProblem(alg, key)) return false;
  // RFC 8017 §8.1.2 step 1: exactly k octets. OpenSSL checks it for PKCS#1 v1.5 only; for PSS it took a
  // signature without its leading zero octets (test/crypto/rsa-signature-length.test.ts).
  if ((key.kind === 'rsa' || key.kind === 'rsa-pss') && signature.length !== rsaSignatureLength(key)) return false;
  try {
    const { hash, options } = signingOptions(alg);
    return nodeVerify(hash, message, { key: publicKeyObject(key), ...options }, signature);
  } catch {
    return false; // malformed signature or key
  }
}

function publicKeyOf(key: PrivateKey): PublicKey {
  switch (key.kind) {
    case 'ed25519':
      return { kind: 'ed25519', publicKey: okpPublicBytes(privateKeyObject(key)!) };
    case 'ed448':
      return { kind: 'ed448', publicKey: okpPublicBytes(privateKeyObject(key)!) };
    case 'ecdsa':
      return { kind: 'ecdsa', curve: key.curve, point: ecPublicPoint(key.curve, key.d) };
    case 'rsa':
    case 'rsa-pss':
      return rsaPublicKeyOf(key);
    case 'ml-dsa':
      return nobleProvider.publicKeyOf(key);
  }
}

/** Frozen: every connection made without a provider of its own shares it (a plugin that replaced its `verify` would change them all). */
export const nodeCryptoProvider: CryptoProvider = Object.freeze<CryptoProvider>({
  name: 'node:crypto',
  hashLength: (hash) => HASH_LENGTHS[hash],
  // crypto.hash (Node 20.12+) digests without a Hash object and its stream machinery.
  hash: (hash, data) => bytesOfLatin1(oneShotHash(hash, data, 'binary')),
  createHash: (hash) => new NodeHashState(createHash(hash)),
  hmac,
  hkdfExtract,
  hkdfExpand,
  aeadKeyLength,
  createAead,
  keyExchange: (group) => KEY_EXCHANGES[group],
  sign,
  verify,
  publicKeyOf,
});
