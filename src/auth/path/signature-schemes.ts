// Which TLS SignatureSchemes a certificate's signature is, so that path validation accepts only the
// signatures the configuration accepts in certificates: signature_algorithms_cert, or when we send none,
// signature_algorithms, "also applies to signatures appearing in certificates" (RFC 8446 §4.2.3).
import type { CurveName, HashName, MlDsaParameterSet, PublicKey, SignatureAlgorithm } from '../../crypto/provider.js';
import { SignatureScheme, signatureSchemeName } from '../../wire/enums.js';
import type { Certificate } from '../x509.js';
import { describe, fail, type Failure } from './verdict.js';

type SchemeHash = Exclude<HashName, 'sha1'>;

const ECDSA_BY_HASH: Readonly<Record<SchemeHash, number>> = {
  sha256: SignatureScheme.ecdsa_secp256r1_sha256,
  sha384: SignatureScheme.ecdsa_secp384r1_sha384,
  sha512: SignatureScheme.ecdsa_secp521r1_sha512,
};
const ECDSA_BY_CURVE: Readonly<Record<CurveName, number>> = {
  'P-256': SignatureScheme.ecdsa_secp256r1_sha256,
  'P-384': SignatureScheme.ecdsa_secp384r1_sha384,
  'P-521': SignatureScheme.ecdsa_secp521r1_sha512,
};
const RSA_PKCS1: Readonly<Record<SchemeHash, number>> = {
  sha256: SignatureScheme.rsa_pkcs1_sha256,
  sha384: SignatureScheme.rsa_pkcs1_sha384,
  sha512: SignatureScheme.rsa_pkcs1_sha512,
};
const RSA_PSS_RSAE: Readonly<Record<SchemeHash, number>> = {
  sha256: SignatureScheme.rsa_pss_rsae_sha256,
  sha384: SignatureScheme.rsa_pss_rsae_sha384,
  sha512: SignatureScheme.rsa_pss_rsae_sha512,
};
const RSA_PSS_PSS: Readonly<Record<SchemeHash, number>> = {
  sha256: SignatureScheme.rsa_pss_pss_sha256,
  sha384: SignatureScheme.rsa_pss_pss_sha384,
  sha512: SignatureScheme.rsa_pss_pss_sha512,
};

const ML_DSA: Readonly<Record<MlDsaParameterSet, number>> = {
  'ML-DSA-44': SignatureScheme.mldsa44,
  'ML-DSA-65': SignatureScheme.mldsa65,
  'ML-DSA-87': SignatureScheme.mldsa87,
};

/**
 * The schemes that name a signature made with `algorithm` (the certificate's signatureAlgorithm, PSS
 * parameters included) by `issuerKey`; every one must be accepted. Usually one. TLS 1.3 ECDSA schemes name
 * a curve and a hash together (§4.2.3); a certificate may pair them otherwise (a P-384 CA signing with
 * ecdsa-with-SHA256), and then both the curve's scheme and the hash's must be accepted, so that leaving a
 * curve or a hash out of the list refuses it. RSASSA-PSS is rsa_pss_rsae_* under an rsaEncryption key and
 * rsa_pss_pss_* under an id-RSASSA-PSS key (§4.2.3); its salt length is the path validator's concern, as
 * before. Undefined: no TLS scheme names it (a SHA-1 hash).
 */
export function signatureSchemesOf(algorithm: SignatureAlgorithm, issuerKey: PublicKey): number[] | undefined {
  switch (algorithm.kind) {
    case 'ed25519':
      return [SignatureScheme.ed25519];
    case 'ed448':
      return [SignatureScheme.ed448];
    case 'ecdsa': {
      if (algorithm.hash === 'sha1' || issuerKey.kind !== 'ecdsa') return undefined;
      const byHash = ECDSA_BY_HASH[algorithm.hash];
      const byCurve = ECDSA_BY_CURVE[issuerKey.curve];
      return byHash === byCurve ? [byHash] : [byHash, byCurve];
    }
    case 'rsa-pkcs1':
      return algorithm.hash === 'sha1' ? undefined : [RSA_PKCS1[algorithm.hash]];
    case 'rsa-pss':
      if (algorithm.hash === 'sha1') return undefined;
      return [(issuerKey.kind === 'rsa-pss' ? RSA_PSS_PSS : RSA_PSS_RSAE)[algorithm.hash]];
    case 'ml-dsa':
      // draft-ietf-tls-mldsa §3.1: each scheme signals id-ML-DSA-* signatures on certificates.
      return [ML_DSA[algorithm.parameterSet]];
  }
}

/**
 * The schemes of a signature made with `algorithm` by `key` that `accepted` lacks, named; undefined when
 * all are accepted. An algorithm no TLS scheme names (a SHA-1 hash) is refused too.
 */
export function refusedSchemes(algorithm: SignatureAlgorithm, key: PublicKey, accepted: readonly number[]): string | undefined {
  const schemes = signatureSchemesOf(algorithm, key);
  const refused = schemes ? schemes.filter((s) => !accepted.includes(s)) : [];
  if (schemes && refused.length === 0) return undefined;
  return schemes ? refused.map((s) => signatureSchemeName(s)).join(' and ') : 'no TLS signature scheme';
}

/**
 * Refuses the signature on `cert` by `issuer` when its scheme is not among `accepted`, before any work is
 * spent on it. An algorithm we cannot use at all, or a key that does not fit it, is left to the signature
 * check, which reports it as before. unsupported_certificate, as for any signature algorithm we do not take.
 */
export function checkSignatureScheme(cert: Certificate, issuer: Certificate, accepted: readonly number[]): Failure | undefined {
  const algorithm = cert.signatureAlgorithm.algorithm;
  if (!algorithm || !issuer.publicKey) return undefined;
  const named = refusedSchemes(algorithm, issuer.publicKey, accepted);
  if (!named) return undefined;
  return fail(
    'UnsupportedCertificate',
    `${describe(cert)} is signed with ${cert.signatureAlgorithm.name} by the key of ${describe(issuer)}: ${named}, not among the schemes accepted in certificates (certificateSignatureSchemes)`,
  );
}
