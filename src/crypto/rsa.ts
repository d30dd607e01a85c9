// RSA signatures with bigints, following RFC 8017: RSASSA-PSS (§8.1, EMSA-PSS §9.1) and
// RSASSA-PKCS1-v1_5 (§8.2, EMSA-PKCS1-v1_5 §9.2). The one primitive noble lacks.
// Every length and range the RFC checks is checked. bigint arithmetic is not constant-time: signing is blinded
// (rsa-blinding.ts) so that its time follows neither the message nor the bits of d (docs/security.md, session 17).
import { concat, constantTimeEqual } from '../wire/bytes.js';
import { bitLength, i2osp, mod, modInverse, modPow, os2ip } from './bigint.js';
import { digest, digestLength } from './hashes.js';
import { rsaBlinding } from './rsa-blinding.js';
import type { HashName, RandomSource } from './provider.js';

export interface RsaPublicKey {
  n: bigint;
  e: bigint;
}

/**
 * Our bounds on an RSA public key, checked wherever one is parsed (rsaPublicKeyProblem) and again before
 * any verification, so a peer cannot make one signature check cost more than an 8192-bit modulus with a
 * 33-bit exponent: the bounds of ring, which webpki and rustls use (BoringSSL also caps e at 33 bits).
 */
export const RSA_MAX_MODULUS_BITS = 8192;
export const RSA_MAX_PUBLIC_EXPONENT = (1n << 33n) - 1n;

/**
 * Why (n, e) is not an RSA public key we use, or undefined. RFC 8017 §3.1: n is a product of odd primes,
 * so odd; 3 <= e < n, and e is odd since it is coprime to (p-1)(q-1). The modulus must be a whole number
 * of bytes (a multiple of 8 bits), as strict verifiers require.
 */
export function rsaPublicKeyProblem(n: bigint, e: bigint): string | undefined {
  if (n <= 0n) return 'RSA modulus is not positive';
  const bits = bitLength(n);
  if (bits > RSA_MAX_MODULUS_BITS) return `RSA modulus of ${bits} bits exceeds our limit of ${RSA_MAX_MODULUS_BITS}`;
  if (bits % 8 !== 0) return `RSA modulus of ${bits} bits is not a multiple of 8 bits`;
  if ((n & 1n) === 0n) return 'RSA modulus is even';
  if (e < 3n) return `RSA public exponent ${e} is below 3`;
  if ((e & 1n) === 0n) return `RSA public exponent ${e} is even`;
  if (e > RSA_MAX_PUBLIC_EXPONENT) return `RSA public exponent of ${bitLength(e)} bits exceeds our limit of 33 bits`;
  if (e >= n) return 'RSA public exponent is not below the modulus';
  return undefined;
}

/** k, the length in octets of the modulus and of every signature under it (RFC 8017 §8.1.2, §8.2.2 step 1). */
export function rsaSignatureLength(key: RsaPublicKey): number {
  // Through hex, half the time of counting bits (2.8 against 7.2 µs for 2048 bits): the node provider asks it per verification.
  return key.n > 0n ? Math.ceil(key.n.toString(16).length / 2) : 0;
}

/** `p` and `q`, when both are given, must be the prime factors of `n`; signing then uses the CRT. */
export interface RsaPrivateKey extends RsaPublicKey {
  d: bigint;
  p?: bigint;
  q?: bigint;
}

/**
 * Why `d` is not the private exponent of n = p·q and e (RFC 8017 §3.2: e·d ≡ 1 modulo p − 1 and q − 1), or
 * undefined: a provider that signs with a key's CRT values checks this once per key (our own RSASP1 verifies
 * every signature instead). A wrong d right modulo p − 1 gives the peer p (Boneh, DeMillo, Lipton 1997).
 */
export function rsaPrivateExponentProblem(key: Required<RsaPrivateKey>): string | undefined {
  const fits = (prime: bigint) => (key.e * key.d) % (prime - 1n) === 1n;
  return fits(key.p) && fits(key.q) ? undefined : 'RSA private key: d is not the private exponent of n and e (e·d ≢ 1 modulo p − 1 and q − 1), its signatures would not verify';
}

/** RSASSA-PSS-SIGN (RFC 8017 §8.1.1), MGF1 over the same hash, the salt drawn from `random`. */
export function rsaPssSign(
  key: RsaPrivateKey,
  hash: HashName,
  message: Uint8Array,
  saltLength: number,
  random: RandomSource,
): Uint8Array {
  const modBits = bitLength(key.n);
  const em = emsaPssEncode(digest(hash, message), modBits - 1, hash, random(saltLength));
  return signEncoded(key, em);
}

