// The CryptoProvider: every primitive the engine uses, behind one small interface, so providers can be
// swapped (noble by default; node:crypto and an insecure fuzzing provider later). Nothing here draws
// randomness on its own: callers pass a RandomSource, so runs are reproducible.

export type HashName = 'sha256' | 'sha384' | 'sha512' | 'sha1';

export interface HashState {
  update(data: Uint8Array): this;
  /** The digest of everything so far; the state stays usable (a transcript hash is read many times). */
  digest(): Uint8Array;
  clone(): HashState;
}

export type AeadName = 'AES-128-GCM' | 'AES-256-GCM' | 'ChaCha20-Poly1305' | 'AES-128-CCM' | 'AES-128-CCM-8';

/**
 * The tag each AEAD appends: 16 bytes (RFC 5116 §5.1 and §5.3, RFC 8439 §2.8), except AEAD_AES_128_CCM_8's
 * 8 (RFC 6655 §3). The record layer's expansion comes from here, never from a constant.
 */
export const AEAD_TAG_LENGTHS: Readonly<Record<AeadName, number>> = {
  'AES-128-GCM': 16,
  'AES-256-GCM': 16,
  'ChaCha20-Poly1305': 16,
  'AES-128-CCM': 16,
  'AES-128-CCM-8': 8,
};

/** An AEAD bound to one key (RFC 5116). Nonces are 12 bytes for every TLS 1.3 suite; tags AEAD_TAG_LENGTHS. */
export interface AeadKey {
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** The plaintext, or null when authentication fails. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;
}

export type GroupName = 'x25519' | 'secp256r1' | 'secp384r1';

export interface KeyExchange {
  readonly group: GroupName;
  /** A fresh private key made from the caller's randomness. */
  generatePrivateKey(random: RandomSource): Uint8Array;
  /** The public value as it goes in a KeyShareEntry (RFC 8446 §4.2.8.1, §4.2.8.2). */
  publicKey(privateKey: Uint8Array): Uint8Array;
  /**
   * The shared secret (x-coordinate for ECDHE, RFC 8446 §7.4.2), or null when the peer's value is
   * invalid: not on the curve, wrong length, or an all-zero X25519 result (RFC 8446 §7.4.2).
   */
  sharedSecret(privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array | null;
}

export type CurveName = 'P-256' | 'P-384';

export type PublicKey =
  | { kind: 'ed25519'; publicKey: Uint8Array }
  /** `point` is the uncompressed SEC1 encoding (0x04 || X || Y). */
  | { kind: 'ecdsa'; curve: CurveName; point: Uint8Array }
  | { kind: 'rsa'; n: bigint; e: bigint };

export type PrivateKey =
  | { kind: 'ed25519'; seed: Uint8Array }
  | { kind: 'ecdsa'; curve: CurveName; d: Uint8Array }
  | { kind: 'rsa'; n: bigint; e: bigint; d: bigint; p?: bigint; q?: bigint };

/**
 * A signature algorithm independent of TLS code points, so the same call serves CertificateVerify
 * (RFC 8446 §4.4.3) and X.509 certificate signatures (RFC 5280 §4.1.1.2).
 * ECDSA signatures are DER-encoded Ecdsa-Sig-Value, as both TLS and X.509 carry them.
 */
export type SignatureAlgorithm =
  | { kind: 'ed25519' }
  | { kind: 'ecdsa'; hash: HashName }
  | { kind: 'rsa-pkcs1'; hash: HashName }
  /** RSASSA-PSS with MGF1 over the same hash; TLS 1.3 fixes saltLength to the hash length. */
  | { kind: 'rsa-pss'; hash: HashName; saltLength: number };

/** Where randomness comes from: the OS by default, a seeded stream in tests and replays. */
export type RandomSource = (length: number) => Uint8Array;

export interface CryptoProvider {
  readonly name: string;
  hashLength(hash: HashName): number;
  hash(hash: HashName, data: Uint8Array): Uint8Array;
  createHash(hash: HashName): HashState;
  hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** HKDF-Extract (RFC 5869 §2.2). */
  hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  /** HKDF-Expand (RFC 5869 §2.3). */
  hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  aeadKeyLength(aead: AeadName): number;
  createAead(aead: AeadName, key: Uint8Array): AeadKey;
  keyExchange(group: GroupName): KeyExchange;
  /** `random` supplies the RSA-PSS salt (and nothing else: ECDSA uses RFC 6979 nonces, Ed25519 is deterministic). */
  sign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, random: RandomSource): Uint8Array;
  /** False for a wrong signature, a malformed one, or a key that does not fit the algorithm: never throws. */
  verify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean;
  /** The public half of a private key. */
  publicKeyOf(key: PrivateKey): PublicKey;
}
