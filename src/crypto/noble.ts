// The default CryptoProvider: @noble/hashes, @noble/ciphers and @noble/curves, plus our bigint RSA.
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { ed448, x448 } from '@noble/curves/ed448.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import type { Hash } from '@noble/hashes/utils.js';
import { aesCcm } from './ccm.js';
import { BIGINT_FFDHE_ARITHMETIC, ffdheGroups } from './ffdhe.js';
import { verifyEd25519, verifyEd448 } from './eddsa-verify.js';
import { digest, digestLength, HASH_FUNCTIONS } from './hashes.js';
import { keyExchangeGroups, type DiffieHellmanGroups } from './groups.js';
import type { DiffieHellmanGroup } from './key-exchange.js';
import { NOBLE_ML_KEM } from './mlkem.js';
import { verifyEcdsaOwnKey, verifyEd25519OwnKey, verifyEd448OwnKey } from './own-key-tables.js';
import { mlDsaPublicKey, mlDsaSign, mlDsaVerify } from './mldsa.js';
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
  type RandomSource,
  type SignatureAlgorithm,
  type VerifyOptions,
} from './provider.js';
import { rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify } from './rsa.js';
import { rsaPublicKeyOf, signatureKeyProblem } from './signature-keys.js';

/** Wraps a noble hash so that digest() reads a copy and the running state stays usable. */
class NobleHashState implements HashState {
  constructor(private readonly state: Hash<any>) {}
  update(data: Uint8Array): this {
    this.state.update(data);
    return this;
  }
  digest(output?: Uint8Array): Uint8Array {
    return resultInto(this.state.clone().digest(), output);
  }
  clone(): HashState {
    return new NobleHashState(this.state.clone());
  }
}

const AEAD_KEY_LENGTHS: Readonly<Record<AeadName, number>> = {
  'AES-128-GCM': 16,
  'AES-256-GCM': 32,
  'ChaCha20-Poly1305': 32,
  'AES-128-CCM': 16,
  'AES-128-CCM-8': 16,
};

/** One AEAD operation under (key, nonce, aad): seal into an output, or open (throwing when the tag does not verify). */
interface NobleAeadCall {
  sealInto(plaintext: Uint8Array, output: Uint8Array): void;
  open(sealed: Uint8Array): Uint8Array;
}

type NobleAead = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array) => NobleAeadCall;

/**
 * noble's GCM and ChaCha20-Poly1305: sealed into a new aligned array, then copied to `output` (0.1 µs of a
 * ~1 ms seal of 16 KiB). GCM has no output parameter; ChaCha has one, but ran 7% slower into a misaligned
 * output, as every record body is (it starts after the 5-byte header).
 */
const alignedAead =
  (cipherOf: typeof gcm | typeof chacha20poly1305): NobleAead =>
  (key, nonce, aad) => {
    const cipher = cipherOf(key, nonce, aad);
    return { sealInto: (plaintext, output) => output.set(cipher.encrypt(plaintext)), open: (sealed) => cipher.decrypt(sealed) };
  };

/** noble has no CCM: ccm.ts builds it on noble's AES (RFC 3610), with the tag of RFC 6655 §3. */
const ccmOf = (tagLength: number): NobleAead => (key, nonce, aad) => {
  const ccm = aesCcm(key, tagLength);
  return {
    sealInto: (plaintext, output) => ccm.sealInto(nonce, aad, plaintext, output),
    open: (sealed) => {
      const plaintext = ccm.open(nonce, aad, sealed);
      if (plaintext === null) throw new Error('AES-CCM tag mismatch');
      return plaintext;
    },
  };
};

const AEAD_CIPHERS: Readonly<Record<AeadName, NobleAead>> = {
  'AES-128-GCM': alignedAead(gcm),
  'AES-256-GCM': alignedAead(gcm),
  'ChaCha20-Poly1305': alignedAead(chacha20poly1305),
  'AES-128-CCM': ccmOf(AEAD_TAG_LENGTHS['AES-128-CCM']),
  'AES-128-CCM-8': ccmOf(AEAD_TAG_LENGTHS['AES-128-CCM-8']),
};

