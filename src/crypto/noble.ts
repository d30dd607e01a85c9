// The default CryptoProvider: @noble/hashes, @noble/ciphers and @noble/curves, plus our bigint RSA.
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { x448 } from '@noble/curves/ed448.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import type { Hash } from '@noble/hashes/utils.js';
import { BIGINT_FFDHE_ARITHMETIC, ffdheGroups } from './ffdhe.js';
import { digest, digestLength, HASH_FUNCTIONS } from './hashes.js';
import { keyExchangeGroups } from './groups.js';
import type { DiffieHellmanGroup } from './key-exchange.js';
import { NOBLE_ML_KEM } from './mlkem.js';
import type {
  AeadKey,
  AeadName,
  CryptoProvider,
  HashName,
  HashState,
  PrivateKey,
  PublicKey,
  RandomSource,
  SignatureAlgorithm,
} from './provider.js';
import { rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify } from './rsa.js';

/** Wraps a noble hash so that digest() reads a copy and the running state stays usable. */
class NobleHashState implements HashState {
  constructor(private readonly state: Hash<any>) {}
  update(data: Uint8Array): this {
    this.state.update(data);
    return this;
  }
  digest(): Uint8Array {
    return this.state.clone().digest();
  }
  clone(): HashState {
    return new NobleHashState(this.state.clone());
  }
}

const AEAD_KEY_LENGTHS: Readonly<Record<AeadName, number>> = {
  'AES-128-GCM': 16,
  'AES-256-GCM': 32,
  'ChaCha20-Poly1305': 32,
};

/** Both AEAD constructions take (key, nonce, aad) and append a 16-byte tag (RFC 5116 §5.1, RFC 8439 §2.8). */
const AEAD_CIPHERS: Readonly<Record<AeadName, typeof gcm | typeof chacha20poly1305>> = {
  'AES-128-GCM': gcm,
  'AES-256-GCM': gcm,
  'ChaCha20-Poly1305': chacha20poly1305,
};

const AEAD_NONCE_LENGTH = 12;
const AEAD_TAG_LENGTH = 16;

function createAead(aead: AeadName, key: Uint8Array): AeadKey {
  if (key.length !== AEAD_KEY_LENGTHS[aead]) throw new Error(`${aead} needs a ${AEAD_KEY_LENGTHS[aead]}-byte key, got ${key.length}`);
  const cipher = AEAD_CIPHERS[aead];
  const boundKey = key.slice();
  return {
    seal(nonce, aad, plaintext) {
      if (nonce.length !== AEAD_NONCE_LENGTH) throw new Error(`${aead} needs a ${AEAD_NONCE_LENGTH}-byte nonce, got ${nonce.length}`);
      return cipher(boundKey, nonce, aad).encrypt(plaintext);
    },
    open(nonce, aad, ciphertext) {
      if (nonce.length !== AEAD_NONCE_LENGTH || ciphertext.length < AEAD_TAG_LENGTH) return null;
      try {
        return cipher(boundKey, nonce, aad).decrypt(ciphertext);
      } catch {
        return null; // the tag did not verify
      }
    },
  };
}

/**
 * X25519 and X448 (RFC 7748 §5; RFC 8446 §7.4.2). Any key-length bytes are a private key: clamping happens
 * inside the scalar multiplication.
 */
function montgomeryGroup(group: 'x25519' | 'x448', curve: typeof x25519): DiffieHellmanGroup {
  const keyLength = curve.lengths.secretKey!;
  return {
    group,
    publicLength: keyLength,
    generatePrivateKey: (random) => exactLength(random(keyLength), keyLength, `${group} private key`),
    publicKey: (privateKey) => curve.getPublicKey(exactLength(privateKey, keyLength, `${group} private key`)),
    sharedSecret(privateKey, peerPublic) {
      exactLength(privateKey, keyLength, `${group} private key`);
      if (peerPublic.length !== keyLength) return null;
      try {
        // noble refuses the low-order points, the ones whose result would be all zeros
        // (RFC 7748 §6, RFC 8446 §7.4.2), by throwing.
        return curve.getSharedSecret(privateKey, peerPublic);
      } catch {
        return null;
      }
    },
  };
}

const CURVES = { 'P-256': p256, 'P-384': p384 } as const;

