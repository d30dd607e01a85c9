// The CryptoProvider: every primitive the engine uses, behind one small interface, so providers can be
// swapped (noble by default; node:crypto and an insecure fuzzing provider later). Nothing here draws
// randomness on its own: callers pass a RandomSource, so runs are reproducible.

export type HashName = 'sha256' | 'sha384' | 'sha512' | 'sha1';

export interface HashState {
  /** `data` is read during the call only: the engine's own messages are views of a buffer it reuses (outgoing-flight.ts). */
  update(data: Uint8Array): this;
  /**
   * The digest of everything so far; the state stays usable (a transcript hash is read many times). Written
   * into `output` when given (exactly the hash's length), which is returned; a provider written before
   * `output` may ignore it and return a new array, so callers use the returned array.
   */
  digest(output?: Uint8Array): Uint8Array;
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
  /** ciphertext || tag, in a new array. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /**
   * Seals into the caller's `output` (exactly plaintext.length + tag length bytes): ciphertext || tag. The
   * record layer seals in place: `output` may start at `plaintext`'s first byte (the same memory, with room
   * for the tag after it); any other overlap is not allowed. Nothing is kept of `output` afterwards.
   * Optional, so a provider written before it still works: the record layer then copies `seal`'s result.
   */
  sealInto?(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output: Uint8Array): void;
  /** The plaintext, or null when authentication fails. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;
  /**
   * Zeroes the provider's own copy of the key: the connection closed and will neither seal nor open again. Optional:
   * a key held where it cannot be written (a KeyObject, a hardware module) is only dropped.
   */
  wipe?(): void;
}

/**
 * An AeadKey from its one in-place sealer: `sealInto` checks the output's length (plaintext + tag) before
 * anything is written, `seal` seals into a fresh array from `allocate`. A class whose methods live on its
 * prototype, not closures and a spread object per key: a connection makes four keys per handshake (docs/performance-history.md, fifth round).
 */
export abstract class InPlaceAead implements AeadKey {
  constructor(
    /** For error messages. */
    protected readonly name: string,
    readonly tagLength: number,
  ) {}

  /** ciphertext || tag into `output`, whose length is already checked; `output` may start at `plaintext`. */
  protected abstract sealChecked(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output: Uint8Array): void;

  abstract open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;

  /** seal()'s output: every byte of it is written, so it need not be zeroed. */
  protected allocate(length: number): Uint8Array {
    return new Uint8Array(length);
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const output = this.allocate(plaintext.length + this.tagLength);
    this.sealChecked(nonce, aad, plaintext, output);
    return output;
  }

  sealInto(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output: Uint8Array): void {
    if (output.length !== plaintext.length + this.tagLength) throw new Error(`${this.name} output must be ${plaintext.length + this.tagLength} bytes, got ${output.length}`);
    this.sealChecked(nonce, aad, plaintext, output);
  }
}

export type GroupName =
  | 'x25519'
  | 'x448'
  | 'secp256r1'
  | 'secp384r1'
  | 'secp521r1'
  /** RFC 7919 finite-field groups. */
  | 'ffdhe2048'
  | 'ffdhe3072'
  | 'ffdhe4096'
  | 'ffdhe6144'
  | 'ffdhe8192'
  /** draft-ietf-tls-ecdhe-mlkem hybrids. */
  | 'X25519MLKEM768'
  | 'SecP256r1MLKEM768'
  | 'SecP384r1MLKEM1024'
  /** draft-ietf-tls-mlkem, ML-KEM alone. */
  | 'MLKEM768'
  | 'MLKEM1024';

/** A client's key share: the secret half it keeps and the value it sends. */
export interface KeySharePair<Private = unknown> {
  privateKey: Private;
  share: Uint8Array;
}

/**
 * A key-exchange group in the shape of a key encapsulation mechanism (draft-ietf-tls-mlkem §3: KeyGen,
 * Encaps, Decaps), which fits Diffie-Hellman groups and ML-KEM alike, so the handshake never branches on a
 * group's kind. The client makes a key pair and sends its share; the server answers that share with its own
 * (a DH public value, or an ML-KEM ciphertext) and gets the shared secret; the client recovers the same
 * secret from the server's share. `Private` is the client's secret half; only this group reads it.
 */
