// EdDSA verification on noble's curves, deciding as OpenSSL (the node provider) does, so that a peer's
// signature gets one verdict whichever provider runs. RFC 8032 allows two equations (§5.1.7 step 3, §5.2.7
// step 3): the cofactored [c][S]B = [c]R + [c][k]A', which noble checks, or "sufficient, but not required",
// [S]B = R + [k]A'. They differ only on signatures whose R or key carries a point of small order, which no
// honest signer makes but the holder of a key can (test/crypto/eddsa-torsion-differential.test.ts).
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concat, equalBytes } from '../wire/bytes.js';

const Ed25519Point = ed25519.Point;
const L25519 = Ed25519Point.Fn.ORDER;

/**
 * Ed25519 (RFC 8032 §5.1.7) with the cofactorless equation, as OpenSSL, BoringSSL and Go check it: R must be
 * the very encoding of [S]B - [k]A (which also refuses a non-canonical R), and S below L. A key of small
 * order, or not canonical, the caller refuses first (signatureKeyProblem): with the identity as A, R = the
 * identity and S = 0 would verify every message. False for anything malformed; never throws.
 */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, decodedKey?: typeof Ed25519Point.BASE): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const r = signature.subarray(0, 32);
  const s = bytesToNumberLE(signature.subarray(32));
  if (s >= L25519) return false;
  let a: typeof Ed25519Point.BASE;
  try {
    // canonical encodings only (not ZIP-215); our own key comes decoded, with its table (own-key-tables.ts)
    a = decodedKey ?? Ed25519Point.fromBytes(publicKey);
  } catch {
    return false; // no point on the curve
  }
  const k = bytesToNumberLE(sha512(concat(r, publicKey, message))) % L25519;
  return equalBytes(Ed25519Point.BASE.multiplyUnsafe(s).subtract(a.multiplyUnsafe(k)).toBytes(), r);
}

const P448 = 2n ** 448n - 2n ** 224n - 1n;
const ED448_SIGN_BIT = 1n << 455n;

/**
 * Ed448 (RFC 8032 §5.2.7, the empty context of PureEdDSA), cofactored as noble and OpenSSL both check it,
 * except that OpenSSL decodes R through the 4-isogeny of its curve448 arithmetic, which has no image for the
 * two points with x = 0 (y = 1, the identity, and y = -1, of order 2): such an R is refused, as there. noble
 * refuses S >= L and non-canonical encodings itself.
 */
export function verifyEd448(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return signature.length === 114 && ed448RHasImage(signature) && ed448.verify(signature, message, publicKey);
}

/** Whether OpenSSL can decode the R of a 114-byte Ed448 signature: its y is neither 1 nor -1 (x = 0). */
export function ed448RHasImage(signature: Uint8Array): boolean {
  const y = bytesToNumberLE(signature.subarray(0, 57)) & ~ED448_SIGN_BIT;
  return y !== 1n && y !== P448 - 1n;
}