/** ECDHE over a NIST curve (RFC 8446 §4.2.8.2, §7.4.2). */
function ecdheGroup(group: 'secp256r1' | 'secp384r1' | 'secp521r1', curve: typeof p256 | typeof p521): DiffieHellmanGroup {
  const uncompressedLength = curve.lengths.publicKeyUncompressed!;
  return {
    group,
    publicLength: uncompressedLength,
    // noble maps seed bytes (1.5 times the order's length) onto [1, n-1], so every seed gives a valid scalar.
    generatePrivateKey: (random) => curve.utils.randomSecretKey(random(curve.lengths.seed!)),
    publicKey: (privateKey) => curve.getPublicKey(privateKey, false),
    sharedSecret(privateKey, peerPublic) {
      // Only the uncompressed form is allowed in TLS 1.3; the point must be on the curve (§4.2.8.2).
      if (peerPublic.length !== uncompressedLength || peerPublic[0] !== 0x04) return null;
      if (!curve.utils.isValidPublicKey(peerPublic, false)) return null;
      // The shared secret is the x-coordinate alone: drop the compressed point's prefix byte.
      return curve.getSharedSecret(privateKey, peerPublic, true).slice(1);
    },
  };
}

const KEY_EXCHANGES = keyExchangeGroups(
  {
    x25519: montgomeryGroup('x25519', x25519),
    x448: montgomeryGroup('x448', x448),
    secp256r1: ecdheGroup('secp256r1', p256),
    secp384r1: ecdheGroup('secp384r1', p384),
    secp521r1: ecdheGroup('secp521r1', p521),
    ...ffdheGroups(BIGINT_FFDHE_ARITHMETIC),
  },
  NOBLE_ML_KEM,
);

function sign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, random: RandomSource): Uint8Array {
  switch (alg.kind) {
    case 'ed25519':
      if (key.kind !== 'ed25519') break;
      return ed25519.sign(message, key.seed);
    case 'ecdsa':
      if (key.kind !== 'ecdsa') break;
      // RFC 6979 deterministic nonce; the digest is ours, so noble must not hash again.
      return CURVES[key.curve].sign(digest(alg.hash, message), key.d, { prehash: false, format: 'der' });
    case 'rsa-pkcs1':
      if (key.kind !== 'rsa') break;
      return rsaPkcs1Sign(key, alg.hash, message);
    case 'rsa-pss':
      if (key.kind !== 'rsa') break;
      return rsaPssSign(key, alg.hash, message, alg.saltLength, random);
    default:
      return unreachable(alg);
  }
  throw new Error(`a ${key.kind} key cannot make ${alg.kind} signatures`);
}

function verify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    switch (alg.kind) {
      case 'ed25519':
        // zip215: false is the strict RFC 8032 §5.1.7 check (canonical encodings only).
        return key.kind === 'ed25519' && ed25519.verify(signature, message, key.publicKey, { zip215: false });
      case 'ecdsa':
        // lowS: false, because OpenSSL and others produce high-S signatures and X9.62 allows them.
        return (
          key.kind === 'ecdsa' &&
          CURVES[key.curve].verify(signature, digest(alg.hash, message), key.point, { prehash: false, lowS: false, format: 'der' })
        );
      case 'rsa-pkcs1':
        return key.kind === 'rsa' && rsaPkcs1Verify(key, alg.hash, message, signature);
      case 'rsa-pss':
        return key.kind === 'rsa' && rsaPssVerify(key, alg.hash, message, signature, alg.saltLength);
      default:
        return unreachable(alg);
    }
  } catch {
    return false; // malformed signature or key
  }
}

function publicKeyOf(key: PrivateKey): PublicKey {
  switch (key.kind) {
    case 'ed25519':
      return { kind: 'ed25519', publicKey: ed25519.getPublicKey(key.seed) };
    case 'ecdsa':
      return { kind: 'ecdsa', curve: key.curve, point: CURVES[key.curve].getPublicKey(key.d, false) };
    case 'rsa':
      return { kind: 'rsa', n: key.n, e: key.e };
    default:
      return unreachable(key);
  }
}

function exactLength(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (bytes.length !== length) throw new Error(`${what} must be ${length} bytes, got ${bytes.length}`);
  return bytes;
}

function unreachable(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

export const nobleProvider: CryptoProvider = {
  name: 'noble',
  hashLength: digestLength,
  hash: digest,
  createHash: (hash: HashName) => new NobleHashState(HASH_FUNCTIONS[hash].create()),
  hmac: (hash, key, data) => hmac(HASH_FUNCTIONS[hash], key, data),
  hkdfExtract: (hash, salt, ikm) => extract(HASH_FUNCTIONS[hash], ikm, salt),
  hkdfExpand: (hash, prk, info, length) => expand(HASH_FUNCTIONS[hash], prk, info, length),
  aeadKeyLength: (aead) => AEAD_KEY_LENGTHS[aead],
  createAead,
  keyExchange: (group) => KEY_EXCHANGES[group],
  sign,
  verify,
  publicKeyOf,
};