/** RSASSA-PSS-VERIFY (RFC 8017 §8.1.2): false for any malformed or wrong signature. */
export function rsaPssVerify(
  key: RsaPublicKey,
  hash: HashName,
  message: Uint8Array,
  signature: Uint8Array,
  saltLength: number,
): boolean {
  const emBits = bitLength(key.n) - 1;
  const em = openSignature(key, signature, byteLength(emBits));
  if (em === null) return false;
  const unmasked = unmaskPss(em, emBits, hash);
  if (unmasked === null || unmasked.salt.length !== saltLength) return false;
  // §9.1.2 steps 12-14: H' = Hash(0x00 * 8 || mHash || salt) must equal H.
  return constantTimeEqual(pssHashOf(hash, digest(hash, message), unmasked.salt), unmasked.h);
}

/**
 * The salt inside a PSS signature (RFC 8017 §9.1.2 steps 1-10, with the salt length found from the
 * position of the 0x01 separator). Replays use it to feed a published signature's salt back in.
 * Throws when the signature does not open to a well-formed PSS encoding.
 */
export function recoverPssSalt(publicKey: RsaPublicKey, hash: HashName, signature: Uint8Array): Uint8Array {
  const emBits = bitLength(publicKey.n) - 1;
  const em = openSignature(publicKey, signature, byteLength(emBits));
  const unmasked = em === null ? null : unmaskPss(em, emBits, hash);
  if (unmasked === null) throw new Error('not a well-formed RSASSA-PSS signature for this key and hash');
  return unmasked.salt;
}

/** RSASSA-PKCS1-V1_5-SIGN (RFC 8017 §8.2.1). */
export function rsaPkcs1Sign(key: RsaPrivateKey, hash: HashName, message: Uint8Array): Uint8Array {
  return signEncoded(key, emsaPkcs1Encode(hash, message, byteLength(bitLength(key.n))));
}

/** RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 §8.2.2): re-encode and compare, as the RFC recommends. */
export function rsaPkcs1Verify(key: RsaPublicKey, hash: HashName, message: Uint8Array, signature: Uint8Array): boolean {
  const k = rsaSignatureLength(key);
  const em = openSignature(key, signature, k);
  if (em === null) return false;
  const expected = emsaPkcs1Encode(hash, message, k);
  return expected !== null && constantTimeEqual(em, expected);
}

// --- Encoding methods (RFC 8017 §9) ---

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1), from step 3 on (mHash given). */
function emsaPssEncode(mHash: Uint8Array, emBits: number, hash: HashName, salt: Uint8Array): Uint8Array {
  const hLen = mHash.length;
  const emLen = byteLength(emBits);
  if (emLen < hLen + salt.length + 2) throw new Error(`RSA key too small for PSS with ${hash} and a ${salt.length}-byte salt`);
  const h = pssHashOf(hash, mHash, salt);
  const db = new Uint8Array(emLen - hLen - 1); // PS || 0x01 || salt
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const maskedDb = xor(db, mgf1(hash, h, db.length));
  maskedDb[0]! &= 0xff >> (8 * emLen - emBits);
  return concat(maskedDb, h, Uint8Array.of(0xbc));
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) steps 4-10: H and the salt, or null when the structure is wrong. */
function unmaskPss(em: Uint8Array, emBits: number, hash: HashName): { h: Uint8Array; salt: Uint8Array } | null {
  const hLen = digestLength(hash);
  const emLen = em.length;
  if (emLen < hLen + 2 || em[emLen - 1] !== 0xbc) return null;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const unusedBits = 8 * emLen - emBits;
  if ((maskedDb[0]! & ~(0xff >> unusedBits) & 0xff) !== 0) return null;
  const db = xor(maskedDb, mgf1(hash, h, maskedDb.length));
  db[0]! &= 0xff >> unusedBits;
  // DB = PS (zeros) || 0x01 || salt
  const separator = db.findIndex((byte) => byte !== 0);
  if (separator < 0 || db[separator] !== 0x01) return null;
  return { h: h.slice(), salt: db.slice(separator + 1) };
}

/** H = Hash(0x00 * 8 || mHash || salt), RFC 8017 §9.1.1 steps 5-6. */
function pssHashOf(hash: HashName, mHash: Uint8Array, salt: Uint8Array): Uint8Array {
  return digest(hash, concat(new Uint8Array(8), mHash, salt));
}

/** MGF1 (RFC 8017 §B.2.1): Hash(seed || C) for C = 0, 1, ... until maskLen bytes. */
function mgf1(hash: HashName, seed: Uint8Array, maskLen: number): Uint8Array {
  const mask = new Uint8Array(maskLen);
  const block = concat(seed, new Uint8Array(4));
  for (let counter = 0, offset = 0; offset < maskLen; counter++) {
    new DataView(block.buffer).setUint32(seed.length, counter);
    const t = digest(hash, block);
    mask.set(t.subarray(0, maskLen - offset), offset);
    offset += t.length;
  }
  return mask;
}

