// A CryptoProvider on node:crypto (OpenSSL): the same interface as the noble provider, many times faster.
// Synchronous APIs only, as the sans-I/O engine needs. Keys arrive as our raw structures (provider.ts) and
// become KeyObjects (JWK import for raw public values and key shares, our PKCS#8 for signing keys), cached
// per key object.
//
// Not reproducible: OpenSSL draws ECDSA nonces and RSA-PSS salts itself and cannot take them from our
// RandomSource, so signatures from this provider differ from run to run even under fixedRandom/seededRandom
// (RFC 8448's byte-for-byte RSA-PSS CertificateVerify needs the noble provider; verifying it is fine here).
// Everything else that draws randomness (key shares) still draws it from the RandomSource the engine passes,
// except ML-KEM encapsulation on a Node with a native ML-KEM (24.7+), where OpenSSL draws the message itself.
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createDiffieHellman,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  sign as nodeSign,
  verify as nodeVerify,
  type CipherCCMTypes,
  type CipherGCMTypes,
  type Hash,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { encodePkcs8 } from '../auth/keys.js';
import { BIGINT_FFDHE_ARITHMETIC, ffdheGroups, type FfdheArithmetic } from '../crypto/ffdhe.js';
import { keyExchangeGroups, type MlKemPrimitives } from '../crypto/groups.js';
import type { DiffieHellmanGroup } from '../crypto/key-exchange.js';
import { NOBLE_ML_KEM, type MlKemPrimitive } from '../crypto/mlkem.js';
import { rsaPkcs1Sign, rsaPssSign } from '../crypto/rsa.js';
import { rsaPublicKeyOf, signatureKeyProblem } from '../crypto/signature-keys.js';
import type {
  AeadKey,
  AeadName,
  CryptoProvider,
  CurveName,
  HashName,
  HashState,
  PrivateKey,
  PublicKey,
  RandomSource,
  SignatureAlgorithm,
} from '../crypto/provider.js';
import { AEAD_TAG_LENGTHS } from '../crypto/provider.js';

/** A Uint8Array view of a Buffer (no copy), so results look like every other provider's. */
function plain(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Big-endian bytes of a non-negative bigint, without leading zeros. */
function bigintBytes(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex');
}

/** As JWK's RSA members want them (RFC 7518 §6.3). */
function bigintBase64url(value: bigint): string {
  return bigintBytes(value).toString('base64url');
}

const HASH_LENGTHS: Readonly<Record<HashName, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/** digest() reads a copy of the OpenSSL context, so the running state stays usable. */
class NodeHashState implements HashState {
  constructor(private readonly state: Hash) {}
  update(data: Uint8Array): this {
    this.state.update(data);
    return this;
  }
  digest(): Uint8Array {
    return plain(this.state.copy().digest());
  }
  clone(): HashState {
    return new NodeHashState(this.state.copy());
  }
}

function hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return plain(createHmac(hash, key).update(data).digest());
}

/** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt is HashLen zeros, which HMAC pads to the same key. */
function hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmac(hash, salt, ikm);
}

const FIRST_BLOCK = Uint8Array.of(1);

/** RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), output the first `length` bytes of T(1) | T(2) | ... */
function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const hashLength = HASH_LENGTHS[hash];
  if (length > 255 * hashLength) throw new Error(`HKDF-Expand: length ${length} exceeds 255 * HashLen`);
  // One block (every TLS 1.3 key, IV and secret): one HMAC, its output as the result.
  if (length <= hashLength) return plain(createHmac(hash, prk).update(info).update(FIRST_BLOCK).digest()).subarray(0, length);
  const okm = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1, filled = 0; filled < length; i++) {
    previous = createHmac(hash, prk).update(previous).update(info).update(Uint8Array.of(i)).digest();
    okm.set(previous.subarray(0, length - filled), filled);
    filled += previous.length;
  }
  return okm;
}

