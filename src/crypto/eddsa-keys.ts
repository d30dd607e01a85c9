// EdDSA public keys that prove nothing: one rule, checked where a key is parsed, whichever provider verifies.
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';

const CURVES = { ed25519: { name: 'Ed25519', curve: ed25519 }, ed448: { name: 'Ed448', curve: ed448 } } as const;

/**
 * Why an encoded EdDSA public key is not one we use, or undefined. It must be a point in its canonical
 * encoding (RFC 8032 §5.1.3, §5.2.3: y below p), and not of small order: for the identity, R = identity and
 * S = 0 verify every message ([S]B = R + [k]A), and OpenSSL's Ed25519 accepts that, so such a key proves no
 * possession of anything (libsodium refuses these keys too).
 */
export function eddsaPublicKeyProblem(kind: 'ed25519' | 'ed448', encoded: Uint8Array): string | undefined {
  const { name, curve } = CURVES[kind];
  let point;
  try {
    point = curve.Point.fromBytes(encoded);
  } catch {
    return `${name} public key is not a point of the curve in its canonical encoding (RFC 8032 §5.1.3)`;
  }
  return point.isSmallOrder() ? `${name} public key is a point of small order: anyone can make signatures that verify with it` : undefined;
}
