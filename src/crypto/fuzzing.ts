// !!! INSECURE !!! A CryptoProvider for fuzzing only, in the spirit of rustls's fuzzing provider.
//
// Every primitive here is a cheap, deterministic stand-in that keeps the *protocol logic* intact while
// giving up all security:
//   - hashes are a 64-bit non-cryptographic mix stretched to the real digest length;
//   - HMAC/HKDF are that hash over key and data (different keys or data give different outputs);
//   - the AEAD XORs with a keystream from (key, nonce) and appends a 16-byte checksum tag over key, nonce,
//     aad and ciphertext: a flipped bit or a wrong key still fails `open`;
//   - key exchange: the public value is a hash of the private key, the shared secret a hash of both
//     public values (anyone who sees the handshake can compute it);
//   - signatures are a hash of the public key, algorithm and message: they verify only against the key
//     that "made" them, but anyone can forge one.
// Wire lengths (key shares, signatures, digests) match the real algorithms, so messages look realistic.
// It exists so that stateful fuzz targets reach deep handshake states at high speed. Never use it for a
// real connection; the CLI cannot select it.
import {
  AEAD_TAG_LENGTHS,
  InPlaceAead,
  resultInto,
  type AeadKey,
  type AeadName,
  type CryptoProvider,
  type HashName,
  type HashState,
  type PrivateKey,
  type PublicKey,
  type SignatureAlgorithm,
} from './provider.js';
import { keyExchangeGroups, type DiffieHellmanGroupName } from './groups.js';
import type { DiffieHellmanGroup } from './key-exchange.js';
import { encapsulationKeyLength, ML_KEM_1024, ML_KEM_768, type MlKemParameters, type MlKemPrimitive } from './mlkem.js';
import { ML_DSA_SIZES } from './mldsa.js';
import { rsaPublicKeyOf, signatureKeyProblem } from './signature-keys.js';

const DIGEST_LENGTHS: Readonly<Record<HashName, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };
const AEAD_KEY_LENGTHS: Readonly<Record<AeadName, number>> = { 'AES-128-GCM': 16, 'AES-256-GCM': 32, 'ChaCha20-Poly1305': 32, 'AES-128-CCM': 16, 'AES-128-CCM-8': 16 };

/** Two 32-bit lanes of a multiply-rotate mix (MurmurHash3-like finalisation): fast, not collision resistant. */
class CheapHash implements HashState {
  constructor(
    private readonly outputLength: number,
    private a = 0x9e3779b9,
    private b = 0x85ebca6b ^ outputLength,
    private length = 0,
  ) {}

  update(data: Uint8Array): this {
    let { a, b } = this;
    for (let i = 0; i < data.length; i++) {
      a = Math.imul(a ^ data[i]!, 0x01000193);
      b = Math.imul((b << 5) | (b >>> 27), 0xcc9e2d51) ^ data[i]! ^ a;
    }
    this.a = a;
    this.b = b;
    this.length += data.length;
    return this;
  }

  digest(output?: Uint8Array): Uint8Array {
    return resultInto(stretch(this.a ^ Math.imul(this.length, 0x27d4eb2f), this.b + this.length, this.outputLength), output);
  }

  clone(): HashState {
    return new CheapHash(this.outputLength, this.a, this.b, this.length);
  }
}

/** `length` bytes of a xorshift stream seeded by two 32-bit words. */
function stretch(seedA: number, seedB: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seedA | 1;
  let y = seedB ^ 0x5bd1e995;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    y = Math.imul(y ^ (y >>> 15), 0x2c1b3c6d) + x;
    const word = (x ^ y) >>> 0;
    for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
  }
  return out;
}

/** The cheap hash of several parts, each length-prefixed so that part boundaries matter. */
function hashParts(outputLength: number, ...parts: Uint8Array[]): Uint8Array {
  const h = new CheapHash(outputLength);
  for (const part of parts) h.update(Uint8Array.of(part.length >>> 24, part.length >>> 16, part.length >>> 8, part.length)).update(part);
  return h.digest();
}

const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

function createAead(aead: AeadName, key: Uint8Array): AeadKey {
  if (key.length !== AEAD_KEY_LENGTHS[aead]) throw new Error(`${aead} needs a ${AEAD_KEY_LENGTHS[aead]}-byte key, got ${key.length}`);
  return new FakeAead(aead, key);
}

class FakeAead extends InPlaceAead {
  readonly #key: Uint8Array;