const AEAD_NONCE_LENGTH = 12;

function createAead(aead: AeadName, key: Uint8Array): AeadKey {
  if (key.length !== AEAD_KEY_LENGTHS[aead]) throw new Error(`${aead} needs a ${AEAD_KEY_LENGTHS[aead]}-byte key, got ${key.length}`);
  return new NobleAeadKey(aead, key);
}

class NobleAeadKey extends InPlaceAead {
  private readonly cipher: NobleAead;
  /** A private copy of the key, in a private field: util.inspect and JSON of a connection never show it. */
  readonly #key: Uint8Array;

  constructor(aead: AeadName, key: Uint8Array) {
    super(aead, AEAD_TAG_LENGTHS[aead]);
    this.cipher = AEAD_CIPHERS[aead];
    // new Uint8Array copies; a Buffer's slice() would be a view of the caller's memory (provider-refilled-arrays).
    this.#key = new Uint8Array(key);
  }

  protected sealChecked(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output: Uint8Array): void {
    if (nonce.length !== AEAD_NONCE_LENGTH) throw new Error(`${this.name} needs a ${AEAD_NONCE_LENGTH}-byte nonce, got ${nonce.length}`);
    this.cipher(this.#key, nonce, aad).sealInto(plaintext, output);
  }

  wipe(): void {
    this.#key.fill(0);
  }

  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    if (nonce.length !== AEAD_NONCE_LENGTH || ciphertext.length < this.tagLength) return null;
    try {
      return this.cipher(this.#key, nonce, aad).open(ciphertext);
    } catch {
      return null; // the tag did not verify
    }
  }
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
    // A copy of our own (not .slice(): a Buffer's is a view): a RandomSource may refill and hand out one array again.
    generatePrivateKey: (random) => new Uint8Array(exactLength(random(keyLength), keyLength, `${group} private key`)),
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

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

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
      // The shared secret is the x-coordinate alone: drop the compressed point's prefix byte (the point zeroed).
      const point = curve.getSharedSecret(privateKey, peerPublic, true);
      const x = point.slice(1);
      point.fill(0);
      return x;
    },
  };
}

/** The Diffie-Hellman arithmetic of each group, the groups' own part (test/security/ephemeral-secrets watches it). */
export const NOBLE_DIFFIE_HELLMAN_GROUPS: DiffieHellmanGroups = {
  x25519: montgomeryGroup('x25519', x25519),
  x448: montgomeryGroup('x448', x448),
  secp256r1: ecdheGroup('secp256r1', p256),
  secp384r1: ecdheGroup('secp384r1', p384),
  secp521r1: ecdheGroup('secp521r1', p521),
  ...ffdheGroups(BIGINT_FFDHE_ARITHMETIC),
};

const KEY_EXCHANGES = keyExchangeGroups(NOBLE_DIFFIE_HELLMAN_GROUPS, NOBLE_ML_KEM);

function sign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, random: RandomSource): Uint8Array {
  const problem = signatureKeyProblem(alg, key);
  if (problem) throw new Error(problem);
  switch (key.kind) {
    case 'ed25519':
      return ed25519.sign(message, key.seed);
    case 'ed448':
      return ed448.sign(message, key.seed);
    case 'ecdsa':
      // RFC 6979 deterministic nonce; the digest is ours, so noble must not hash again.
      return CURVES[key.curve].sign(digest(hashOf(alg), message), key.d, { prehash: false, format: 'der' });
    case 'rsa':
    case 'rsa-pss':
      return alg.kind === 'rsa-pss' ? rsaPssSign(key, alg.hash, message, alg.saltLength, random) : rsaPkcs1Sign(key, hashOf(alg), message);
    case 'ml-dsa':
      // The scheme's parameter set, which signatureKeyProblem matched to the key's (draft-ietf-tls-mldsa §3.2).
      return mlDsaSign(mlDsaParameterSetOf(alg), key.seed, message, random);
    default:
      return unreachable(key);
  }
}