const AEAD_CIPHERS: Readonly<Record<AeadName, { cipher: CipherGCMTypes | CipherCCMTypes | 'chacha20-poly1305'; keyLength: number }>> = {
  'AES-128-GCM': { cipher: 'aes-128-gcm', keyLength: 16 },
  'AES-256-GCM': { cipher: 'aes-256-gcm', keyLength: 32 },
  'ChaCha20-Poly1305': { cipher: 'chacha20-poly1305', keyLength: 32 },
  'AES-128-CCM': { cipher: 'aes-128-ccm', keyLength: 16 },
  'AES-128-CCM-8': { cipher: 'aes-128-ccm', keyLength: 16 },
};

const AEAD_NONCE_LENGTH = 12;

function createAead(aead: AeadName, key: Uint8Array): AeadKey {
  const { cipher, keyLength } = AEAD_CIPHERS[aead];
  if (key.length !== keyLength) throw new Error(`${aead} needs a ${keyLength}-byte key, got ${key.length}`);
  const secret = createSecretKey(key);
  const tagLength = AEAD_TAG_LENGTHS[aead];
  // The cast picks one overload: every cipher here takes authTagLength; CCM needs it (RFC 6655 §3: 16 or 8).
  // (node:crypto cannot CCM-seal an empty plaintext; a TLSInnerPlaintext always has its content type byte.)
  const options = { authTagLength: tagLength };
  return {
    seal(nonce, aad, plaintext) {
      if (nonce.length !== AEAD_NONCE_LENGTH) throw new Error(`${aead} needs a ${AEAD_NONCE_LENGTH}-byte nonce, got ${nonce.length}`);
      // CCM authenticates the message length first (RFC 3610 §2.2): node:crypto wants it with the AAD.
      const sealer = createCipheriv(cipher as 'aes-128-ccm', secret, nonce, options).setAAD(aad, { plaintextLength: plaintext.length });
      const body = sealer.update(plaintext);
      sealer.final(); // all four are stream modes: nothing is held back
      // Buffer.concat allocates without zero-filling: this copy is a measurable share of a 16 KiB record.
      return plain(Buffer.concat([body, sealer.getAuthTag()], body.length + tagLength));
    },
    open(nonce, aad, ciphertext) {
      if (nonce.length !== AEAD_NONCE_LENGTH || ciphertext.length < tagLength) return null;
      const bodyLength = ciphertext.length - tagLength;
      try {
        const opener = createDecipheriv(cipher as 'aes-128-ccm', secret, nonce, options)
          .setAuthTag(ciphertext.subarray(bodyLength))
          .setAAD(aad, { plaintextLength: bodyLength });
        const plaintext = opener.update(ciphertext.subarray(0, bodyLength));
        opener.final(); // throws when the tag does not verify
        return plain(plaintext);
      } catch {
        return null;
      }
    },
  };
}

// --- Key objects, built once per key structure ------------------------------------------------------


const JWK_CURVES: Readonly<Record<CurveName, { jwk: string; openssl: string; length: number }>> = {
  'P-256': { jwk: 'P-256', openssl: 'prime256v1', length: 32 },
  'P-384': { jwk: 'P-384', openssl: 'secp384r1', length: 48 },
  'P-521': { jwk: 'P-521', openssl: 'secp521r1', length: 66 },
};

/** Caches one derived value per key object; keys are immutable once made. */
function memoize<K extends object, V>(make: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = make(key)));
    return value;
  };
}

type OkpCurve = 'Ed25519' | 'Ed448' | 'X25519' | 'X448';

/**
 * The PKCS#8 encoding of an OKP private key up to its raw bytes (RFC 8410 §7: version 0, the algorithm OID,
 * then the key as an OCTET STRING inside the privateKey OCTET STRING).
 */
const OKP_PKCS8_PREFIXES: Readonly<Record<OkpCurve, string>> = {
  Ed25519: '302e020100300506032b657004220420',
  Ed448: '3047020100300506032b6571043b0439',
  X25519: '302e020100300506032b656e04220420',
  X448: '3046020100300506032b656f043a0438',
};