/** DER of DigestInfo without the digest itself (RFC 8017 §9.2, note 1). */
const DIGEST_INFO_PREFIX: Readonly<Record<HashName, Uint8Array>> = {
  sha1: Uint8Array.of(0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14),
  sha256: digestInfoPrefixSha2(0x31, 0x01, 0x20),
  sha384: digestInfoPrefixSha2(0x41, 0x02, 0x30),
  sha512: digestInfoPrefixSha2(0x51, 0x03, 0x40),
};

/** The SHA-2 prefixes differ only in the outer length, the last OID arc and the digest length. */
function digestInfoPrefixSha2(sequenceLength: number, oidLastArc: number, hashLength: number): Uint8Array {
  return Uint8Array.of(
    0x30, sequenceLength, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, oidLastArc,
    0x05, 0x00, 0x04, hashLength,
  );
}

/** EMSA-PKCS1-V1_5-ENCODE (RFC 8017 §9.2): 0x00 || 0x01 || PS (0xff, at least 8) || 0x00 || T, or null if emLen is too short. */
function emsaPkcs1Encode(hash: HashName, message: Uint8Array, emLen: number): Uint8Array | null {
  const t = concat(DIGEST_INFO_PREFIX[hash], digest(hash, message));
  if (emLen < t.length + 11) return null;
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[emLen - t.length - 1] = 0x00;
  em.set(t, emLen - t.length);
  return em;
}

// --- Primitives (RFC 8017 §5.2) and conversions (§4) ---

/** OS2IP(EM), RSASP1, I2OSP to k bytes (RFC 8017 §8.1.1 step 2, §8.2.1 step 2). */
function signEncoded(key: RsaPrivateKey, em: Uint8Array | null): Uint8Array {
  if (em === null) throw new Error('RSA key too small for this digest');
  const m = os2ip(em);
  if (m >= key.n) throw new Error('RSA message representative out of range');
  const s = rsasp1(key, m, em);
  // Verified with e before it leaves, as OpenSSL does: a d that is not e's inverse signs garbage, and a CRT
  // signature right modulo p only gives the peer p = gcd(s^e - m, n) (Boneh, DeMillo, Lipton 1997).
  if (modPow(s, key.e, key.n) !== m) throw new Error('RSA private key: its signature does not verify with e (d is not the private exponent of n and e)');
  return i2osp(s, byteLength(bitLength(key.n)));
}

/**
 * Signature length check, OS2IP, RSAVP1 and I2OSP to emLen bytes (RFC 8017 §8.1.2 step 1-2,
 * §8.2.2 step 1-2): the encoded message, or null when the signature or the key is out of range.
 */
function openSignature(key: RsaPublicKey, signature: Uint8Array, emLen: number): Uint8Array | null {
  // Only the cost bounds here (a key made in code need not come through the parser's full checks).
  if (key.n < 3n || key.e < 1n || key.e > RSA_MAX_PUBLIC_EXPONENT || bitLength(key.n) > RSA_MAX_MODULUS_BITS) return null;
  if (signature.length !== rsaSignatureLength(key)) return null;
  const s = os2ip(signature);
  if (s >= key.n) return null;
  const m = modPow(s, key.e, key.n);
  return m < 1n << BigInt(8 * emLen) ? i2osp(m, emLen) : null;
}

/**
 * RSASP1 (RFC 8017 §5.2.1), with the Chinese remainder theorem (form 2 of the key) when p and q are known,
 * blinded (rsa-blinding.ts): s = (m·r^e)^d' · r^-1 mod n, d' the exponent plus a multiple of the group order.
 */
function rsasp1(key: RsaPrivateKey, m: bigint, em: Uint8Array): bigint {
  const { n, e, d, p, q } = key;
  const { blind, unblind, multipliers: [kp, kq] } = rsaBlinding(key, em);
  const blinded = (m * blind) % n;
  if (p === undefined || q === undefined) return (modPow(blinded, d + kp * (e * d - 1n), n) * unblind) % n;
  if (p * q !== n) throw new Error('RSA private key: p * q is not n');
  const s1 = modPow(blinded % p, (d % (p - 1n)) + kp * (p - 1n), p);
  const s2 = modPow(blinded % q, (d % (q - 1n)) + kq * (q - 1n), q);
  const qInverse = modInverse(q, p);
  if (qInverse === undefined) throw new Error('RSA private key: q has no inverse mod p');
  const h = mod((s1 - s2) * qInverse, p);
  return ((s2 + q * h) * unblind) % n;
}

function byteLength(bits: number): number {
  return Math.ceil(bits / 8);
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((byte, i) => byte ^ b[i]!);
}
