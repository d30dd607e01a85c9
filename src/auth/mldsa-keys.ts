// ML-DSA keys in their containers (RFC 9881): the public key in a SubjectPublicKeyInfo (§4), the private key
// in PKCS#8 (§6). One OID per parameter set names the key and its signatures alike, and "the parameters
// component of AlgorithmIdentifier MUST be absent" (§2).
import type { MlDsaParameterSet, PrivateKey, PublicKey } from '../crypto/provider.js';
import { ML_DSA_SEED_LENGTH, ML_DSA_SIZES, mlDsaExpandedKey } from '../crypto/mldsa.js';
import { constantTimeEqual } from '../wire/bytes.js';
import { contextTag, type DerReader, Tag } from './der.js';
import { der } from './der-writer.js';
import { KeyError } from './keys.js';
import { OID } from './oids.js';

export const ML_DSA_OIDS: Readonly<Record<MlDsaParameterSet, string>> = {
  'ML-DSA-44': OID.idMlDsa44,
  'ML-DSA-65': OID.idMlDsa65,
  'ML-DSA-87': OID.idMlDsa87,
};

const PARAMETER_SETS: ReadonlyMap<string, MlDsaParameterSet> = new Map(Object.entries(ML_DSA_OIDS).map(([set, oid]) => [oid, set as MlDsaParameterSet]));

/** The parameter set an AlgorithmIdentifier OID names, or undefined when it is not ML-DSA's. */
export function mlDsaParameterSetOf(oid: string): MlDsaParameterSet | undefined {
  return PARAMETER_SETS.get(oid);
}

/** The AlgorithmIdentifier of a key or signature: the OID alone (RFC 9881 §2, §3). */
export function mlDsaAlgorithmIdentifier(parameterSet: MlDsaParameterSet): Uint8Array {
  return der.sequence(der.oid(ML_DSA_OIDS[parameterSet]));
}

function expectNoParameters(parameterSet: MlDsaParameterSet, alg: { params?: DerReader }): void {
  if (alg.params) throw new KeyError(`${parameterSet} AlgorithmIdentifier must not carry parameters (RFC 9881 §2)`);
}

/** RFC 9881 §4: subjectPublicKey is the raw public key (pkEncode), of the parameter set's exact length. */
export function readMlDsaPublicKey(parameterSet: MlDsaParameterSet, alg: { params?: DerReader }, bits: Uint8Array): PublicKey {
  expectNoParameters(parameterSet, alg);
  const expected = ML_DSA_SIZES[parameterSet].publicKey;
  if (bits.length !== expected) throw new KeyError(`${parameterSet} public key has ${bits.length} bytes, expected ${expected} (RFC 9881 §4)`);
  return { kind: 'ml-dsa', parameterSet, publicKey: bits };
}

export function encodeMlDsaSpki(key: Extract<PublicKey, { kind: 'ml-dsa' }>): Uint8Array {
  return der.sequence(mlDsaAlgorithmIdentifier(key.parameterSet), der.bitString(key.publicKey));
}

/**
 * The privateKey of an ML-DSA PKCS#8 key (RFC 9881 §6): a CHOICE of `seed [0] OCTET STRING (SIZE (32))`,
 * `expandedKey OCTET STRING` or `both SEQUENCE { seed, expandedKey }`. We sign from the seed: the "both" form
 * must hold the expanded key its seed makes (§6's consistency check, as OpenSSL makes it), and an expanded key
 * alone, which cannot be checked, is refused (as Go refuses it).
 */
export function readMlDsaPrivateKey(parameterSet: MlDsaParameterSet, alg: { params?: DerReader }, inner: DerReader): PrivateKey {
  expectNoParameters(parameterSet, alg);
  const checkedSeed = (seed: Uint8Array) => {
    if (seed.length !== ML_DSA_SEED_LENGTH) throw new KeyError(`${parameterSet} private key seed has ${seed.length} bytes, expected ${ML_DSA_SEED_LENGTH}`);
    return seed;
  };
  switch (inner.peekTag()) {
    case contextTag(0, false):
      return { kind: 'ml-dsa', parameterSet, seed: checkedSeed(inner.optionalImplicit(0, 'seed')!) };
    case Tag.SEQUENCE: {
      const both = inner.sequence('both');
      const seed = checkedSeed(both.octetString('seed'));
      const expandedKey = both.octetString('expandedKey');
      both.end();
      const made = mlDsaExpandedKey(parameterSet, seed);
      const consistent = constantTimeEqual(expandedKey, made);
      made.fill(0); // a secret: kept no longer than the comparison (we sign from the seed)
      if (!consistent) {
        throw new KeyError(`${parameterSet} private key: the expandedKey is not the one its seed makes (RFC 9881 §6)`);
      }
      return { kind: 'ml-dsa', parameterSet, seed };
    }
    case Tag.OCTET_STRING:
      throw new KeyError(`${parameterSet} private key holds only the expandedKey: we need the seed form (RFC 9881 §6), e.g. openssl pkey -provparam ml-dsa.output_formats=seed-only`);
    default:
      throw new KeyError(`${parameterSet} private key is neither seed, expandedKey nor both (RFC 9881 §6)`);
  }
}

/** PKCS#8 privateKeyAlgorithm and privateKey of an ML-DSA key, in the seed form RFC 9881 §6 recommends. */
export function encodeMlDsaPrivateKey(key: Extract<PrivateKey, { kind: 'ml-dsa' }>): { algorithm: Uint8Array; privateKey: Uint8Array } {
  return { algorithm: mlDsaAlgorithmIdentifier(key.parameterSet), privateKey: der.implicit(0, key.seed) };
}
