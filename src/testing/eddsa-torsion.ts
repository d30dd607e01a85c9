// EdDSA signatures that the holder of a key can make and that the two verification equations RFC 8032
// allows judge differently (§5.1.7, §5.2.7: the cofactored [c][S]B = [c]R + [c][k]A', or "sufficient, but
// not required", [S]B = R + [k]A'): R, or the published key, carries a point of small order. Test-only code,
// built from the private scalar as the signer would (RFC 8032 §5.1.6, §5.2.6), with R's nonce chosen.
import { ed25519, ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { concat, fromHex, utf8 } from '../wire/bytes.js';

type EdwardsCurve = typeof ed25519 | typeof ed448;

/** dom4(0, "") of PureEdDSA over Ed448 (RFC 8032 §5.2): "SigEd448", phflag 0, an empty context. */
const DOM4 = concat(utf8.encode('SigEd448'), Uint8Array.of(0, 0));

const CURVES = {
  ed25519: {
    curve: ed25519 as EdwardsCurve,
    bytes: 32,
    challenge: (data: Uint8Array) => sha512(data),
    // The eight points of order dividing 8, the identity first.
    smallOrderPoints: ED25519_TORSION_SUBGROUP.map(fromHex),
  },
  ed448: {
    curve: ed448 as EdwardsCurve,
    bytes: 57,
    challenge: (data: Uint8Array) => shake256(concat(DOM4, data), { dkLen: 114 }),
    // The identity (0, 1), (0, -1) of order 2, and (±1, 0) of order 4 (the top bit is the sign of x).
    smallOrderPoints: [
      '01'.padEnd(114, '0'),
      'fe' + 'ff'.repeat(27) + 'fe' + 'ff'.repeat(27) + '00',
      '00'.repeat(57),
      '00'.repeat(56) + '80',
    ].map(fromHex),
  },
} as const;

export type EdwardsKind = keyof typeof CURVES;

/** How many points of small order `kind` has (its cofactor): indices 0 (the identity) to this minus one. */
export const smallOrderPointCount = (kind: EdwardsKind): number => CURVES[kind].smallOrderPoints.length;

/** The encoding of small-order point `index` of `kind` (0 is the identity). */
export const smallOrderPoint = (kind: EdwardsKind, index: number): Uint8Array => CURVES[kind].smallOrderPoints[index]!.slice();

export interface TorsionOptions {
  /** R's nonce: R = [r]B plus the torsion point; 0 makes R the torsion point itself. Default: from the message. */
  r?: bigint;
  /** Index of the small-order point added to R (0, the identity, for none). */
  rTorsion?: number;
  /** Index of the small-order point added to the published key A = [a]B. */
  keyTorsion?: number;
}

/**
 * The public key (A plus its torsion point) and a signature of `message` by the private key `seed` under it:
 * S = r + k·a (mod L) with k from R, that key and the message, as RFC 8032 signs.
 */
export function torsionedSignature(kind: EdwardsKind, seed: Uint8Array, message: Uint8Array, options: TorsionOptions = {}): { publicKey: Uint8Array; signature: Uint8Array } {
  const { curve, bytes, challenge, smallOrderPoints } = CURVES[kind];
  const { Point } = curve;
  const L = Point.Fn.ORDER;
  const torsion = (index = 0) => Point.fromBytes(smallOrderPoints[index]!);
  const a = curve.utils.getExtendedPublicKey(seed).scalar;
  const publicKey = Point.BASE.multiply(a).add(torsion(options.keyTorsion)).toBytes();
  const r = options.r ?? bytesToNumberLE(challenge(message)) % L;
  const rPoint = r === 0n ? Point.ZERO : Point.BASE.multiply(r);
  const R = rPoint.add(torsion(options.rTorsion)).toBytes();
  const k = bytesToNumberLE(challenge(concat(R, publicKey, message))) % L;
  return { publicKey, signature: concat(R, numberToBytesLE((r + k * a) % L, bytes)) };
}

/** Whether [k]T is the identity for the challenge k of `signature`: a cofactorless verifier then accepts a key with T added. */
export function challengeKillsKeyTorsion(kind: EdwardsKind, publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array, keyTorsion: number): boolean {
  const { curve, bytes, challenge, smallOrderPoints } = CURVES[kind];
  const k = bytesToNumberLE(challenge(concat(signature.subarray(0, bytes), publicKey, message))) % curve.Point.Fn.ORDER;
  const t = curve.Point.fromBytes(smallOrderPoints[keyTorsion]!);
  return k === 0n || t.multiplyUnsafe(k).is0();
}
