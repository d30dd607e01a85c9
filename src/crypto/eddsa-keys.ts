// EdDSA public keys that prove nothing: one rule, checked where a key is parsed, whichever provider verifies.
import { fromHex } from '../wire/bytes.js';
import { os2ip } from './bigint.js';

/**
 * The field of each curve, and the y-coordinates of its points of small order (RFC 8032 §5.1, §5.2): for
 * Ed25519 (cofactor 8) y = 1 (the identity), p - 1 (order 2), 0 (order 4) and ±c (order 8); for Ed448
 * (cofactor 4) y = 1, p - 1 and 0. With y known, a point's order follows without decompressing it, which
 * costs a square root in the field (about 0.2 ms here, per key parsed).
 */
const P25519 = 2n ** 255n - 19n;
const ORDER_8_Y = littleEndian(fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'));
const P448 = 2n ** 448n - 2n ** 224n - 1n;
const CURVES = {
  ed25519: { name: 'Ed25519', p: P25519, smallOrderY: [1n, P25519 - 1n, 0n, ORDER_8_Y, P25519 - ORDER_8_Y] },
  ed448: { name: 'Ed448', p: P448, smallOrderY: [1n, P448 - 1n, 0n] },
} as const;

/**
 * Why an encoded EdDSA public key is not one we use, or undefined. It must be in its canonical encoding
 * (RFC 8032 §5.1.3, §5.2.3: y below p, and no sign bit for x = 0, i.e. for y = ±1), and not of small order:
 * for the identity, R = identity and S = 0 verify every message ([S]B = R + [k]A), and OpenSSL's Ed25519
 * accepts that, so such a key proves no possession of anything (libsodium refuses these keys too). A y with
 * no point on the curve is left to the verification, which fails in every provider.
 */
export function eddsaPublicKeyProblem(kind: 'ed25519' | 'ed448', encoded: Uint8Array): string | undefined {
  const { name, p, smallOrderY } = CURVES[kind];
  const last = encoded.length - 1;
  const xIsOdd = encoded[last]! >> 7;
  const y = littleEndian(encoded) & ~(1n << BigInt(8 * last + 7));
  if (y >= p || (xIsOdd && (y === 1n || y === p - 1n))) {
    return `${name} public key is not in its canonical encoding (RFC 8032 §5.1.3: y below p, x = 0 without a sign bit)`;
  }
  return smallOrderY.includes(y) ? `${name} public key is a point of small order: anyone can make signatures that verify with it` : undefined;
}

/** RFC 8032 encodes integers little-endian. */
function littleEndian(bytes: Uint8Array): bigint {
  return os2ip(bytes.slice().reverse());
}
