// Path building (RFC 4158 in miniature): depth-first from the leaf towards a trust anchor over an
// unordered pool, with backtracking. Candidates that are never on the chosen path do not matter: a
// candidate is judged only when it is tried, and its defect is only remembered for the report.
//
// Work is bounded before it is paid: each certificate at most once per path, at most `maxDepth`
// certificates in a path, each signature checked once per issuer key, at most `signatureBudget`
// signature checks (a P-521 one counts twice) and MAX_CANDIDATES_CONSIDERED candidates in one validation,
// so a peer's junk intermediates cannot cost unbounded CPU (webpki's limits are the model).
import type { CryptoProvider } from '../../crypto/provider.js';
import { signatureKeyProblem } from '../../crypto/signature-keys.js';
import { derKey, rememberVerified, verifiedBefore } from '../configured-certificates.js';
import { equalBytes, hex } from '../../wire/bytes.js';
import type { Certificate } from '../x509.js';
import type { SignatureBudget } from './signature-budget.js';
import { sameNameAs } from './name-match.js';
import { checkSignatureScheme } from './signature-schemes.js';
import { describe, fail, type ChainVerdict, type Failure } from './verdict.js';

export interface BuildOptions {
  provider: CryptoProvider;
  maxDepth: number;
  /** Shared with the rest of the judgement of the same Certificate message. */
  signatureBudget: SignatureBudget;
  /** May `issuer` (an anchor or not) sign for the top of `path`? Checked before its signature is. */
  checkIssuer(issuer: Certificate, path: Certificate[], isAnchor: boolean): Failure | undefined;
  /** Checks that need the whole path (name constraints, revocation), leaf first, anchor last. */
  checkPath(path: Certificate[]): Failure | undefined;
  /** The TLS SignatureSchemes accepted for certificate signatures (signature-schemes.ts); absent: any we can verify. */
  signatureSchemes?: readonly number[];
}

function checkSignature(cert: Certificate, issuer: Certificate, provider: CryptoProvider): Failure | undefined {
  const alg = cert.signatureAlgorithm;
  if (!alg.algorithm) return fail('UnsupportedCertificate', `${describe(cert)}: ${alg.problem ?? `unsupported signature algorithm ${alg.name}`}`);
  if (!issuer.publicKey) return fail('UnsupportedCertificate', `issuer ${describe(issuer)}: ${issuer.publicKeyProblem ?? 'unsupported public key'}`);
  // An id-RSASSA-PSS issuer key signs only PSS, within its parameters (RFC 4055 §1.2, §3.3): a certificate
  // whose signatureAlgorithm says otherwise is not one that key can have signed.
  const misfit = signatureKeyProblem(alg.algorithm, issuer.publicKey);
  if (misfit) return fail('BadCertificate', `${describe(cert)} is signed with ${alg.name}, which the key of ${describe(issuer)} does not allow: ${misfit}`);
  // A configured issuer (a trust anchor) that verified this very DER before need not verify it again
  // (configured-certificates.ts); everything around the signature is still judged, and the budget still spent.
  if (verifiedBefore(issuer, cert, provider)) return undefined;
  // Only true counts (signatures.ts checkCertificateVerify): a provider's Promise is truthy.
  if (provider.verify(alg.algorithm, issuer.publicKey, cert.tbs, cert.signature) !== true) {
    return fail('BadCertificate', `signature on ${describe(cert)} does not verify with the key of ${describe(issuer)} (${alg.name})`);
  }
  rememberVerified(issuer, cert, provider);
  return undefined;
}

/**
 * What checking a signature with `issuer`'s key costs of the budget. A P-521 verification in pure JS costs
 * about two of any other we accept (noble: ~24 ms against ~10 ms for P-384, Ed448 or an 8192-bit RSA key),
 * so it counts twice: the budget keeps bounding the CPU a certificate message can cost, whatever its keys.
 */
export function signatureCost(issuer: Certificate): number {
  return issuer.publicKey?.kind === 'ecdsa' && issuer.publicKey.curve === 'P-521' ? 2 : 1;
}

/**
 * Candidate issuers of `cert`: subject DN the same name as its issuer DN (§6.1.3(a)(4), compared as §7.1 says:
 * bytes first, then each name's prepared form, made once per name; name-match.ts). When both key
 * identifiers are present they must agree (§4.2.1.1: the AKI names the issuer's SKI); like openssl we
 * do not spend a signature check on a candidate whose SKI says it holds another key.
 */
function candidateIssuers(cert: Certificate, pool: Certificate[]): Certificate[] {
  const aki = cert.authorityKeyIdentifier?.keyIdentifier;
  const namesIssuer = sameNameAs(cert.issuer);
  return pool.filter(
    (c) => namesIssuer(c.subject) && (!aki || !c.subjectKeyIdentifier || equalBytes(c.subjectKeyIdentifier, aki)),
  );
}

