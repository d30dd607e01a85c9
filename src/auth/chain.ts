// Certificate path validation (RFC 5280 §6) for TLS peers: the public entry point `verifyChain`, and the
// end-entity checks that pinned policies reuse. The pieces live in auth/path/ (see its DESIGN.md):
// building with bounded work, name constraints, profile rules, revocation.
//
// Decisions, with the alert each failure gets (RFC 8446 §6.2):
// - Validity: every certificate, anchors included, must cover `now`; outside it is certificate_expired.
// - Signatures: each certificate's signature is checked with its issuer's key; a wrong one is
//   bad_certificate. Anchors are trusted as given: their own signature is not checked. A signature whose
//   TLS scheme is not among `signatureSchemes` (RFC 8446 §4.2.3) is unsupported_certificate.
// - Unknown critical extension (RFC 5280 §4.2 "MUST reject") on any certificate of the path, the anchor
//   included: unsupported_certificate. Policy processing (certificatePolicies, policyConstraints, inhibitAnyPolicy)
//   is not implemented, so those are refused when critical and ignored otherwise.
// - Key usage: the end entity must allow digitalSignature if it has keyUsage (RFC 8446 §4.4.2.2); an
//   issuer must allow keyCertSign (RFC 5280 §6.1.4(n)): unsupported_certificate.
// - An end entity must not be a CA; every issuer must be one (§4.2.1.9, §6.1.4(k)) and respect
//   pathLenConstraint (§6.1.4(l)(m)): bad_certificate. A v1 anchor has no extensions to say it is.
// - Profile rules (auth/path/profile.ts), name constraints, revocation (unknownRevocationStatus): see docs/path-validation.md.
// - Host name (RFC 9525): checked against subjectAltName only; mismatch is bad_certificate.
// - No issuer anywhere: unknown_ca. When candidate paths fail, the first concrete defect is reported.
import type { CryptoProvider } from '../crypto/provider.js';
import { equalBytes } from '../wire/bytes.js';
import { matchHostname } from './hostname.js';
import { checkRsaKeySize } from './keys.js';
import { buildPath } from './path/build.js';
import { nameConstraintsChecker } from './path/names.js';
import { checkProfile, defaultProfile, ekuPurposeProblem, PROFILES, type ProfileName, type Role } from './path/profile.js';
import { checkRevocation, CrlSignatureChecks, type Crl, type UnknownRevocationStatus } from './path/revocation.js';
import { signatureBudget, type SignatureBudget } from './path/signature-budget.js';
import { describe, fail, type ChainVerdict, type Failure } from './path/verdict.js';
import { isSelfIssued, UNDERSTOOD_EXTENSIONS } from './x509.js';
import type { Certificate } from './x509.js';

export type { ChainVerdict, Failure } from './path/verdict.js';
export type { ProfileName } from './path/profile.js';
export type { Crl, UnknownRevocationStatus } from './path/revocation.js';

export type Purpose = 'serverAuth' | 'clientAuth';

export interface VerifyChainOptions {
  leaf: Certificate;
  /** Candidate intermediates in any order; unused ones are ignored. */
  intermediates: Certificate[];
  anchors: Certificate[];
  /** The injected clock, epoch milliseconds. */
  now: number;
  purpose: Purpose;
  provider: CryptoProvider;
  /** The reference identity to match (server certificates): a DNS name or an IP literal. */
  hostname?: string;
  /** Which rules apply; default `webpki` for serverAuth, `rfc5280` for clientAuth (`defaultProfile`). */
  profile?: ProfileName;
  /** CRLs to check revocation against (parsed with `parseCrl`). */
  crls?: readonly Crl[];
  /** A certificate whose issuer has no CRL in `crls`: `allow` (default) skips it, `deny` refuses the path (certificate_unknown). */
  unknownRevocationStatus?: UnknownRevocationStatus;
  /** Most certificates in a path, anchor included. Default 8. */
  maxDepth?: number;
  /**
   * Most signature checks in one validation. Default: the profile's (SIGNATURE_BUDGET, 12). A SignatureBudget
   * is shared: what this validation spends is gone for the other checks of the same Certificate message.
   */
  signatureBudget?: number | SignatureBudget;
  /** The smallest RSA modulus accepted anywhere in the path, anchor included. Default 2048 bits. */
  minimumRsaKeyBits?: number;
  /**
   * The TLS SignatureSchemes a signature in the path may be (RFC 8446 §4.2.3, path/signature-schemes.ts):
   * another is unsupported_certificate. Default: any signature we can verify.
   */
  signatureSchemes?: readonly number[];
}

/**
 * Validity window check (RFC 5280 §4.1.2.5: both ends inclusive). The times are whole seconds, so `now` is
 * compared at that granularity: a notAfter of 12:00:00Z covers 12:00:00.999 (as webpki's clock in seconds).
 */
export function checkValidity(cert: Certificate, nowMs: number): Failure | undefined {
  // A clock that gives no time (NaN) makes every comparison below false: fail closed instead.
  if (Number.isNaN(nowMs)) return fail('CertificateExpired', `the clock gave no time, so ${describe(cert)} cannot be judged valid`);
  const now = Math.floor(nowMs / 1000) * 1000;
  if (now < cert.notBefore) return fail('CertificateExpired', `${describe(cert)} is not valid before ${new Date(cert.notBefore).toISOString()}`);
  if (now > cert.notAfter) return fail('CertificateExpired', `${describe(cert)} expired at ${new Date(cert.notAfter).toISOString()}`);
  return undefined;
}

/** RFC 5280 §4.2: a critical extension we do not process makes the certificate unusable. */
export function checkCriticalExtensions(cert: Certificate): Failure | undefined {
  const unknown = cert.extensions.find((e) => e.critical && !UNDERSTOOD_EXTENSIONS.has(e.oid));
  if (unknown) return fail('UnsupportedCertificate', `${describe(cert)} has an unsupported critical extension ${unknown.name ?? unknown.oid}`);
  return undefined;
}

