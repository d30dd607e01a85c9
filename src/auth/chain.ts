// Certificate path validation (RFC 5280 §6, reduced to what TLS peers need) with path building over
// an unordered pool of intermediates. The pieces are exported separately (`checkEndEntity`,
// `checkValidity`, `buildPath`) so trust policies (pinned certificates, pinned keys) can reuse them.
//
// Decisions, with the alert each failure gets (RFC 8446 §6.2):
// - Validity: every certificate, anchors included, must cover `now`; outside it is certificate_expired
//   ("a certificate has expired or is not currently valid").
// - Signatures: each certificate's signature is checked with its issuer's key; a wrong one is
//   bad_certificate ("contained signatures that did not verify correctly"). Anchors are trusted as
//   given: their own signature and critical extensions are not checked, only their validity.
// - Unknown critical extension (RFC 5280 §4.2 "MUST reject"): unsupported_certificate, because the
//   certificate is of a kind we do not implement rather than corrupt. nameConstraints and policy
//   extensions are not implemented, so they too are unknown when critical.
// - Extended key usage (RFC 5280 §4.2.1.12): checked on the end entity only. Absent: no restriction,
//   accepted. Present: must list the purpose (serverAuth or clientAuth) or anyExtendedKeyUsage; otherwise
//   unsupported_certificate. EKU on CA certificates is not enforced (RFC 5280 gives it no meaning there).
// - Key usage: if present on the end entity it must allow digitalSignature (TLS 1.3 authenticates
//   by signing, RFC 8446 §4.4.3); if present on an issuer it must allow keyCertSign (RFC 5280 §4.2.1.3).
//   Either failure is unsupported_certificate.
// - An end entity must not be a CA (basicConstraints cA=TRUE): bad_certificate. Every issuer that is
//   not an anchor must have cA=TRUE (RFC 5280 §6.1.4(k)) and respect pathLenConstraint (§6.1.4(m)):
//   bad_certificate. An anchor is refused as issuer only when it explicitly says it is not a CA
//   (basicConstraints cA=FALSE, or keyUsage without keyCertSign): v1 roots have no extensions at all.
// - Host name (RFC 9525): checked against subjectAltName only; mismatch is bad_certificate.
// - No issuer anywhere: unknown_ca. When several candidate paths fail, the first concrete defect found
//   is reported rather than unknown_ca.
import type { CryptoProvider } from '../crypto/provider.js';
import { equalBytes } from '../wire/bytes.js';
import type { Reason } from '../wire/errors.js';
import { matchHostname } from './hostname.js';
import { OID } from './oids.js';
import { isSelfIssued, UNDERSTOOD_EXTENSIONS } from './x509.js';
import type { Certificate } from './x509.js';

export type Purpose = 'serverAuth' | 'clientAuth';

export type ChainVerdict = { ok: true; path: Certificate[] } | { ok: false; reason: Reason; detail: string };

export type Failure = { ok: false; reason: Reason; detail: string };

export interface VerifyChainOptions {
  leaf: Certificate;
  /** Candidate intermediates in any order; unused ones are ignored. */
  intermediates: Certificate[];
  anchors: Certificate[];
  /** The injected clock, epoch milliseconds. */
  now: number;
  purpose: Purpose;
  provider: CryptoProvider;
  /** The reference identity to match (server certificates); omitted for client certificates. */
  hostname?: string;
  /** Most certificates in a path, anchor included. Default 8. */
  maxDepth?: number;
}

const fail = (reason: Reason, detail: string): Failure => ({ ok: false, reason, detail });

function describe(cert: Certificate): string {
  return `"${cert.subject.text || '(empty subject)'}"`;
}

