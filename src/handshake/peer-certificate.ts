// Judging the certificate a peer sent, in either role: an X.509 chain under the trust policy, or an
// RFC 7250 raw public key (a single SubjectPublicKeyInfo) under the same policy's key pins.
import { checkRsaKeySize } from '../auth/keys.js';
import { evaluateRawPublicKey, evaluateTrust, type LeafInfo, type TrustContext, type TrustVerdict } from '../auth/trust.js';
import type { Purpose } from '../auth/chain.js';
import type { PublicKey } from '../crypto/provider.js';
import { TlsError } from '../wire/errors.js';
import type { Certificate } from '../wire/types.js';
import type { HandshakeContext } from './context.js';

export function evaluatePeerCertificate(
  ctx: HandshakeContext,
  certificate: Certificate,
  rawPublicKey: boolean,
  purpose: Purpose,
  hostname?: string,
  ocspResponse?: Uint8Array,
): { chain: Uint8Array[]; verdict: TrustVerdict; leaf: LeafInfo } {
  return evaluatePeerChain(ctx, certificate.entries.map((e) => e.data), rawPublicKey, purpose, hostname, ocspResponse);
}

function evaluatePeerChain(
  ctx: HandshakeContext,
  chain: Uint8Array[],
  rawPublicKey: boolean,
  purpose: Purpose,
  hostname?: string,
  ocspResponse?: Uint8Array,
): { chain: Uint8Array[]; verdict: TrustVerdict; leaf: LeafInfo } {
  // No count of our own on the certificate_list (RFC 8446 §4.4.2 sets none): the handshake message limit bounds
  // its bytes, parsing is linear in them (an entry too short to be a certificate is not parsed at all: trust.ts
  // parseCandidates), and path building has its own depth, signature and candidate budgets.
  const now = ctx.cfg.now;
  // Absent fields as undefined, not as conditional spreads (`...(now ? { now } : {})`: ~1 µs a literal on Node 20).
  const trustContext: TrustContext = {
    provider: ctx.provider,
    now,
    purpose,
    hostname: hostname || undefined,
    minimumRsaKeyBits: ctx.cfg.minimumRsaKeyBits,
    certificateSignatureSchemes: ctx.cfg.certificateSignatureSchemes,
    ocspResponse: rawPublicKey ? undefined : ocspResponse,
  };
  // RFC 8446 §4.4.2: with RawPublicKey "the certificate_list MUST contain no more than one CertificateEntry".
  if (rawPublicKey && chain.length !== 1) throw new TlsError('IllegalParameter', `a raw public key Certificate carries ${chain.length} entries, not one`);
  const evaluation = rawPublicKey ? evaluateRawPublicKey(ctx.cfg.trust!, chain[0]!, trustContext) : evaluateTrust(ctx.cfg.trust!, chain, trustContext);
  // The key CertificateVerify will be checked with, whatever the policy says of it (CA keys: the path validator).
  const weak = checkRsaKeySize(evaluation.leaf.publicKey, ctx.cfg.minimumRsaKeyBits);
  if (weak) throw new TlsError('UnsupportedCertificate', `peer key: ${weak}`);
  return { chain, verdict: evaluation.verdict, leaf: { identity: evaluation.leaf.identity, publicKey: ownKey(evaluation.leaf.publicKey) } };
}

/**
 * The key CertificateVerify is checked with, in bytes of its own: it was read out of the leaf's DER, which is the
 * Certificate event's entry, and an application may wipe that before the CertificateVerify is read (a pending
 * `verify-peer` decision, a flight split across receive() calls; test/security/handshake-message-copies).
 */
function ownKey(key: PublicKey): PublicKey {
  if (key.kind === 'rsa' || key.kind === 'rsa-pss') return key;
  if (key.kind === 'ecdsa') return { ...key, point: key.point.slice() };
  return { ...key, publicKey: key.publicKey.slice() };
}

/**
 * Resumption re-judges the identity a ticket carries under today's policy, in either role: a pin removed,
 * a certificate expired or revoked since the ticket was issued must not come back through the PSK. The
 * chain was parsed and proven once; a parse failure now (stricter limits) is simply an untrusted verdict. So is
 * a configuration with no trust policy left (a server that dropped client authentication, a client that now
 * trusts external PSKs only): nothing vouches for the identity today (test/security/resumption-policy-change).
 */
export function rejudgeStoredPeer(
  ctx: HandshakeContext,
  chain: Uint8Array[],
  rawPublicKey: boolean,
  purpose: Purpose,
  hostname?: string,
): { identity: LeafInfo['identity']; verdict: TrustVerdict } | { identity?: undefined; verdict: TrustVerdict } {
  if (!ctx.cfg.trust) return { verdict: { trusted: false, rule: 'resumption', detail: 'no trust policy to judge the stored identity by today' } };
  try {
    const { verdict, leaf } = evaluatePeerChain(ctx, chain, rawPublicKey, purpose, hostname);
    return { identity: leaf.identity, verdict };
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    return { verdict: { trusted: false, rule: 'resumption', detail: e.message } };
  }
}
