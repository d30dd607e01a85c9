// Verification with one of our own configured keys, which the engine does for every CertificateVerify it sends
// (handshake/signatures.ts, verifiedBeforeSending). noble multiplies a public key with no table, so one
// verify cost 5 to 13 signatures; our own keys are few and fixed, so each gets its decoded point once, with a
// precomputed window table (docs/performance-history.md, Issue 16, eleventh round). Never a peer's key: an attacker
// chooses those, and each table costs milliseconds and tens of KiB.
// The verdicts are noble's (and eddsa-verify.ts's) to the bit: test/crypto/own-key-tables.test.ts compares them.
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { bytesToNumberBE, bytesToNumberLE } from '@noble/curves/utils.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { concat, hex, utf8 } from '../wire/bytes.js';
import { ed448RHasImage, verifyEd25519 } from './eddsa-verify.js';
import type { CurveName } from './provider.js';

const ECDSA_CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/**
 * Window of the tables: one addition per 6 bits of the scalar, no doublings, 2^5 points per window. Measured
 * (eleventh round) per key: 0.5-0.7 MiB and 15-80 ms to build once; 8 bits made multiplications 1.3-1.7 times
 * faster (0.1-0.2 ms of a ~1 ms check) for 0.9-2 MiB and twice the build time.
 */
const WINDOW = 6;
/**
 * Keys that get a table, for the life of the process: a configuration holds a few certificates. A key beyond
 * them is checked without one (as a peer's key is), never by dropping another's table: a server with more
 * certificates than this, whose clients pick one by SNI, would otherwise rebuild a table (15-80 ms) per handshake.
 */
export const MAX_OWN_KEY_TABLES = 8;

type Point = { multiplyUnsafe(scalar: bigint): Point; precompute(window: number, isLazy: boolean): Point };

const tables = new Map<string, Point>();
let built = 0;

/** How many keys have a table now (at most MAX_OWN_KEY_TABLES). */
export const ownKeyTablesHeld = () => tables.size;
/** How many tables were built since the process started (each once per key, while the rule above holds). */
export const ownKeyTablesBuilt = () => built;

/** The decoded key, with its table while there is room for one; throws for bytes that are no point. */
function tabled<P extends Point>(kind: string, publicKey: Uint8Array, decode: (bytes: Uint8Array) => P): P {
  const id = `${kind}:${hex(publicKey)}`;
  const known = tables.get(id);
  if (known) return known as P;
  if (tables.size >= MAX_OWN_KEY_TABLES) return decode(publicKey);
  const point = decode(publicKey).precompute(WINDOW, false);
  built++;
  tables.set(id, point);
  return point as P;
}

/**
 * ECDSA as noble's verify (lowS off, DER, the digest given), with the key's table: SEC 1 §4.1.4, u1 = e·s⁻¹,
 * u2 = r·s⁻¹, R = u1·G + u2·Q, valid when R is not the identity and R.x mod n = r. e is the digest's leftmost
 * bits, as many as n has (§4.1.4 step 3). False for anything malformed; never throws.
 */
export function verifyEcdsaOwnKey(curveName: CurveName, digestBytes: Uint8Array, point: Uint8Array, signature: Uint8Array): boolean {
  const curve = ECDSA_CURVES[curveName];
  const { Point, Signature } = curve;
  const Fn = Point.Fn;
  try {
    const q = tabled(`ecdsa ${curveName}`, point, (bytes) => Point.fromBytes(bytes));
    const { r, s } = Signature.fromBytes(signature, 'der'); // r and s in [1, n-1]
    const excess = digestBytes.length * 8 - Fn.BITS;
    const e = Fn.create(excess > 0 ? bytesToNumberBE(digestBytes) >> BigInt(excess) : bytesToNumberBE(digestBytes));
    const sInverse = Fn.inv(s);
    const R = Point.BASE.multiplyUnsafe(Fn.create(e * sInverse)).add(q.multiplyUnsafe(Fn.create(r * sInverse)));
    return !R.is0() && Fn.create(R.toAffine().x) === r;
  } catch {
    return false;
  }
}

/** Ed25519 as eddsa-verify.ts decides it, with the key's table. */
export function verifyEd25519OwnKey(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  let a: ReturnType<typeof ed25519.Point.fromBytes>;
  try {
    a = tabled('ed25519', publicKey, (bytes) => ed25519.Point.fromBytes(bytes));
  } catch {
    return false;
  }
  return verifyEd25519(signature, message, publicKey, a);
}

const Ed448Point = ed448.Point;
/** dom4(0, "") of RFC 8032 §5.2: PureEdDSA, empty context. */
const DOM4_PURE = concat(utf8.encode('SigEd448'), new Uint8Array([0, 0]));

/**
 * Ed448 as verifyEd448 decides it (RFC 8032 §5.2.7, cofactored, R with x = 0 refused first), with the key's
 * table: k = SHAKE256(dom4 || R || A || M, 114) mod L, valid when [4]([S]B - R - [k]A) is the identity.
 */
export function verifyEd448OwnKey(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 114 || publicKey.length !== 57) return false;
  if (!ed448RHasImage(signature)) return false;
  try {
    const a = tabled('ed448', publicKey, (bytes) => Ed448Point.fromBytes(bytes));
    const r = signature.subarray(0, 57);
    const R = Ed448Point.fromBytes(r); // canonical only
    const sb = Ed448Point.BASE.multiplyUnsafe(bytesToNumberLE(signature.subarray(57))); // throws for S >= L
    if (a.isSmallOrder()) return false;
    const k = Ed448Point.Fn.create(bytesToNumberLE(shake256(concat(DOM4_PURE, r, publicKey, message), { dkLen: 114 })));
    return R.add(a.multiplyUnsafe(k)).subtract(sb).clearCofactor().is0();
  } catch {
    return false;
  }
}
