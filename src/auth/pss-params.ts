// RSASSA-PSS-params (RFC 4055 §3.1), read and written for the two places they appear: the algorithm of a
// signature (a certificate's or a CRL's, where they MUST be present) and the algorithm of an id-RSASSA-PSS
// key (SubjectPublicKeyInfo, PKCS#8), where they restrict what the key may sign and absent means
// unrestricted (RFC 4055 §3.3).
//
//   RSASSA-PSS-params ::= SEQUENCE {
//     hashAlgorithm      [0] HashAlgorithm    DEFAULT sha1Identifier,
//     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
//     saltLength         [2] INTEGER          DEFAULT 20,
//     trailerField       [3] INTEGER          DEFAULT 1 }
import type { HashName } from '../crypto/provider.js';
import type { DerReader } from './der.js';
import { der } from './der-writer.js';
import { OID, oidName } from './oids.js';
import { readAlgorithmIdentifier } from './algorithm-identifier.js';

/** The hash and salt length of PSS parameters we accept: MGF1 over that same hash, trailerField 1. */
export interface PssParams {
  hash: HashName;
  saltLength: number;
}

const HASH_OIDS: Readonly<Record<string, HashName>> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
  [OID.sha1]: 'sha1',
};

const HASH_OID_OF: Readonly<Record<HashName, string>> = { sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512, sha1: OID.sha1 };

/** RFC 4055 §2.1: a hash AlgorithmIdentifier's parameters are NULL or absent, both accepted. */
function readHashAlgorithm(r: DerReader, field: string): { oid: string; hash?: HashName } {
  const alg = readAlgorithmIdentifier(r, field);
  if (alg.params) {
    alg.params.null();
    alg.params.end();
  }
  const hash = HASH_OIDS[alg.oid];
  return hash ? { oid: alg.oid, hash } : { oid: alg.oid };
}

const describeHash = (h: { oid: string; hash?: HashName }) => h.hash ?? oidName(h.oid) ?? h.oid;

/**
 * Reads RSASSA-PSS-params (malformed DER throws DerError) and judges them: the parameters, or why we do not
 * use them. SHA-1 is refused (TLS 1.3 and the Baseline Requirements allow SHA-2 only), and so is MGF1 over
 * a hash other than the message hash: RFC 4055 §3.1 recommends the same hash, RFC 8446 §4.2.3 requires it,
 * and no TLS peer we know does otherwise. The trailer field must be 1 (trailerFieldBC, RFC 4055 §3.1).
 */
export function readPssParams(r: DerReader): PssParams | string {
  const seq = r.sequence('RSASSA-PSS-params', 'RFC 4055 §3.1');
  const hashField = seq.optionalExplicit(0, 'hashAlgorithm');
  const hash = hashField ? readHashAlgorithm(hashField, 'hashAlgorithm') : { oid: OID.sha1, hash: 'sha1' as const };
  hashField?.end();
  let mgf1Hash = { oid: OID.sha1, hash: 'sha1' } as { oid: string; hash?: HashName };
  const mgfField = seq.optionalExplicit(1, 'maskGenAlgorithm');
  let mgfProblem: string | undefined;
  if (mgfField) {
    const mgf = readAlgorithmIdentifier(mgfField, 'maskGenAlgorithm');
    mgfField.end();
    if (mgf.oid !== OID.mgf1 || !mgf.params) mgfProblem = `unsupported mask generation function ${oidName(mgf.oid) ?? mgf.oid}`;
    else {
      mgf1Hash = readHashAlgorithm(mgf.params, 'mgf1Hash');
      mgf.params.end();
    }
  }
  const saltField = seq.optionalExplicit(2, 'saltLength');
  const saltLength = saltField ? saltField.smallInteger('saltLength') : 20;
  saltField?.end();
  const trailerField = seq.optionalExplicit(3, 'trailerField');
  const trailer = trailerField ? trailerField.smallInteger('trailerField') : 1;
  trailerField?.end();
  seq.end();
  if (mgfProblem) return mgfProblem;
  if (trailer !== 1) return `RSASSA-PSS trailerField ${trailer} (must be 1, trailerFieldBC)`;
  if (!hash.hash || hash.hash === 'sha1') return `RSASSA-PSS with ${describeHash(hash)} is not supported`;
  if (mgf1Hash.hash !== hash.hash) return `RSASSA-PSS with MGF1 over ${describeHash(mgf1Hash)} and message hash ${hash.hash} is not supported`;
  return { hash: hash.hash, saltLength };
}

/** RSASSA-PSS-params DER: hash and MGF1 hash with NULL parameters (RFC 4055 §2.1), DEFAULT values left out. */
export function encodePssParams(params: PssParams): Uint8Array {
  const hash = der.sequence(der.oid(HASH_OID_OF[params.hash]), der.null());
  return der.sequence(
    ...(params.hash === 'sha1' ? [] : [der.explicit(0, hash), der.explicit(1, der.sequence(der.oid(OID.mgf1), hash))]),
    ...(params.saltLength === 20 ? [] : [der.explicit(2, der.integer(params.saltLength))]),
  );
}