export interface KeyExchange<Private = unknown> {
  readonly group: GroupName;
  /** Byte lengths of the client's key_exchange value and of the server's (RFC 8446 §4.2.8). */
  readonly shareLengths: { readonly client: number; readonly server: number };
  /** Client: a fresh key pair from the caller's randomness; `share` goes in the ClientHello's KeyShareEntry. */
  generate(random: RandomSource): KeySharePair<Private>;
  /**
   * Server: answers the client's share. Null when the client's share is invalid (wrong length, not a valid
   * public value or encapsulation key, an all-zero DH result): the handshake ends with illegal_parameter.
   */
  encapsulate(clientShare: Uint8Array, random: RandomSource): { share: Uint8Array; sharedSecret: Uint8Array } | null;
  /** Client: the shared secret from our private key and the server's share, or null when that share is invalid. */
  decapsulate(privateKey: Private, serverShare: Uint8Array): Uint8Array | null;
  /**
   * Client: the private key is of no more use (the shared secret derived, a HelloRetryRequest, a share the server did
   * not pick, a failed handshake): zeroed where it can be written. Optional: a key held where it cannot be (a
   * node:crypto KeyObject) is only dropped.
   */
  discard?(privateKey: Private): void;
}

export type CurveName = 'P-256' | 'P-384' | 'P-521';

/**
 * The restriction an id-RSASSA-PSS key carries in its RSASSA-PSS-params (RFC 4055 §3.1, §3.3): it signs
 * only with this hash (MGF1 over the same hash: keys with another MGF1 hash are refused when parsed) and a
 * salt of at least `minSaltLength` bytes. A key without parameters is unrestricted.
 */
export interface RsaPssKeyParams {
  hash: HashName;
  minSaltLength: number;
}

export type PublicKey =
  | { kind: 'ed25519'; publicKey: Uint8Array }
  /** RFC 8032 §5.2.5: 57 bytes. */
  | { kind: 'ed448'; publicKey: Uint8Array }
  /** `point` is the uncompressed SEC1 encoding (0x04 || X || Y). */
  | { kind: 'ecdsa'; curve: CurveName; point: Uint8Array }
  /** An rsaEncryption key (RFC 3279 §2.3.1): PKCS#1 v1.5 and PSS signatures (TLS: rsa_pss_rsae_*). */
  | { kind: 'rsa'; n: bigint; e: bigint }
  /** An id-RSASSA-PSS key (RFC 4055 §1.2): PSS signatures only (TLS: rsa_pss_pss_*), within `params`. */
  | { kind: 'rsa-pss'; n: bigint; e: bigint; params?: RsaPssKeyParams }
  /** An ML-DSA public key (FIPS 204 §7.2 pkEncode), of its parameter set's exact length (RFC 9881 §4). */
  | { kind: 'ml-dsa'; parameterSet: MlDsaParameterSet; publicKey: Uint8Array };

/** The three ML-DSA parameter sets of FIPS 204 §4, Table 1. */
export type MlDsaParameterSet = 'ML-DSA-44' | 'ML-DSA-65' | 'ML-DSA-87';

export type PrivateKey =
  | { kind: 'ed25519'; seed: Uint8Array }
  /** RFC 8032 §5.2.5: a 57-byte secret. */
  | { kind: 'ed448'; seed: Uint8Array }
  | { kind: 'ecdsa'; curve: CurveName; d: Uint8Array }
  | { kind: 'rsa'; n: bigint; e: bigint; d: bigint; p?: bigint; q?: bigint }
  | { kind: 'rsa-pss'; n: bigint; e: bigint; d: bigint; p?: bigint; q?: bigint; params?: RsaPssKeyParams }
  /** The 32-byte seed ξ of ML-DSA.KeyGen_internal (FIPS 204 Algorithm 6), the key's RFC 9881 §6 "seed" form. */
  | { kind: 'ml-dsa'; parameterSet: MlDsaParameterSet; seed: Uint8Array };

