// Judging a stapled OCSP response for the peer's leaf (RFC 6960 §3.2, §4.2.2): what a client must confirm
// before it believes the status, in this order (cheap checks before signatures):
//
// 1. The responder answered `successful` and every critical extension is one we process (RFC 6960 §4.4).
// 2. A SingleResponse's CertID names the leaf: the hash of the leaf's issuer DN, the hash of the issuer's
//    subjectPublicKey, and the leaf's serial number (§4.1.1), hashed with SHA-1 or SHA-256.
// 3. thisUpdate <= now (§4.2.2.1: a response from the future is unreliable) and now <= nextUpdate; without
//    nextUpdate "newer revocation information is available all the time" (§4.2.2.1), so we require
//    thisUpdate to be recent: at most `maxAgeWithoutNextUpdate` old (§3.2 item 5, "sufficiently recent").
// 4. The signer is authorized (§4.2.2.2): the issuer itself, or a delegated responder whose certificate
//    the issuer's key signed, carrying id-kp-OCSPSigning in extKeyUsage, valid now. The responderID names
//    the signer (byName: its subject; byKey: SHA-1 of its subjectPublicKey).
// 5. The signature over tbsResponseData verifies with the signer's key.
//
// Every signature check is paid from the caller's budget, shared with path validation (and priced alike). A failure is
// BadCertificateStatusResponse ("an invalid or unacceptable OCSP response", RFC 8446 §6.2); a revoked
// status is not a failure here: the trust policy decides what it means (ca: certificate_revoked).
import type { CryptoProvider, HashName } from '../crypto/provider.js';
import { signatureKeyProblem } from '../crypto/signature-keys.js';
import { equalBytes } from '../wire/bytes.js';
import { checkCriticalExtensions, checkValidity } from './chain.js';
import { checkRsaKeySize, subjectPublicKeyBits } from './keys.js';
import { OID } from './oids.js';
import type { BasicOcspResponse, CertId, OcspResponse, ResponderId, SingleResponse } from './ocsp.js';
import { signatureCost } from './path/build.js';
import { sameDistinguishedName } from './path/name-match.js';
import { signatureBudget, type SignatureBudget } from './path/signature-budget.js';
import { refusedSchemes, signatureSchemesOf } from './path/signature-schemes.js';
import { describe, fail, type Failure } from './path/verdict.js';
import type { Certificate } from './x509.js';

/** What a staple says of the leaf, as reported in the trust verdict and the trace. */
export interface OcspReport {
  /** `invalid`: a staple we could not use (reported under policies that do not act on it). */
  status: 'good' | 'revoked' | 'unknown' | 'invalid';
  detail: string;
  /** Who signed it: the issuer, or a delegated responder (its subject). */
  responder?: string;
  producedAt?: number;
  thisUpdate?: number;
  nextUpdate?: number;
  revocationTime?: number;
  revocationReason?: string;
}

export interface StapleOptions {
  now: number;
  provider: CryptoProvider;
  /** Signature checks this judgement may still spend: a number, or the budget shared with path validation. */
  signatureBudget: number | SignatureBudget;
  /** How old a response without nextUpdate may be. Default ONE_DAY_MS. */
  maxAgeWithoutNextUpdate?: number;
  /** The floor for a delegated responder's RSA key, as for the keys of the path (default 2048). */
  minimumRsaKeyBits?: number;
  /** The schemes accepted in certificates (certificateSignatureSchemes), which the response's signatures must be; absent: any. */
  signatureSchemes?: readonly number[];
}

export type StapleJudgement = { ok: true; report: OcspReport; signatureChecks: number } | Failure;

export const ONE_DAY_MS = 24 * 60 * 60 * 1000;

const bad = (detail: string): Failure => fail('BadCertificateStatusResponse', `OCSP staple: ${detail}`);
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Whether a CertID names `leaf` (RFC 6960 §4.1.1): its serial, the hash of its issuer's DN and of the issuer's
 * key, each hash computed once per CertID hash. Without the issuer (a server whose chain holds only its
 * leaf), the key hash cannot be checked and only the serial and the name hash are.
 */