const OKP_PRIVATE_LENGTHS: Readonly<Record<OkpCurve, number>> = { Ed25519: 32, Ed448: 57, X25519: 32, X448: 56 };

function okpFromPkcs8(crv: OkpCurve, d: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([Buffer.from(OKP_PKCS8_PREFIXES[crv], 'hex'), d]), format: 'der', type: 'pkcs8' });
}

/** A JWK with an empty "x": Node 20 derives the public half from "d" itself; later versions refuse it. */
function okpFromJwk(crv: OkpCurve, d: Uint8Array): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv, d: base64url(d), x: '' }, format: 'jwk' });
}

/**
 * How this Node imports a raw OKP private key, found once per curve: from a JWK where that yields the same
 * key as PKCS#8 (Node 20, whose OpenSSL 3.0 DER decoders make PKCS#8 about 12x slower: one per key share,
 * docs/performance.md), from PKCS#8 otherwise (Node 26 refuses the JWK).
 */
function okpImporter(crv: OkpCurve): (crv: OkpCurve, d: Uint8Array) => KeyObject {
  const probe = new Uint8Array(OKP_PRIVATE_LENGTHS[crv]).fill(0x5a);
  try {
    const [viaJwk, viaPkcs8] = [okpFromJwk(crv, probe), okpFromPkcs8(crv, probe)];
    return viaJwk.equals(viaPkcs8) ? okpFromJwk : okpFromPkcs8;
  } catch {
    return okpFromPkcs8;
  }
}

const OKP_IMPORTERS: Readonly<Record<OkpCurve, (crv: OkpCurve, d: Uint8Array) => KeyObject>> = {
  Ed25519: okpImporter('Ed25519'),
  Ed448: okpImporter('Ed448'),
  X25519: okpImporter('X25519'),
  X448: okpImporter('X448'),
};

/** An OKP private key from its raw bytes; node derives the public half itself. */
function okpPrivateKey(crv: OkpCurve, d: Uint8Array): KeyObject {
  return OKP_IMPORTERS[crv](crv, d);
}

function okpPublicKey(crv: OkpCurve, x: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv, x: base64url(x) }, format: 'jwk' });
}

/** The raw public value of an OKP key object. */
function okpPublicBytes(key: KeyObject): Uint8Array {
  return plain(Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x!, 'base64url'));
}

/** JWK x and y of an uncompressed SEC1 point (0x04 || X || Y); import checks that it lies on the curve. */
function ecPointJwk(curve: CurveName, point: Uint8Array): JsonWebKey {
  const { jwk, length } = JWK_CURVES[curve];
  if (point.length !== 1 + 2 * length || point[0] !== 0x04) throw new Error(`not an uncompressed ${curve} point`);
  return { kty: 'EC', crv: jwk, x: base64url(point.subarray(1, 1 + length)), y: base64url(point.subarray(1 + length)) };
}

/** The uncompressed public point d·G; JWK import of an EC private key needs it beside d. */
function ecPublicPoint(curve: CurveName, d: Uint8Array): Uint8Array {
  const ecdh = createECDH(JWK_CURVES[curve].openssl);
  ecdh.setPrivateKey(d);
  return plain(ecdh.getPublicKey());
}

function ecPrivateKey(curve: CurveName, d: Uint8Array, point: Uint8Array): KeyObject {
  return createPrivateKey({ key: { ...ecPointJwk(curve, point), d: base64url(d) }, format: 'jwk' });
}

/**
 * Private KeyObjects from our own PKCS#8 encoding (src/auth/keys.ts computes RSA's CRT values, RFC 8017
 * §3.2; OpenSSL derives the public half of EdDSA and EC keys; an id-RSASSA-PSS key keeps its parameters,
 * which OpenSSL enforces again). Null for an RSA key without its primes, which PKCS#8 cannot carry.
 */