/**
 * The peer's intermediates less those equal to the leaf, an anchor or an earlier one, so that every distinct
 * certificate is one object and "already on the path" is an identity test (a peer's 6 KB certificates compared
 * byte by byte at every step cost more than the signatures they guard). Compared as hex keys, linear in the
 * bytes; a configured anchor's key is made once (configured-certificates.ts), not per handshake for every
 * anchor of the policy (150 anchors of 414 bytes: ~0.3 ms a handshake), and none without intermediates.
 */
function distinctIntermediates(leaf: Certificate, peerIntermediates: Certificate[], anchors: Certificate[]): Certificate[] {
  if (peerIntermediates.length === 0) return [];
  const anchorDers = new Set(anchors.map(derKey));
  const seenDers = new Set([hex(leaf.der)]);
  return peerIntermediates.filter((c) => {
    const der = hex(c.der);
    if (anchorDers.has(der) || seenDers.has(der)) return false;
    seenDers.add(der);
    return true;
  });
}

/** Most candidate issuers considered in one validation (webpki bounds its build calls the same way). */
const MAX_CANDIDATES_CONSIDERED = 4096;

/** The first path from `leaf` to one of `anchors` that passes every check (anchors tried first at each step). */
export function buildPath(leaf: Certificate, peerIntermediates: Certificate[], anchors: Certificate[], options: BuildOptions): ChainVerdict {
  const intermediates = distinctIntermediates(leaf, peerIntermediates, anchors);
  const keyOf = new Map<Certificate, string>();
  const issuerKey = (issuer: Certificate) => keyOf.get(issuer) ?? keyOf.set(issuer, hex(issuer.spki)).get(issuer)!;
  const budget = options.signatureBudget;
  let considered = 0;
  // Each certificate's signature is checked once per issuer key, however many paths or issuer
  // certificates share the pair.
  const verified = new Map<Certificate, Map<string, Failure | undefined>>();
  const signatureProblem = (cert: Certificate, issuer: Certificate): Failure | undefined | 'exhausted' => {
    const known = verified.get(cert) ?? new Map<string, Failure | undefined>();
    verified.set(cert, known);
    const key = issuerKey(issuer);
    if (known.has(key)) return known.get(key);
    const cost = signatureCost(issuer);
    if (!budget.spend(cost)) return 'exhausted';
    const problem = checkSignature(cert, issuer, options.provider);
    known.set(key, problem);
    return problem;
  };
  let exhausted: Failure | undefined;
  let firstDefect: Failure | undefined;
  // A signature that does not verify usually means "another CA of the same name", the least telling defect.
  let signatureMismatch: Failure | undefined;
  const note = (failure: Failure) => {
    firstDefect ??= failure;
  };
  const anchorSet = new Set(anchors);
  const extend = (path: Certificate[]): Certificate[] | undefined => {
    const top = path[path.length - 1]!;
    for (const issuer of [...candidateIssuers(top, anchors), ...candidateIssuers(top, intermediates)]) {
      if (path.includes(issuer)) continue;
      if (++considered > MAX_CANDIDATES_CONSIDERED) {
        exhausted = fail('BadCertificate', `path building considers more than ${MAX_CANDIDATES_CONSIDERED} candidate issuers; refused (bounded work)`);
        return undefined;
      }
      const isAnchor = anchorSet.has(issuer);
      if (path.length + 1 > options.maxDepth || (!isAnchor && path.length + 1 === options.maxDepth)) {
        note(fail('BadCertificate', `no path to a trust anchor within ${options.maxDepth} certificates`));
        continue;
      }
      const problem = options.checkIssuer(issuer, path, isAnchor) ?? (options.signatureSchemes && checkSignatureScheme(top, issuer, options.signatureSchemes));
      if (problem) {
        note(problem);
        continue;
      }
      const bad = signatureProblem(top, issuer);
      if (bad === 'exhausted') {
        exhausted = fail('BadCertificate', `path building needs more than ${budget.limit} signature checks (a P-521 one counts twice); refused (bounded work)`);
        return undefined;
      }
      if (bad) {
        signatureMismatch ??= bad;
        continue;
      }
      const next = [...path, issuer];
      if (isAnchor) {
        const defect = options.checkPath(next);
        if (!defect) return next;
        note(defect);
        continue;
      }
      const found = extend(next);
      if (found || exhausted) return found;
    }
    return undefined;
  };
  const path = extend([leaf]);
  if (path) return { ok: true, path, signaturesLeft: budget.left };
  if (exhausted) return exhausted;
  const defect = firstDefect ?? signatureMismatch;
  if (defect) return defect;
  return fail('UnknownCa', `no trust anchor issued the chain of ${describe(leaf)} (issuer "${leaf.issuer.text}")`);
}