/** Validity window check (RFC 5280 §4.1.2.5: both ends inclusive). */
export function checkValidity(cert: Certificate, now: number): Failure | undefined {
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
 * Everything about the end-entity certificate itself: validity, critical extensions, key, key usage,
 * extended key usage, and the host name. `allowCa` skips the "a leaf is not a CA" rule (pinned
 * self-signed certificates are often marked cA=TRUE by `openssl req -x509`).
 */
export function checkEndEntity(leaf: Certificate, options: { now: number; purpose: Purpose; hostname?: string; allowCa?: boolean }): Failure | undefined {
  const problem = checkValidity(leaf, options.now) ?? checkCriticalExtensions(leaf);
  if (problem) return problem;
  if (!leaf.publicKey) return fail('UnsupportedCertificate', `${describe(leaf)}: ${leaf.publicKeyProblem ?? 'unsupported public key'}`);
  if (!options.allowCa && leaf.basicConstraints?.cA) return fail('BadCertificate', `end-entity certificate ${describe(leaf)} is a CA certificate (basicConstraints cA=TRUE)`);
  if (leaf.keyUsage && !leaf.keyUsage.includes('digitalSignature')) {
    return fail('UnsupportedCertificate', `${describe(leaf)} keyUsage [${leaf.keyUsage.join(', ')}] does not allow digitalSignature`);
  }
  const eku = leaf.extKeyUsage;
  if (eku && !eku.oids.includes(OID[options.purpose]) && !eku.oids.includes(OID.anyExtendedKeyUsage)) {
    return fail('UnsupportedCertificate', `${describe(leaf)} extKeyUsage [${eku.names.join(', ')}] does not include ${options.purpose}`);
  }
  if (options.hostname !== undefined) {
    const match = matchHostname(leaf, options.hostname);
    if (!match.ok) return fail('BadCertificate', match.detail);
  }
  return undefined;
}

/** Is `issuer` allowed to have issued `path[path.length - 1]`, given what is below it? */
function checkIssuer(issuer: Certificate, path: Certificate[], isAnchor: boolean, now: number): Failure | undefined {
  const problem = checkValidity(issuer, now) ?? (isAnchor ? undefined : checkCriticalExtensions(issuer));
  if (problem) return problem;
  const bc = issuer.basicConstraints;
  const ku = issuer.keyUsage;
  if (isAnchor ? bc?.cA === false : !bc?.cA) return fail('BadCertificate', `issuer ${describe(issuer)} is not a CA (basicConstraints cA is not TRUE)`);
  if (ku && !ku.includes('keyCertSign')) return fail('UnsupportedCertificate', `issuer ${describe(issuer)} keyUsage [${ku.join(', ')}] does not allow keyCertSign`);
  if (bc?.pathLen !== undefined) {
    // RFC 5280 §6.1.4(l)-(m): intermediates below this one, self-issued ones not counted.
    const below = path.slice(1).filter((c) => !isSelfIssued(c)).length;
    if (below > bc.pathLen) return fail('BadCertificate', `issuer ${describe(issuer)} has pathLenConstraint ${bc.pathLen} but ${below} CA certificates follow it`);
  }
  return undefined;
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

/**
 * Depth-first path building from `leaf` to one of `anchors` (anchors tried before intermediates at
 * each step). Each certificate appears at most once per path, paths are at most `maxDepth` long, and at
 * most 64 signatures are checked in total, so a hostile pool cannot make this loop or explode.
 */
export function buildPath(leaf: Certificate, intermediates: Certificate[], anchors: Certificate[], now: number, provider: CryptoProvider, maxDepth = 8): ChainVerdict {
  let budget = 64;
  let firstDefect: Failure | undefined;
  const note = (failure: Failure) => {
    firstDefect ??= failure;
  };
  const anchorSet = new Set(anchors);
  const extend = (path: Certificate[]): Certificate[] | undefined => {
    const top = path[path.length - 1]!;
    for (const issuer of [...candidateIssuers(top, anchors), ...candidateIssuers(top, intermediates)]) {
      if (path.some((c) => equalBytes(c.der, issuer.der))) continue;
      const isAnchor = anchorSet.has(issuer);
      if (!isAnchor && path.length + 1 >= maxDepth) {
        note(fail('BadCertificate', `no path to a trust anchor within ${maxDepth} certificates`));
        continue;
      }
      if (budget-- <= 0) return undefined;
      const problem = checkSignature(top, issuer, provider) ?? checkIssuer(issuer, path, isAnchor, now);
      if (problem) {
        note(problem);
        continue;
      }
      if (isAnchor) return [...path, issuer];
      const found = extend([...path, issuer]);
      if (found) return found;
    }
    return undefined;
  };
  const path = extend([leaf]);
  if (path) return { ok: true, path };
  if (firstDefect) return firstDefect;
  return fail('UnknownCa', `no trust anchor issued the chain of ${describe(leaf)} (issuer "${leaf.issuer.text}")`);
}

/**
 * CA-based verification of a peer's certificate chain. A leaf that is byte-for-byte one of the anchors
 * is accepted on its own (as a pinned certificate would be), with the end-entity checks still applied.
 */
export function verifyChain(options: VerifyChainOptions): ChainVerdict {
  const { leaf, anchors, now, purpose, hostname } = options;
  const pinned = anchors.some((a) => equalBytes(a.der, leaf.der));
  const endEntity = checkEndEntity(leaf, { now, purpose, allowCa: pinned, ...(hostname !== undefined ? { hostname } : {}) });
  if (endEntity) return endEntity;
  if (pinned) return { ok: true, path: [leaf] };
  return buildPath(leaf, options.intermediates, anchors, now, options.provider, options.maxDepth);
}