const privateKeyObject = memoize((key: PrivateKey): KeyObject | null =>
  (key.kind === 'rsa' || key.kind === 'rsa-pss') && (key.p === undefined || key.q === undefined)
    ? null
    : createPrivateKey({ key: Buffer.from(encodePkcs8(key)), format: 'der', type: 'pkcs8' }),
);

function importPublicKey(key: PublicKey): KeyObject {
  switch (key.kind) {
    case 'ed25519':
      return okpPublicKey('Ed25519', key.publicKey);
    case 'ed448':
      return okpPublicKey('Ed448', key.publicKey);
    case 'ecdsa':
      return createPublicKey({ key: ecPointJwk(key.curve, key.point), format: 'jwk' });
    case 'rsa':
    case 'rsa-pss':
      // The arithmetic of both is RSA's; what an id-RSASSA-PSS key may sign was checked before (signatureKeyProblem).
      return createPublicKey({ key: { kty: 'RSA', n: bigintBase64url(key.n), e: bigintBase64url(key.e) }, format: 'jwk' });
  }
}

/** The whole of a public key as text: two keys with the same text are the same key. */
function publicKeyText(key: PublicKey): string {
  switch (key.kind) {
    case 'ed25519':
    case 'ed448':
      return `${key.kind} ${base64url(key.publicKey)}`;
    case 'ecdsa':
      return `${key.curve} ${base64url(key.point)}`;
    case 'rsa':
    case 'rsa-pss':
      return `rsa ${key.n.toString(36)} ${key.e.toString(36)}`;
  }
}

/**
 * Imported peer keys by their content, at most PEER_KEYS_CACHED of them (the oldest import leaves first):
 * a pinned or recurring peer's key arrives freshly parsed in every handshake, and importing it costs more
 * than the verification it serves. KeyObjects are immutable, so sharing one changes nothing but the time.
 */
const PEER_KEYS_CACHED = 256;
const importedPublicKeys = new Map<string, KeyObject>();

function cachedPublicKeyObject(key: PublicKey): KeyObject {
  const text = publicKeyText(key);
  let object = importedPublicKeys.get(text);
  if (object === undefined) {
    object = importPublicKey(key);
    if (importedPublicKeys.size >= PEER_KEYS_CACHED) importedPublicKeys.delete(importedPublicKeys.keys().next().value!);
    importedPublicKeys.set(text, object);
  }
  return object;
}

const publicKeyObject = memoize(cachedPublicKeyObject);

// --- Key exchange ---------------------------------------------------------------------------------

function exactLength(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (bytes.length !== length) throw new Error(`${what} must be ${length} bytes, got ${bytes.length}`);
  return bytes;
}

/** The secret, or null when OpenSSL refuses the peer's value (off the curve, or an all-zero X25519/X448 result). */
function agree(privateKey: KeyObject, makePeer: () => KeyObject): Uint8Array | null {
  try {
    return plain(diffieHellman({ privateKey, publicKey: makePeer() }));
  } catch {
    return null;
  }
}

