// What a stapled OCSP response means under a trust policy. Under `ca` it is part of the decision, as a
// CRL is: a revoked leaf fails with certificate_revoked, a staple we cannot believe with
// bad_certificate_status_response (RFC 8446 §6.2). Under pinned policies (and `ask`) the pin is the trust:
// the staple is judged when the peer sent its leaf's issuer, and only reported.
import type { CryptoProvider } from '../crypto/provider.js';
import { TlsError } from '../wire/errors.js';
import { parseOcspResponse, type OcspResponse } from './ocsp.js';
import { judgeStaple, type OcspReport } from './ocsp-status.js';
import { signatureCost } from './path/build.js';
import { sameNameAs } from './path/name-match.js';
import { checkSignatureScheme } from './path/signature-schemes.js';
import type { SignatureBudget } from './path/signature-budget.js';
import type { TrustVerdict } from './trust.js';
import { describe, type Failure } from './path/verdict.js';
import type { Certificate } from './x509.js';

/** Certificates tried as the leaf's issuer when no path was built (one signature check each). */
const MAX_ISSUER_CANDIDATES = 2;

export interface StapleContext {
  staple: Uint8Array;
  now: number;
  provider: CryptoProvider;
  minimumRsaKeyBits?: number;
  /** The schemes accepted in certificates (certificateSignatureSchemes); absent: any we can verify. */
  signatureSchemes?: readonly number[];
}

/** What judging `staple` needs of a trust context: the clock's reading, the provider, the RSA key floor and the accepted schemes. */
export function stapleContext(
  staple: Uint8Array,
  now: number,
  ctx: { provider: CryptoProvider; minimumRsaKeyBits?: number; certificateSignatureSchemes?: readonly number[] },
): StapleContext {
  return {
    staple,
    now,
    provider: ctx.provider,
    ...(ctx.minimumRsaKeyBits !== undefined ? { minimumRsaKeyBits: ctx.minimumRsaKeyBits } : {}),
    ...(ctx.certificateSignatureSchemes ? { signatureSchemes: ctx.certificateSignatureSchemes } : {}),
  };
}

function parse(staple: Uint8Array): OcspResponse | OcspReport {
  try {
    return parseOcspResponse(staple);
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    return { status: 'invalid', detail: e.detail };
  }
}

/** The report for `leaf` issued by `issuer`, paid from the budget of the Certificate message it came in. */
function stapleReport(ctx: StapleContext, leaf: Certificate, issuer: Certificate, budget: SignatureBudget): OcspReport {
  const response = parse(ctx.staple);
  if (!('der' in response)) return response;
  const { staple: _staple, ...options } = ctx;
  const judged = judgeStaple(response, leaf, issuer, { ...options, signatureBudget: budget });
  return judged.ok ? judged.report : { status: 'invalid', detail: judged.detail };
}

/**
 * Under `ca`, for a validated `path` (leaf first): the staple is judged against the leaf's issuer on that
 * path, with what path validation left of the message's signature budget. A leaf that is itself an anchor has no issuer to
 * judge by: reported, not acted on.
 */
export function caStapleVerdict(verdict: TrustVerdict, ctx: StapleContext, path: Certificate[], budget: SignatureBudget): TrustVerdict {
  const [leaf, issuer] = path;
  if (!issuer) return { ...verdict, ocsp: { status: 'invalid', detail: `OCSP staple not judged: ${describe(leaf!)} is itself a trust anchor, with no issuer to check the staple by` } };
  const ocsp = stapleReport(ctx, leaf!, issuer, budget);
  if (ocsp.status === 'invalid') return { trusted: false, rule: 'ca', reason: 'BadCertificateStatusResponse', detail: ocsp.detail, ocsp };
  if (ocsp.status === 'revoked') return { trusted: false, rule: 'ca', reason: 'CertificateRevoked', detail: `${describe(leaf!)} is revoked per its OCSP staple: ${ocsp.detail}`, ocsp };
  return { ...verdict, ocsp };
}

/**
 * Under any other policy (or a CA policy that rejected the chain first): the staple is reported, never acted
 * on. Its issuer must be among the peer's other certificates (the leaf's issuer DN as RFC 5280 §7.1 compares names, and its key
 * verifies the leaf's signature: one check each). Every check is paid from what is left of the message's
 * budget: a path that failed after spending it leaves nothing for the staple.
 */
export function reportedStapleVerdict(verdict: TrustVerdict, ctx: StapleContext, leaf: Certificate, others: Certificate[], budget: SignatureBudget): TrustVerdict {
  const alg = leaf.signatureAlgorithm.algorithm;
  const notJudged = (why: string): TrustVerdict => ({ ...verdict, ocsp: { status: 'invalid', detail: `OCSP staple not judged: ${why}` } });
  const namesIssuer = sameNameAs(leaf.issuer);
  const candidates = others.filter((c) => namesIssuer(c.subject)).slice(0, MAX_ISSUER_CANDIDATES);
  let refused: Failure | undefined;
  for (const candidate of candidates) {
    if (alg === undefined || candidate.publicKey === null) continue;
    // The leaf's signature is a signature in a certificate: only a scheme we accept there is checked (RFC 8446 §4.2.3).
    refused = ctx.signatureSchemes && checkSignatureScheme(leaf, candidate, ctx.signatureSchemes);
    if (refused) continue;
    if (!budget.spend(signatureCost(candidate))) return notJudged(`the ${budget.limit} signature checks of this certificate message are spent (bounded work)`);
    if (ctx.provider.verify(alg, candidate.publicKey, leaf.tbs, leaf.signature) === true) return { ...verdict, ocsp: stapleReport(ctx, leaf, candidate, budget) };
  }
  return notJudged(refused?.detail ?? `the peer did not send the issuer of ${describe(leaf)}`);
}