function certIdMatcher(leaf: Certificate, issuer: Certificate | undefined, provider: CryptoProvider): (id: CertId) => boolean {
  const keyBits = issuer && subjectPublicKeyBits(issuer.spki);
  const hashes = new Map<HashName, { name: Uint8Array; key: Uint8Array | undefined }>();
  return (id) => {
    if (id.hash === undefined || id.serialNumber !== leaf.serialNumber) return false;
    let h = hashes.get(id.hash);
    if (!h) hashes.set(id.hash, (h = { name: provider.hash(id.hash, leaf.issuer.raw), key: keyBits && provider.hash(id.hash, keyBits) }));
    return equalBytes(id.issuerNameHash, h.name) && (h.key === undefined || equalBytes(id.issuerKeyHash, h.key));
  };
}

/**
 * For a server given a response to staple: whether it is about our own certificate (some SingleResponse
 * names `leaf`). A response without a status (a responder's error) names nothing.
 */
export function stapleNamesCertificate(response: OcspResponse, leaf: Certificate, issuer: Certificate | undefined, provider: CryptoProvider): boolean {
  const namesLeaf = certIdMatcher(leaf, issuer, provider);
  return response.basic?.responses.some((r) => namesLeaf(r.certId)) ?? false;
}

function namesSigner(id: ResponderId, cert: Certificate, provider: CryptoProvider): boolean {
  // RFC 5280 §7.1, as path building compares names: a CA may spell its name otherwise here than in its subject.
  if ('byName' in id) return sameDistinguishedName(id.byName, cert.subject);
  return equalBytes(id.byKey, provider.hash('sha1', subjectPublicKeyBits(cert.spki)));
}

/** §4.2.2.2: may `responder` sign for `leaf`, which `issuer` issued? (its signature is checked by the caller) */
function delegationProblem(responder: Certificate, leaf: Certificate, issuer: Certificate, options: StapleOptions): string | undefined {
  // A key cannot vouch for its own certificate's status: a thief of a revoked key would staple "good".
  if (equalBytes(responder.spki, leaf.spki)) return `delegated responder ${describe(responder)} is the leaf itself: a certificate cannot vouch for its own status`;
  if (!sameDistinguishedName(responder.issuer, issuer.subject)) return `delegated responder ${describe(responder)} was not issued by ${describe(issuer)}`;
  if (!responder.extKeyUsage?.oids.includes(OID.ocspSigning)) return `delegated responder ${describe(responder)} lacks the id-kp-OCSPSigning extKeyUsage (RFC 6960 §4.2.2.2)`;
  if (responder.keyUsage && !responder.keyUsage.includes('digitalSignature')) return `delegated responder ${describe(responder)} keyUsage does not allow digitalSignature`;
  const weak = responder.publicKey && checkRsaKeySize(responder.publicKey, options.minimumRsaKeyBits);
  if (weak) return `delegated responder ${describe(responder)}: ${weak}`;
  const problem = checkValidity(responder, options.now) ?? checkCriticalExtensions(responder);
  return problem && `delegated responder: ${problem.detail}`;
}

/** The one signature check, counted against the budget. */
function signatureProblem(basic: BasicOcspResponse, signer: Certificate, provider: CryptoProvider, accepted: readonly number[] | undefined): string | undefined {
  const alg = basic.signatureAlgorithm;
  if (!alg.algorithm) return alg.problem ?? `unsupported signature algorithm ${alg.name}`;
  if (!signer.publicKey) return `${describe(signer)}: ${signer.publicKeyProblem ?? 'unsupported public key'}`;
  // Only signatures of schemes we accept in certificates: ML-DSA, off by default, stays off for a responder's
  // key too. A SHA-1 signature, which no TLS scheme names, is judged as before (responders still make them).
  const refused = accepted && signatureSchemesOf(alg.algorithm, signer.publicKey) && refusedSchemes(alg.algorithm, signer.publicKey, accepted);
  if (refused) return `signed with ${alg.name} by the key of ${describe(signer)}: ${refused}, not among the schemes accepted in certificates (certificateSignatureSchemes)`;
  const misfit = signatureKeyProblem(alg.algorithm, signer.publicKey);
  if (misfit) return `signed with ${alg.name}, which the key of ${describe(signer)} does not allow: ${misfit}`;
  if (provider.verify(alg.algorithm, signer.publicKey, basic.tbs, basic.signature) !== true) return `signature does not verify with the key of ${describe(signer)}`;
  return undefined;
}

