// Authenticating the server (RFC 8446 §4.4.2, §4.4.3): its Certificate judged under our trust policy for
// the reference identity (RFC 6125 §6.2), which every CA policy needs because a CA vouches for many
// servers and only the name tells them apart; then its CertificateVerify over the transcript.
import { parseReferenceIdentity, type ReferenceIdentity } from '../../auth/hostname.js';
import type { LeafInfo, TrustPolicy, TrustVerdict } from '../../auth/trust.js';
import type { PublicKey } from '../../crypto/provider.js';
import { signatureSchemeName } from '../../wire/enums.js';
import { TlsError } from '../../wire/errors.js';
import type { Certificate } from '../../wire/types.js';
import type { ClientConfig } from '../config.js';
import type { PossessionProven } from '../context.js';
import { requireSolicited } from '../negotiation.js';
import { leafStaple, traceStapleVerdict } from '../ocsp-staple.js';
import { evaluatePeerCertificate } from '../peer-certificate.js';
import { checkCertificateVerify } from '../signatures.js';
import { advance } from '../transition.js';
import type { ClientHandshake, ClientState } from './machine.js';

/** A policy that accepts certificates by their issuer, so the name in them decides who the server is. */
export function vouchesByCa(policy: TrustPolicy | undefined): boolean {
  if (policy?.kind === 'ca') return true;
  return policy?.kind === 'any-of' && policy.policies.some(vouchesByCa);
}

/**
 * The reference identity from the config, parsed once; undefined when none is needed (a pinned policy) or
 * the caller opted out. A config the client cannot check the server with is a TypeError, before anything
 * is sent.
 */
export function serverIdentity(config: ClientConfig): ReferenceIdentity | undefined {
  if (config.serverName !== undefined) {
    if (config.insecureSkipServerNameCheck) throw new TypeError('serverName and insecureSkipServerNameCheck contradict each other: drop one');
    const parsed = parseReferenceIdentity(config.serverName);
    if (typeof parsed === 'string') throw new TypeError(`serverName ${parsed}`);
    return parsed;
  }
  if (vouchesByCa(config.trust) && !config.insecureSkipServerNameCheck) {
    throw new TypeError(
      "a CA trust policy needs the server's name: set serverName (a DNS name or IP address), or insecureSkipServerNameCheck: true to accept any name the CA vouches for",
    );
  }
  return undefined;
}

/** A server whose CertificateVerify checked out; it counts as authenticated once its Finished does. */
export interface ProvenServer {
  identity: LeafInfo['identity'];
  verdict: TrustVerdict;
  possession: PossessionProven;
}

export function onCertificate(
  c: ClientHandshake,
  state: Extract<ClientState, { name: 'WAIT_CERT_CR' | 'WAIT_CERT' }>,
  certificate: Certificate,
  raw: Uint8Array,
): void {
  const { ctx } = c;
  // §4.4.2: "SHALL be zero length" for server authentication; out of range is decode_error (§6.2), as BoringSSL answers.
  if (certificate.context.length !== 0) throw new TlsError('DecodeError', 'server Certificate has a non-empty certificate_request_context');
  if (certificate.entries.length === 0) throw new TlsError('EmptyServerCertificate', 'the server sent no certificate');
  for (const entry of certificate.entries) requireSolicited(entry.extensions, state.offered, 'CertificateEntry');
  const evaluation = evaluatePeerCertificate(ctx, certificate, state.serverRawPublicKey, 'serverAuth', c.serverIdentity?.text, leafStaple(ctx, certificate));
  traceStapleVerdict(ctx, evaluation.verdict.ocsp);
  ctx.transcript.add(raw);
  // WAIT_CERT's CertificateRequest is carried over with the rest; the verdict's slot stays empty until it is given.
  c.enter(advance(state, 'WAIT_CV', { leaf: evaluation.leaf, verdict: undefined }));
  if (evaluation.verdict.pending) {
    const decision = { kind: 'verify-peer' as const, chain: evaluation.chain, rawPublicKey: state.serverRawPublicKey, suggestion: evaluation.verdict };
    ctx.effects.push({ kind: 'await-decision', decision });
    return;
  }
  c.resolveTrust(evaluation.verdict);
}

export function onCertificateVerify(
  c: ClientHandshake,
  state: Extract<ClientState, { name: 'WAIT_CV' }>,
  scheme: number,
  signature: Uint8Array,
  raw: Uint8Array,
): void {
  const { ctx } = c;
  if (!ctx.cfg.signatureSchemes.includes(scheme)) {
    throw new TlsError('CertificateVerifySchemeNotOffered', `server signed with ${signatureSchemeName(scheme)}, which we did not offer`);
  }
  const proof = checkSignature(c, state.leaf.publicKey, scheme, signature);
  ctx.decide('signature_scheme', signatureSchemeName(scheme), 'the server signed the transcript with it');
  ctx.info.signatureScheme = signatureSchemeName(scheme);
  ctx.transcript.add(raw);
  const { leaf, verdict, ...rest } = state;
  c.enter(advance(rest, 'WAIT_FINISHED', { server: { identity: leaf.identity, verdict: verdict!, possession: proof } }));
}

function checkSignature(c: ClientHandshake, key: PublicKey, scheme: number, signature: Uint8Array): PossessionProven {
  const outcome = checkCertificateVerify(c.ctx.provider, scheme, key, 'server', c.ctx.transcript.current(), signature);
  if (outcome === 'scheme-does-not-fit-key') {
    throw new TlsError('IllegalParameter', `${signatureSchemeName(scheme)} does not fit the server's ${key.kind} key`);
  }
  if (outcome === 'bad-signature') throw new TlsError('BadCertificateVerifySignature', 'server CertificateVerify does not verify');
  return c.ctx.possessionProven();
}