/** X25519 and X448 (RFC 7748 §5): any key-length bytes are a private key; clamping happens inside. */
function montgomeryGroup(group: 'x25519' | 'x448', crv: 'X25519' | 'X448', keyLength: number): DiffieHellmanGroup {
  // The private KeyObject of a key share, made when its public value is computed and reused for the secret.
  const privateKeyObject = memoize((privateKey: Uint8Array) => okpPrivateKey(crv, exactLength(privateKey, keyLength, `${group} private key`)));
  return {
    group,
    publicLength: keyLength,
    generatePrivateKey: (random) => exactLength(random(keyLength), keyLength, `${group} private key`),
    publicKey: (privateKey) => okpPublicBytes(privateKeyObject(privateKey)),
    sharedSecret(privateKey, peerPublic) {
      const key = privateKeyObject(privateKey);
      if (peerPublic.length !== keyLength) return null;
      // OpenSSL fails the derivation when the result is all zeros (RFC 7748 §6, RFC 8446 §7.4.2).
      return agree(key, () => okpPublicKey(crv, peerPublic));
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

/** ECDHE over a NIST curve (RFC 8446 §4.2.8.2, §7.4.2). */
function ecdheGroup(group: 'secp256r1' | 'secp384r1' | 'secp521r1', curve: CurveName): DiffieHellmanGroup {
  const { length } = JWK_CURVES[curve];
  const order = CURVE_ORDERS[curve];
  // The private KeyObject of a key share with its public point, both made once from the scalar.
  const share = memoize((d: Uint8Array) => {
    const point = ecPublicPoint(curve, d);
    return { point, key: ecPrivateKey(curve, d, point) };
  });
  return {
    group,
    publicLength: 1 + 2 * length,
    // A seed 1.5 times the order's length reduced into [1, n-1] (FIPS 186-5 A.2.1): every seed gives a
    // valid scalar, with a bias below 2^-64. The noble provider maps seeds the same way.
    generatePrivateKey(random) {
      const seed = random(length + length / 2);
      const scalar = (BigInt('0x' + Buffer.from(seed).toString('hex')) % (order - 1n)) + 1n;
      return plain(Buffer.from(scalar.toString(16).padStart(2 * length, '0'), 'hex'));
    },
    publicKey: (privateKey) => share(privateKey).point,
    sharedSecret(privateKey, peerPublic) {
      // Only the uncompressed form is allowed in TLS 1.3 (§4.2.8.2); the JWK import checks the point is
      // on the curve. The secret is the x-coordinate, as OpenSSL's ECDH derives it.
      if (peerPublic.length !== 1 + 2 * length || peerPublic[0] !== 0x04) return null;
      return agree(share(privateKey).key, () => createPublicKey({ key: ecPointJwk(curve, peerPublic), format: 'jwk' }));
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
  dh.setPrivateKey(bigintBytes(exponent));
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
  const decapsulationKey = memoize((seed: Uint8Array) => createPrivateKey({ key: Buffer.from(seed), format: 'raw-seed', asymmetricKeyType: type } as never));
  return {
    keygen(seed) {
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

const ML_KEM = availableMlKem();

/** Which ML-KEM this provider runs: 'node:crypto' or 'noble'. */
export const NODE_PROVIDER_ML_KEM: 'node:crypto' | 'noble' = ML_KEM === NOBLE_ML_KEM ? 'noble' : 'node:crypto';

const KEY_EXCHANGES = keyExchangeGroups(
  {
    x25519: montgomeryGroup('x25519', 'X25519', 32),
    x448: montgomeryGroup('x448', 'X448', 56),
    secp256r1: ecdheGroup('secp256r1', 'P-256'),
    secp384r1: ecdheGroup('secp384r1', 'P-384'),
    secp521r1: ecdheGroup('secp521r1', 'P-521'),
    ...ffdheGroups(FFDHE_ARITHMETIC),
  },
  ML_KEM,
);

// --- Signatures -----------------------------------------------------------------------------------

/** node's sign/verify options for an algorithm; the hash (null for EdDSA, which hashes internally). */
function signingOptions(alg: SignatureAlgorithm): { hash: HashName | null; options: { dsaEncoding?: 'der'; padding?: number; saltLength?: number } } {
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
  if (signatureKeyProblem(alg, key)) return false;
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
  }
}

export const nodeCryptoProvider: CryptoProvider = {
  name: 'node:crypto',
  hashLength: (hash) => HASH_LENGTHS[hash],
  hash: (hash, data) => plain(createHash(hash).update(data).digest()),
  createHash: (hash) => new NodeHashState(createHash(hash)),
  hmac,
  hkdfExtract,
  hkdfExpand,
  aeadKeyLength: (aead) => AEAD_CIPHERS[aead].keyLength,
  createAead,
  keyExchange: (group) => KEY_EXCHANGES[group],
  sign,
  verify,
  publicKeyOf,
};
