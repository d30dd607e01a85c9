// ML-DSA (FIPS 204) signatures: the sizes of each parameter set, the rules a key and a signature must meet
// before any arithmetic, and signing and verifying by noble's implementation, which both providers use (Node
// 20's OpenSSL 3.0 has no ML-DSA). Pure ML-DSA with an empty context string, as TLS (draft-ietf-tls-mldsa
// §3.2: "The context (ctx) parameter MUST be the empty string") and certificates (RFC 9881 §3) use it; never
// HashML-DSA (RFC 9881 §8.3).
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import type { MlDsaParameterSet, PrivateKey, PublicKey, RandomSource } from './provider.js';
import { constantTimeEqual } from '../wire/bytes.js';

/** Byte lengths of one parameter set (FIPS 204 §4, Table 2; RFC 9881 §4, §6). */
export interface MlDsaSizes {
  publicKey: number;
  signature: number;
  /** The expanded private key (FIPS 204 skEncode), RFC 9881's expandedKey. */
  expandedKey: number;
}

export const ML_DSA_SIZES: Readonly<Record<MlDsaParameterSet, MlDsaSizes>> = {
  'ML-DSA-44': { publicKey: 1312, signature: 2420, expandedKey: 2560 },
  'ML-DSA-65': { publicKey: 1952, signature: 3309, expandedKey: 4032 },
  'ML-DSA-87': { publicKey: 2592, signature: 4627, expandedKey: 4896 },
};

/** ξ, the seed of ML-DSA.KeyGen_internal (FIPS 204 Algorithm 6), and the length of the hedging randomness rnd. */
export const ML_DSA_SEED_LENGTH = 32;
const RND_LENGTH = 32;

export const ML_DSA_PARAMETER_SETS = Object.keys(ML_DSA_SIZES) as MlDsaParameterSet[];

const NOBLE = { 'ML-DSA-44': ml_dsa44, 'ML-DSA-65': ml_dsa65, 'ML-DSA-87': ml_dsa87 } as const;

/**
 * Why `key` may not make or check `parameterSet` signatures, or undefined. A key belongs to one parameter
 * set: an ML-DSA-44 key under ML-DSA-65 is another algorithm (draft-ietf-tls-mldsa §3.2: the end-entity
 * certificate "MUST use the corresponding AlgorithmIdentifier"). Lengths are the parser's to check (RFC 9881
 * §4, mldsa-keys.ts); noble refuses any other.
 */
export function mlDsaKeyProblem(parameterSet: MlDsaParameterSet, key: PublicKey | PrivateKey): string | undefined {
  if (key.kind !== 'ml-dsa') return `a ${key.kind} key cannot make ${parameterSet} signatures`;
  return key.parameterSet === parameterSet ? undefined : `an ${key.parameterSet} key cannot make ${parameterSet} signatures`;
}

/** The public key of a seed (ML-DSA.KeyGen_internal). */
export function mlDsaPublicKey(parameterSet: MlDsaParameterSet, seed: Uint8Array): Uint8Array {
  const { publicKey, secretKey } = NOBLE[parameterSet].keygen(seed);
  secretKey.fill(0);
  return publicKey;
}

/** The expanded private key (skEncode) of a seed: what RFC 9881's "both" form carries beside the seed. */
export function mlDsaExpandedKey(parameterSet: MlDsaParameterSet, seed: Uint8Array): Uint8Array {
  return NOBLE[parameterSet].keygen(seed).secretKey;
}

/** The expanded key of a seed, with the seed and set it was made from. */
interface ExpandedKey {
  parameterSet: MlDsaParameterSet;
  seed: Uint8Array;
  secretKey: Uint8Array;
}

/**
 * Each signing seed's expanded key, made at its first signature and kept while the seed array lives (a
 * configured key signs every handshake; KeyGen_internal costs 0.8-2.6 ms, more than the signature). It is as
 * secret as the seed it sits beside. A seed written over in place, or used under another set, is expanded
 * again: the entry keeps its own copy of the seed and is used only while that copy still matches.
 */
const expandedKeys = new WeakMap<Uint8Array, ExpandedKey>();

function expandedKeyFor(parameterSet: MlDsaParameterSet, seed: Uint8Array): Uint8Array {
  const kept = expandedKeys.get(seed);
  if (kept && kept.parameterSet === parameterSet && constantTimeEqual(kept.seed, seed)) return kept.secretKey;
  if (kept) {
    kept.secretKey.fill(0);
    kept.seed.fill(0);
  }
  const made: ExpandedKey = { parameterSet, seed: new Uint8Array(seed), secretKey: mlDsaExpandedKey(parameterSet, seed) };
  expandedKeys.set(seed, made);
  return made.secretKey;
}

/**
 * ML-DSA.Sign (FIPS 204 Algorithm 2), hedged: rnd is 32 bytes from `random` (§3.4 recommends the hedged
 * variant; from our RandomSource, a seeded run signs the same bytes again). The expanded key is the seed's,
 * made once (expandedKeyFor).
 */
export function mlDsaSign(parameterSet: MlDsaParameterSet, seed: Uint8Array, message: Uint8Array, random: RandomSource): Uint8Array {
  return NOBLE[parameterSet].sign(message, expandedKeyFor(parameterSet, seed), { extraEntropy: random(RND_LENGTH) });
}

/**
 * ML-DSA.Verify (FIPS 204 Algorithm 3) with an empty context, under `parameterSet`: a key or a signature not
 * of that set's exact length noble refuses before any arithmetic (pkDecode, sigDecode), so a key of another
 * set fails here too (signatureKeyProblem refuses it first). False for anything malformed, never throws.
 */
export function mlDsaVerify(parameterSet: MlDsaParameterSet, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return NOBLE[parameterSet].verify(signature, message, publicKey);
  } catch {
    return false; // a key noble cannot decode
  }
}