/**
 * What every profile asks of the end-entity certificate itself: validity, critical extensions, key,
 * key usage, and the host name. `allowCa` skips the "a leaf is not a CA" rule (pinned self-signed
 * certificates are often marked cA=TRUE by `openssl req -x509`).
 */
export function checkEndEntity(leaf: Certificate, options: { now: number; hostname?: string; allowCa?: boolean }): Failure | undefined {
  const problem = checkValidity(leaf, options.now) ?? checkCriticalExtensions(leaf);
  if (problem) return problem;
  if (!leaf.publicKey) return fail('UnsupportedCertificate', `${describe(leaf)}: ${leaf.publicKeyProblem ?? 'unsupported public key'}`);
  if (!options.allowCa && leaf.basicConstraints?.cA) return fail('BadCertificate', `end-entity certificate ${describe(leaf)} is a CA certificate (basicConstraints cA=TRUE)`);
  if (leaf.keyUsage && !leaf.keyUsage.includes('digitalSignature')) {
    return fail('UnsupportedCertificate', `${describe(leaf)} keyUsage [${leaf.keyUsage.join(', ')}] does not allow digitalSignature`);
  }
  if (options.hostname !== undefined) {
    const match = matchHostname(leaf, options.hostname);
    if (!match.ok) return fail('BadCertificate', match.detail);
  }
  return undefined;
}

/** Is `issuer` allowed to have issued the top of `path`, given what is below it? (§6.1.4, §6.1.3(a)(2)) */
function checkIssuer(issuer: Certificate, path: Certificate[], isAnchor: boolean, now: number): Failure | undefined {
  // RFC 5280 §4.2: a critical extension we do not process makes any certificate unusable, an anchor's too
  // (rustls-webpki and pyca/cryptography refuse such a root; none of Node's roots has one).
  const problem = checkValidity(issuer, now) ?? checkCriticalExtensions(issuer);
  if (problem) return problem;
  const bc = issuer.basicConstraints;
  const ku = issuer.keyUsage;
  // §4.2.1.9: without basicConstraints cA in a v3 certificate "the certified public key MUST NOT be used to
  // verify certificate signatures"; an anchor too, unless it is v1 (no extensions to say it).
  const mustSayCa = !isAnchor || issuer.version === 3;
  if (mustSayCa && !bc?.cA) return fail('BadCertificate', `issuer ${describe(issuer)} is not a CA (basicConstraints cA is not TRUE)`);
  if (ku && !ku.includes('keyCertSign')) return fail('UnsupportedCertificate', `issuer ${describe(issuer)} keyUsage [${ku.join(', ')}] does not allow keyCertSign`);
  if (bc?.pathLen !== undefined) {
    // §6.1.4(l)-(m): intermediates below this one, self-issued ones not counted.
    const below = path.slice(1).filter((c) => !isSelfIssued(c)).length;
    if (below > bc.pathLen) return fail('BadCertificate', `issuer ${describe(issuer)} has pathLenConstraint ${bc.pathLen} but ${below} CA certificates follow it`);
  }
  return undefined;
}

/**
 * Validates the chain of `leaf` to one of `anchors` under a profile. A leaf that is byte-for-byte one of
 * the anchors is accepted on its own (as a pinned certificate would be), with the end-entity checks.
 */
export function verifyChain(options: VerifyChainOptions): ChainVerdict {
  const { leaf, anchors, now, purpose, hostname, provider } = options;
  const profile = PROFILES[options.profile ?? defaultProfile(purpose)];
  const pinned = anchors.some((a) => equalBytes(a.der, leaf.der));
  const endEntity = checkEndEntity(leaf, { now, allowCa: pinned, hostname });
  if (endEntity) return endEntity;
  const ruleFailure = (cert: Certificate, role: Role): Failure | undefined => {
    // A weak key anywhere in the path breaks it, in every profile (NIST SP 800-131A, BR §6.1.5).
    const weak = cert.publicKey && checkRsaKeySize(cert.publicKey, options.minimumRsaKeyBits);
    if (weak) return fail('UnsupportedCertificate', `${describe(cert)}: ${weak}`);
    const broken = checkProfile(profile, cert, role, purpose);
    return broken && fail(broken.reason, `${describe(cert)}: ${broken.detail}`);
  };
  const budget = signatureBudget(options.signatureBudget ?? profile.signatureBudget);
  if (pinned) {
    const eku = ekuPurposeProblem(leaf, purpose);
    return eku ? fail('UnsupportedCertificate', `${describe(leaf)}: ${eku}`) : { ok: true, path: [leaf], signaturesLeft: budget.left };
  }
  const leafProblem = ruleFailure(leaf, 'leaf');
  if (leafProblem) return leafProblem;
  // Judged once per validation, however many paths reach an anchor; CRL signatures paid from the budget.
  const nameConstraints = nameConstraintsChecker(profile.nameConstraintBudget);
  const crlSignatures = new CrlSignatureChecks(provider, budget);
  return buildPath(leaf, options.intermediates, anchors, {
    provider,
    maxDepth: options.maxDepth ?? profile.maxDepth,
    signatureBudget: budget,
    checkIssuer: (issuer, path, isAnchor) => checkIssuer(issuer, path, isAnchor, now) ?? ruleFailure(issuer, isAnchor ? 'anchor' : 'intermediate'),
    signatureSchemes: options.signatureSchemes,
    checkPath: (path) => nameConstraints(path) ?? checkRevocation(path, options.crls ?? [], now, crlSignatures, options.unknownRevocationStatus),
  });
}