  constructor(aead: AeadName, key: Uint8Array) {
    super(aead, AEAD_TAG_LENGTHS[aead]);
    this.#key = key.slice();
  }

  private keystream(nonce: Uint8Array, length: number): Uint8Array {
    const seed = hashParts(8, this.#key, nonce);
    return stretch(seed[0]! | (seed[1]! << 8) | (seed[2]! << 16) | (seed[3]! << 24), seed[4]! | (seed[5]! << 8) | (seed[6]! << 16), length);
  }

  private tag(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    return hashParts(this.tagLength, text('tag'), this.#key, nonce, aad, ciphertext);
  }

  /** xorBytes() reads the plaintext into a new array first, so `output` may alias it (sealing in place). */
  protected sealChecked(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output: Uint8Array): void {
    const ciphertext = xorBytes(plaintext, this.keystream(nonce, plaintext.length));
    output.set(ciphertext);
    output.set(this.tag(nonce, aad, ciphertext), ciphertext.length);
  }

  open(nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
    if (sealed.length < this.tagLength) return null;
    const ciphertext = sealed.subarray(0, sealed.length - this.tagLength);
    const expected = this.tag(nonce, aad, ciphertext);
    const received = sealed.subarray(sealed.length - this.tagLength);
    if (!expected.every((b, i) => b === received[i])) return null;
    return xorBytes(ciphertext, this.keystream(nonce, ciphertext.length));
  }
}

function xorBytes(data: Uint8Array, stream: Uint8Array): Uint8Array {
  return data.map((byte, i) => byte ^ stream[i]!);
}

const raw = (length: number) => ({ publicLength: length, secretLength: length, point: false });
const nist = (coordinate: number) => ({ publicLength: 1 + 2 * coordinate, secretLength: coordinate, point: true });

/**
 * Public values and secrets as long as the real ones: X25519/X448 keys, uncompressed NIST points
 * 0x04 || X || Y and their x-coordinate, FFDHE values as long as the prime.
 */
const DH_LENGTHS: Readonly<Record<DiffieHellmanGroupName, { publicLength: number; secretLength: number; point: boolean }>> = {
  x25519: raw(32),
  x448: raw(56),
  secp256r1: nist(32),
  secp384r1: nist(48),
  secp521r1: nist(66),
  ffdhe2048: raw(256),
  ffdhe3072: raw(384),
  ffdhe4096: raw(512),
  ffdhe6144: raw(768),
  ffdhe8192: raw(1024),
};

function fakeDiffieHellman(group: DiffieHellmanGroupName): DiffieHellmanGroup {
  const { publicLength, secretLength, point } = DH_LENGTHS[group];
  const publicKey = (privateKey: Uint8Array) => {
    const value = hashParts(publicLength, text(group), privateKey);
    if (point) value[0] = 0x04;
    return value;
  };
  return {
    group,
    publicLength,
    // A copy of our own: discard (key-exchange.ts) zeroes it, never the RandomSource's array.
    generatePrivateKey: (random) => new Uint8Array(random(32)),
    publicKey,
    sharedSecret(privateKey, peerPublic) {
      if (peerPublic.length !== publicLength || (point && peerPublic[0] !== 0x04)) return null;
      const ours = publicKey(privateKey);
      // Order-independent, so both sides agree: the two public values sorted.
      const [first, second] = compare(ours, peerPublic) <= 0 ? [ours, peerPublic] : [peerPublic, ours];
      return hashParts(secretLength, text('shared'), first, second);
    },
  };
}

/**
 * A stand-in for ML-KEM with its sizes: the "secret key" is the public key itself, the ciphertext a hash
 * of the message, the secret a hash of both. Coefficients are kept below q so the real encapsulation key
 * check (mlkem.ts) passes.
 */
function fakeMlKem(params: MlKemParameters): MlKemPrimitive {
  const publicLength = encapsulationKeyLength(params);
  return {
    keygen(seed) {
      const publicKey = hashParts(publicLength, text(params.name), seed);
      // Two 12-bit coefficients per three bytes: clearing bit 7 of the 2nd and 3rd byte keeps both below 2^11.
      for (let i = 0; i < 384 * params.k; i += 3) {
        publicKey[i + 1]! &= 0x77;
        publicKey[i + 2]! &= 0x7f;
      }
      // A copy: discard zeroes the secret key, never the share the ClientHello carries.
      return { publicKey, secretKey: publicKey.slice() };
    },
    encapsulate(publicKey, message) {
      const cipherText = hashParts(params.cipherTextLength, text('ciphertext'), message);
      return { cipherText, sharedSecret: hashParts(32, text('shared'), publicKey, cipherText) };
    },
    decapsulate: (cipherText, secretKey) => hashParts(32, text('shared'), secretKey, cipherText),
  };
}

const KEY_EXCHANGES = keyExchangeGroups(
  Object.fromEntries(Object.keys(DH_LENGTHS).map((group) => [group, fakeDiffieHellman(group as DiffieHellmanGroupName)])) as Record<
    DiffieHellmanGroupName,
    DiffieHellmanGroup
  >,
  { 'ML-KEM-768': fakeMlKem(ML_KEM_768), 'ML-KEM-1024': fakeMlKem(ML_KEM_1024) },
);

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function publicKeyOf(key: PrivateKey): PublicKey {
  switch (key.kind) {
    case 'ed25519':
      return { kind: 'ed25519', publicKey: hashParts(32, text('ed25519'), key.seed) };
    case 'ed448':
      return { kind: 'ed448', publicKey: hashParts(57, text('ed448'), key.seed) };
    case 'ecdsa': {
      const point = hashParts(POINT_LENGTHS[key.curve], text(key.curve), key.d);
      point[0] = 0x04;
      return { kind: 'ecdsa', curve: key.curve, point };
    }
    case 'rsa':
    case 'rsa-pss':
      return rsaPublicKeyOf(key);
    case 'ml-dsa':
      return { kind: 'ml-dsa', parameterSet: key.parameterSet, publicKey: hashParts(ML_DSA_SIZES[key.parameterSet].publicKey, text(key.parameterSet), key.seed) };
  }
}

/** The bytes a "signature" binds: the public key and the algorithm with its parameters. */
function publicKeyBytes(key: PublicKey): Uint8Array {
  switch (key.kind) {
    case 'ed25519':
    case 'ed448':
    case 'ml-dsa':
      return key.publicKey;
    case 'ecdsa':
      return key.point;
    case 'rsa':
    case 'rsa-pss':
      return text(`${key.n.toString(16)}:${key.e.toString(16)}`);
  }
}

const SIGNATURE_LENGTHS = { ed25519: 64, ed448: 114, ecdsa: 72, 'rsa-pkcs1': 256, 'rsa-pss': 256 } as const;
const signatureLength = (alg: SignatureAlgorithm) => (alg.kind === 'ml-dsa' ? ML_DSA_SIZES[alg.parameterSet].signature : SIGNATURE_LENGTHS[alg.kind]);
const POINT_LENGTHS = { 'P-256': 65, 'P-384': 97, 'P-521': 133 } as const;

function fakeSignature(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array): Uint8Array {
  return hashParts(signatureLength(alg), text(JSON.stringify(alg)), publicKeyBytes(key), message);
}

/** The insecure, deterministic, fast provider for fuzz targets. NEVER use it outside fuzzing. */
export const insecureFuzzingProvider: CryptoProvider = {
  name: 'INSECURE-fuzzing',
  hashLength: (hash) => DIGEST_LENGTHS[hash],
  hash: (hash, data) => new CheapHash(DIGEST_LENGTHS[hash]).update(data).digest(),
  createHash: (hash) => new CheapHash(DIGEST_LENGTHS[hash]),
  hmac: (hash, key, data, output) => resultInto(hashParts(DIGEST_LENGTHS[hash], text('hmac'), key, data), output),
  hkdfExtract: (hash, salt, ikm) => hashParts(DIGEST_LENGTHS[hash], text('extract'), salt, ikm),
  hkdfExpand(hash, prk, info, length, output) {
    // RFC 5869 §2.3 caps L at 255 * HashLen; keep the same misuse check as a real HKDF.
    if (length > 255 * DIGEST_LENGTHS[hash]) throw new Error(`HKDF-Expand: length ${length} too large`);
    return resultInto(hashParts(length, text('expand'), prk, info), output);
  },
  aeadKeyLength: (aead) => AEAD_KEY_LENGTHS[aead],
  createAead,
  keyExchange: (group) => KEY_EXCHANGES[group],
  sign(alg, key, message) {
    const problem = signatureKeyProblem(alg, key);
    if (problem) throw new Error(problem);
    return fakeSignature(alg, publicKeyOf(key), message);
  },
  verify(alg, key, message, signature) {
    if (signatureKeyProblem(alg, key)) return false;
    const expected = fakeSignature(alg, key, message);
    return expected.length === signature.length && expected.every((b, i) => b === signature[i]);
  },
  publicKeyOf,
};