/** The parameter set an ML-DSA algorithm names (signatureKeyProblem has matched the kinds already). */
function mlDsaParameterSetOf(alg: SignatureAlgorithm) {
  if (alg.kind !== 'ml-dsa') throw new Error(`${alg.kind} is not ML-DSA`);
  return alg.parameterSet;
}

/** The hash of an algorithm that has one (signatureKeyProblem has matched it to the key already). */
function hashOf(alg: SignatureAlgorithm) {
  if (!('hash' in alg)) throw new Error(`${alg.kind} has no separate hash`);
  return alg.hash;
}

function verify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array, options?: VerifyOptions): boolean {
  if (signatureKeyProblem(alg, key)) return false;
  // Our own keys get a precomputed table (own-key-tables.ts); a peer's, chosen by an attacker, never does.
  const ownKey = options?.ownKey === true;
  try {
    switch (key.kind) {
      case 'ed25519':
        // RFC 8032 §5.1.7 with canonical encodings only, deciding as OpenSSL does (eddsa-verify.ts).
        return ownKey ? verifyEd25519OwnKey(signature, message, key.publicKey) : verifyEd25519(signature, message, key.publicKey);
      case 'ed448':
        return ownKey ? verifyEd448OwnKey(signature, message, key.publicKey) : verifyEd448(signature, message, key.publicKey);
      case 'ecdsa': {
        const hashed = digest(hashOf(alg), message);
        if (ownKey) return verifyEcdsaOwnKey(key.curve, hashed, key.point, signature);
        // lowS: false, because OpenSSL and others produce high-S signatures and X9.62 allows them.
        return CURVES[key.curve].verify(signature, hashed, key.point, { prehash: false, lowS: false, format: 'der' });
      }
      case 'rsa':
      case 'rsa-pss':
        return alg.kind === 'rsa-pss' ? rsaPssVerify(key, alg.hash, message, signature, alg.saltLength) : rsaPkcs1Verify(key, hashOf(alg), message, signature);
      case 'ml-dsa':
        // Verified under the parameter set the scheme (or the certificate's signatureAlgorithm OID) names, never
        // the key's: a key of another set is then refused by its length too, not only by signatureKeyProblem.
        return mlDsaVerify(mlDsaParameterSetOf(alg), key.publicKey, message, signature);
      default:
        return unreachable(key);
    }
  } catch {
    return false; // malformed signature or key
  }
}

function publicKeyOf(key: PrivateKey): PublicKey {
  switch (key.kind) {
    case 'ed25519':
      return { kind: 'ed25519', publicKey: ed25519.getPublicKey(key.seed) };
    case 'ed448':
      return { kind: 'ed448', publicKey: ed448.getPublicKey(key.seed) };
    case 'ecdsa':
      return { kind: 'ecdsa', curve: key.curve, point: CURVES[key.curve].getPublicKey(key.d, false) };
    case 'rsa':
    case 'rsa-pss':
      return rsaPublicKeyOf(key);
    case 'ml-dsa':
      return { kind: 'ml-dsa', parameterSet: key.parameterSet, publicKey: mlDsaPublicKey(key.parameterSet, key.seed) };
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

/** Frozen: every connection made without a provider of its own shares it (a plugin that replaced its `verify` would change them all). */
export const nobleProvider: CryptoProvider = Object.freeze<CryptoProvider>({
  name: 'noble',
  hashLength: digestLength,
  hash: digest,
  createHash: (hash: HashName) => new NobleHashState(HASH_FUNCTIONS[hash].create()),
  hmac: (hash, key, data, output) => resultInto(hmac(HASH_FUNCTIONS[hash], key, data), output),
  hkdfExtract: (hash, salt, ikm) => extract(HASH_FUNCTIONS[hash], ikm, salt),
  hkdfExpand: (hash, prk, info, length, output) => resultInto(expand(HASH_FUNCTIONS[hash], prk, info, length), output),
  aeadKeyLength: (aead) => AEAD_KEY_LENGTHS[aead],
  createAead,
  keyExchange: (group) => KEY_EXCHANGES[group],
  sign,
  verify,
  publicKeyOf,
});
