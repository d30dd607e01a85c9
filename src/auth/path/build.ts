// Path building (RFC 4158 in miniature): depth-first from the leaf towards a trust anchor over an
// unordered pool, with backtracking. Candidates that are never on the chosen path do not matter: a
// candidate is judged only when it is tried, and its defect is only remembered for the report.
//
// Work is bounded before it is paid: each certificate at most once per path, at most `maxDepth`
// certificates in a path, and at most `signatureBudget` signature checks in one validation, so a peer's
// junk intermediates cannot cost unbounded CPU (webpki's limits are the model).
import type { CryptoProvider } from '../../crypto/provider.js';
import { equalBytes } from '../../wire/bytes.js';
import type { Certificate } from '../x509.js';
import { describe, fail, type ChainVerdict, type Failure } from './verdict.js';

export interface BuildOptions {
  provider: CryptoProvider;
  maxDepth: number;
  signatureBudget: number;
  /** May `issuer` (an anchor or not) sign for the top of `path`? Checked before its signature is. */
  checkIssuer(issuer: Certificate, path: Certificate[], isAnchor: boolean): Failure | undefined;
  /** Checks that need the whole path (name constraints, revocation), leaf first, anchor last. */
  checkPath(path: Certificate[]): Failure | undefined;
}

function checkSignature(cert: Certificate, issuer: Certificate, provider: CryptoProvider): Failure | undefined {
  const alg = cert.signatureAlgorithm;
  if (!alg.algorithm) return fail('UnsupportedCertificate', `${describe(cert)}: ${alg.problem ?? `unsupported signature algorithm ${alg.name}`}`);
  if (!issuer.publicKey) return fail('UnsupportedCertificate', `issuer ${describe(issuer)}: ${issuer.publicKeyProblem ?? 'unsupported public key'}`);
  if (!provider.verify(alg.algorithm, issuer.publicKey, cert.tbs, cert.signature)) {
    return fail('BadCertificate', `signature on ${describe(cert)} does not verify with the key of ${describe(issuer)} (${alg.name})`);
  }
  return undefined;
}

/** Candidate issuers of `cert`: subject DN equal to its issuer DN, those whose SKI matches its AKI first. */
function candidateIssuers(cert: Certificate, pool: Certificate[]): Certificate[] {
  const named = pool.filter((c) => equalBytes(c.subject.raw, cert.issuer.raw));
  const aki = cert.authorityKeyIdentifier?.keyIdentifier;
  if (!aki) return named;
  const keyMatches = (c: Certificate) => c.subjectKeyIdentifier !== undefined && equalBytes(c.subjectKeyIdentifier, aki);
  return [...named.filter(keyMatches), ...named.filter((c) => !keyMatches(c))];
}

/** The first path from `leaf` to one of `anchors` that passes every check (anchors tried first at each step). */
export function buildPath(leaf: Certificate, intermediates: Certificate[], anchors: Certificate[], options: BuildOptions): ChainVerdict {
  let budget = options.signatureBudget;
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
      if (path.some((c) => equalBytes(c.der, issuer.der))) continue;
      const isAnchor = anchorSet.has(issuer);
      if (path.length + 1 > options.maxDepth || (!isAnchor && path.length + 1 === options.maxDepth)) {
        note(fail('BadCertificate', `no path to a trust anchor within ${options.maxDepth} certificates`));
        continue;
      }
      const problem = options.checkIssuer(issuer, path, isAnchor);
      if (problem) {
        note(problem);
        continue;
      }
      if (budget-- <= 0) {
        exhausted = fail('BadCertificate', `path building needs more than ${options.signatureBudget} signature checks; refused (bounded work)`);
        return undefined;
      }
      const bad = checkSignature(top, issuer, options.provider);
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
  if (path) return { ok: true, path };
  if (exhausted) return exhausted;
  const defect = firstDefect ?? signatureMismatch;
  if (defect) return defect;
  return fail('UnknownCa', `no trust anchor issued the chain of ${describe(leaf)} (issuer "${leaf.issuer.text}")`);
}
