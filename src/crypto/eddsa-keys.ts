// EdDSA public keys that prove nothing: one rule, checked where a key is parsed, whichever provider verifies.
import { fromHex } from '../wire/bytes.js';
import { i2osp, os2ip } from './bigint.js';

/**
 * The field of each curve, and the y-coordinates of its points of small order (RFC 8032 §5.1, §5.2): for
 * Ed25519 (cofactor 8) y = 1 (the identity), p - 1 (order 2), 0 (order 4) and ±c (order 8); for Ed448
 * (cofactor 4) y = 1, p - 1 and 0. With y known, a point's order follows without decompressing it, which
 * costs a square root in the field (about 0.2 ms here, per key parsed). Each is kept in its encoding (RFC 8032
 * §5.1.2, §5.2.2: little-endian, of the key's length), so that a key is judged by comparing bytes: the check
 * runs for every EdDSA key parsed and every signature made or checked (six times in an mTLS handshake), and
 * bigints made it 0.57 µs a call against 0.02 µs (docs/performance-history.md, seventh round: engine CPU).
 */
const P25519 = 2n ** 255n - 19n;
const ORDER_8_Y = os2ip(fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05').reverse());
const P448 = 2n ** 448n - 2n ** 224n - 1n;
const CURVES = {
  ed25519: curve('Ed25519', 32, P25519, [1n, P25519 - 1n, 0n, ORDER_8_Y, P25519 - ORDER_8_Y]),
  ed448: curve('Ed448', 57, P448, [1n, P448 - 1n, 0n]),
};

function curve(name: string, length: number, p: bigint, smallOrderY: bigint[]) {
  const encode = (y: bigint) => i2osp(y, length).reverse();
  return { name, length, p: encode(p), one: encode(1n), minusOne: encode(p - 1n), smallOrderY: smallOrderY.map(encode) };
}

/**
 * Why an encoded EdDSA public key is not one we use, or undefined. It must be in its canonical encoding
 * (RFC 8032 §5.1.3, §5.2.3: y below p, and no sign bit for x = 0, i.e. for y = ±1), and not of small order:
 * for the identity, R = identity and S = 0 verify every message ([S]B = R + [k]A), and OpenSSL's Ed25519
 * accepts that, so such a key proves no possession of anything (libsodium refuses these keys too). A y with
 * no point on the curve is left to the verification, which fails in every provider.
 */
export function eddsaPublicKeyProblem(kind: 'ed25519' | 'ed448', encoded: Uint8Array): string | undefined {
  const { name, length, p, one, minusOne, smallOrderY } = CURVES[kind];
  if (encoded.length !== length) return `${name} public key of ${encoded.length} bytes, not ${length}`;
  const xIsOdd = encoded[length - 1]! >> 7;
  if (compareY(encoded, p) >= 0 || (xIsOdd && (compareY(encoded, one) === 0 || compareY(encoded, minusOne) === 0))) {
    return `${name} public key is not in its canonical encoding (RFC 8032 §5.1.3: y below p, x = 0 without a sign bit)`;
  }
  return smallOrderY.some((y) => compareY(encoded, y) === 0) ? `${name} public key is a point of small order: anyone can make signatures that verify with it` : undefined;
}

/** The key's y (its encoding without the sign bit of x, the top bit) against `y`, both little-endian of one length. */
function compareY(encoded: Uint8Array, y: Uint8Array): number {
  for (let i = encoded.length - 1; i >= 0; i--) {
    const byte = i === encoded.length - 1 ? encoded[i]! & 0x7f : encoded[i]!;
    if (byte !== y[i]) return byte - y[i]!;
  }
  return 0;
}