/**
 * A signature algorithm independent of TLS code points, so the same call serves CertificateVerify
 * (RFC 8446 §4.4.3) and X.509 certificate signatures (RFC 5280 §4.1.1.2).
 * ECDSA signatures are DER-encoded Ecdsa-Sig-Value, as both TLS and X.509 carry them.
 * EdDSA is PureEdDSA with an empty context (RFC 8032 §5.1, §5.2; RFC 8446 §4.2.3; RFC 8410 §6).
 * ML-DSA is pure ML-DSA (FIPS 204 Algorithms 2 and 3) with an empty context, in TLS (draft-ietf-tls-mldsa
 * §3.2) and in certificates (RFC 9881 §3) alike.
 */
/** A hint to CryptoProvider.verify. */
export interface VerifyOptions {
  readonly ownKey?: boolean;
}

export type SignatureAlgorithm =
  | { kind: 'ed25519' }
  | { kind: 'ed448' }
  | { kind: 'ecdsa'; hash: HashName }
  | { kind: 'rsa-pkcs1'; hash: HashName }
  /** RSASSA-PSS with MGF1 over the same hash; TLS 1.3 fixes saltLength to the hash length. */
  | { kind: 'rsa-pss'; hash: HashName; saltLength: number }
  | { kind: 'ml-dsa'; parameterSet: MlDsaParameterSet };

/**
 * `result` written into the caller's `output` when one is given (which must be exactly as long), the result
 * array then wiped; `result` itself otherwise. For providers whose primitives always return new arrays.
 */
export function resultInto(result: Uint8Array, output: Uint8Array | undefined): Uint8Array {
  if (output === undefined) return result;
  try {
    if (output.length !== result.length) throw new Error(`output must be ${result.length} bytes, got ${output.length}`);
    output.set(result);
    return output;
  } finally {
    result.fill(0);
  }
}

/** Where randomness comes from: the OS by default, a seeded stream in tests and replays. */
export type RandomSource = (length: number) => Uint8Array;

/**
 * Every argument is read during the call only: the engine may reuse an input's memory afterwards (it writes
 * HkdfLabels into one reused array), so a provider copies what it keeps. Results are the caller's.
 */
export interface CryptoProvider {
  readonly name: string;
  hashLength(hash: HashName): number;
  hash(hash: HashName, data: Uint8Array): Uint8Array;
  createHash(hash: HashName): HashState;
  /**
   * HMAC (RFC 2104). With `output` (exactly the hash's length) the MAC is written there and `output` returned,
   * as with hkdfExpand.
   */
  hmac(hash: HashName, key: Uint8Array, data: Uint8Array, output?: Uint8Array): Uint8Array;
  /** HKDF-Extract (RFC 5869 §2.2). */
  hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  /**
   * HKDF-Expand (RFC 5869 §2.3). With `output` (exactly `length` bytes, sharing no memory with the inputs) the
   * result is written there and `output`
   * returned: the key schedule derives what never leaves it (finished keys, AEAD keys the AEAD copies, the
   * "derived" salt) into memory it reuses and wipes. Nothing is kept of `output`. A provider written before this
   * parameter returns a new array instead; callers use the returned array, never `output` itself.
   */
  hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number, output?: Uint8Array): Uint8Array;
  aeadKeyLength(aead: AeadName): number;
  createAead(aead: AeadName, key: Uint8Array): AeadKey;
  keyExchange(group: GroupName): KeyExchange;
  /**
   * `random` supplies the RSA-PSS salt and ML-DSA's 32 bytes of hedging randomness (FIPS 204 §3.4), and
   * nothing else: ECDSA uses RFC 6979 nonces, EdDSA is deterministic.
   */
  sign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, random: RandomSource): Uint8Array;
  /**
   * False for a wrong signature, a malformed one, or a key that does not fit the algorithm: never throws.
   * `options.ownKey`: the key is one our configuration holds (a certificate we sign with), never a peer's; a
   * provider may keep work per such key (noble: a decoded point and its table). The verdict is the same.
   */
  verify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array, options?: VerifyOptions): boolean;
  /** The public half of a private key. */
  publicKeyOf(key: PrivateKey): PublicKey;
}