function windowProblem(single: SingleResponse, now: number, maxAge: number): string | undefined {
  if (Number.isNaN(now)) return 'the clock gave no time, so its window cannot be judged';
  if (now < single.thisUpdate) return `thisUpdate ${iso(single.thisUpdate)} is in the future (RFC 6960 §4.2.2.1)`;
  if (single.nextUpdate !== undefined && now > single.nextUpdate) return `nextUpdate ${iso(single.nextUpdate)} has passed: the response is stale`;
  if (single.nextUpdate === undefined && now > single.thisUpdate + maxAge) {
    return `no nextUpdate and thisUpdate ${iso(single.thisUpdate)} is older than ${maxAge / 3_600_000} hours`;
  }
  return undefined;
}

function report(single: SingleResponse, producedAt: number, responder: string): OcspReport {
  const s = single.certStatus;
  const validity = `thisUpdate ${iso(single.thisUpdate)}${single.nextUpdate === undefined ? ', no nextUpdate' : `, nextUpdate ${iso(single.nextUpdate)}`}`;
  const revoked = s.status === 'revoked' ? ` at ${iso(s.revocationTime)}${s.revocationReason ? ` (${s.revocationReason})` : ''}` : '';
  const out: OcspReport = { status: s.status, detail: `${s.status}${revoked}, signed by ${responder}, ${validity}`, responder, producedAt, thisUpdate: single.thisUpdate };
  if (single.nextUpdate !== undefined) out.nextUpdate = single.nextUpdate;
  if (s.status === 'revoked') {
    out.revocationTime = s.revocationTime;
    if (s.revocationReason) out.revocationReason = s.revocationReason;
  }
  return out;
}

/** Judges `response` as the status of `leaf`, which `issuer` issued (path validation established that). */
export function judgeStaple(response: OcspResponse, leaf: Certificate, issuer: Certificate, options: StapleOptions): StapleJudgement {
  const { now, provider } = options;
  const basic = response.basic;
  if (!basic) return bad(`the responder answered ${response.responseStatus}, not a status`);
  if (basic.unknownCritical) return bad(`unsupported critical response extension ${basic.unknownCritical}`);
  const namesLeaf = certIdMatcher(leaf, issuer, provider);
  const single = basic.responses.find((r) => namesLeaf(r.certId));
  if (!single) {
    const named = basic.responses.map((r) => `serial ${r.certId.serialNumber} (${r.certId.hashName})`).join(', ') || 'nothing';
    return bad(`it does not name ${describe(leaf)} (serial ${leaf.serialNumber} of ${describe(issuer)}); it names ${named}`);
  }
  if (single.unknownCritical) return bad(`unsupported critical singleExtension ${single.unknownCritical}`);
  const stale = windowProblem(single, now, options.maxAgeWithoutNextUpdate ?? ONE_DAY_MS);
  if (stale) return bad(stale);

  let signer = issuer;
  let responder = `the issuer ${describe(issuer)}`;
  // What each check costs, as path building counts it (a P-521 key twice).
  const budget = signatureBudget(options.signatureBudget);
  const leftAtStart = budget.left;
  let spent = 0;
  const affordable = (key: Certificate) => {
    const cost = signatureCost(key);
    if (!budget.spend(cost)) return false;
    spent += cost;
    return true;
  };
  const overBudget = () => bad(`its signature checks exceed the ${leftAtStart} that path validation left (bounded work)`);
  if (!namesSigner(basic.responderId, issuer, provider)) {
    const delegate = basic.certs.find((c) => namesSigner(basic.responderId, c, provider));
    if (!delegate) return bad(`its responderID names neither ${describe(issuer)} nor a certificate in the response`);
    const problem = delegationProblem(delegate, leaf, issuer, options);
    if (problem) return bad(problem);
    if (!affordable(issuer)) return overBudget();
    const alg = delegate.signatureAlgorithm.algorithm;
    if (!alg || !issuer.publicKey || signatureKeyProblem(alg, issuer.publicKey) || provider.verify(alg, issuer.publicKey, delegate.tbs, delegate.signature) !== true) {
      return bad(`delegated responder ${describe(delegate)} is not signed by the key of ${describe(issuer)} (RFC 6960 §4.2.2.2)`);
    }
    signer = delegate;
    responder = `delegated responder ${describe(delegate)}`;
  }
  if (!affordable(signer)) return overBudget();
  const unsigned = signatureProblem(basic, signer, provider, options.signatureSchemes);
  if (unsigned) return bad(unsigned);
  return { ok: true, report: report(single, basic.producedAt, responder), signatureChecks: spent };
}
