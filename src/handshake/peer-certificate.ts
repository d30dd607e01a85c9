// Judging the certificate a peer sent, in either role: an X.509 chain under the trust policy, or an
// RFC 7250 raw public key (a single SubjectPublicKeyInfo) under the same policy's key pins.
import { checkRsaKeySize } from '../auth/keys.js';
import { evaluateRawPublicKey, evaluateTrust, type LeafInfo, type TrustVerdict } from '../auth/trust.js';
import type { Purpose } from '../auth/chain.js';
import { TlsError } from '../wire/errors.js';
import type { Certificate } from '../wire/types.js';
import type { HandshakeContext } from './context.js';

/** Our bound on the certificates a peer may send: real chains have 2 to 4; each one is parsed as X.509. */
export const MAX_CERTIFICATE_CHAIN_LENGTH = 10;

export function evaluatePeerCertificate(
  ctx: HandshakeContext,
  certificate: Certificate,
  rawPublicKey: boolean,
  purpose: Purpose,
  hostname?: string,
): { chain: Uint8Array[]; verdict: TrustVerdict; leaf: LeafInfo } {
  const chain = certificate.entries.map((e) => e.data);
  if (chain.length > MAX_CERTIFICATE_CHAIN_LENGTH) {
    throw new TlsError('BadCertificate', `a chain of ${chain.length} certificates; we accept at most ${MAX_CERTIFICATE_CHAIN_LENGTH}`);
  }
  const now = ctx.cfg.now;
  const trustContext = { provider: ctx.provider, ...(now ? { now } : {}), purpose, ...(hostname ? { hostname } : {}) };
  // RFC 8446 §4.4.2: with RawPublicKey "the certificate_list MUST contain no more than one CertificateEntry".
  if (rawPublicKey && chain.length !== 1) throw new TlsError('IllegalParameter', `a raw public key Certificate carries ${chain.length} entries, not one`);
  const evaluation = rawPublicKey ? evaluateRawPublicKey(ctx.cfg.trust!, chain[0]!, trustContext) : evaluateTrust(ctx.cfg.trust!, chain, trustContext);
  // The key CertificateVerify will be checked with, whatever the policy says of it (CA keys: the path validator).
  const weak = checkRsaKeySize(evaluation.leaf.publicKey, ctx.cfg.minimumRsaKeyBits);
  if (weak) throw new TlsError('UnsupportedCertificate', `peer key: ${weak}`);
  return { chain, ...evaluation };
}
