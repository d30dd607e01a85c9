// Client authentication on the server (RFC 8446 §4.3.2, §4.4.2, §4.4.3): the CertificateRequest we send,
// the client's Certificate judged by the trust policy, and its CertificateVerify proving it holds the key.
// The same exchange runs in the handshake and after it (§4.6.2, see post-handshake.ts).
import { trustAnchors, type LeafInfo, type TrustVerdict } from '../../auth/trust.js';
import { parseConfiguredCertificate } from '../../auth/configured-certificates.js';
import { equalBytes } from '../../wire/bytes.js';
import { ExtensionType, extensionTypeName, signatureSchemeName } from '../../wire/enums.js';
import { TlsError } from '../../wire/errors.js';
import * as X from '../../wire/extensions.js';
import type { Certificate, Extension } from '../../wire/types.js';
import { signatureAlgorithmsCert, type ServerConfig } from '../config.js';
import type { HandshakeContext, PeerFinishedVerified, PossessionProven } from '../context.js';
import { evaluatePeerCertificate } from '../peer-certificate.js';
import { compressCertificateExtension } from '../certificate-compression.js';
import { checkCertificateVerify } from '../signatures.js';
import type { Transcript } from '../transcript.js';
import { shapeExtensions } from './flight-shape.js';

/**
 * One CertificateRequest → Certificate → CertificateVerify exchange with the client, in the handshake or
 * after it (RFC 8446 §4.3.2, §4.6.2). After the handshake its transcript is a fork: the handshake through
 * the client Finished, then this exchange only (RFC 8446 §4.4).
 */
export interface ClientAuthExchange {
  context: Uint8Array;
  acceptedSchemes: number[];
  rawPublicKey: boolean;
  transcript: Transcript;
  leaf?: LeafInfo;
  verdict?: TrustVerdict;
  /** Set by a CertificateVerify that checked out; the identity is reported only after the Finished. */
  possession?: PossessionProven;
  /** The client answered with an empty Certificate (RFC 8446 §4.4.2.4); reported only after its Finished too. */
  declined?: true;
}

/** CertificateRequest extensions (RFC 8446 §4.3.2): the schemes we verify and, for a CA policy, our CAs. */
export function certificateRequestExtensions(ctx: HandshakeContext, config: ServerConfig, acceptedSchemes: number[]): Extension[] {
  const extensions = [X.ext(ExtensionType.signature_algorithms, X.signatureAlgorithms.encode(acceptedSchemes))];
  const certSchemes = signatureAlgorithmsCert(ctx.cfg);
  if (certSchemes) extensions.push(X.ext(ExtensionType.signature_algorithms_cert, X.signatureAlgorithmsCert.encode([...certSchemes])));
  const anchors = config.sendCertificateAuthorities === false ? [] : trustAnchors(ctx.cfg.trust);
  if (anchors.length > 0) {
    const names = anchors.map((der) => parseConfiguredCertificate(der).subject.raw);
    extensions.push(X.ext(ExtensionType.certificate_authorities, X.certificateAuthorities.encode(names)));
  }
  const compression = compressCertificateExtension(ctx);
  if (compression) extensions.push(compression);
  return shapeExtensions(config.serverFlight, 'certificateRequest', extensions);
}

/** A verdict for the exchange: one that rejects ends the handshake with its alert. */
export function applyVerdict(ctx: HandshakeContext, exchange: ClientAuthExchange, verdict: TrustVerdict): void {
  exchange.verdict = ctx.acceptVerdict(verdict);
}

/** The client's Certificate (RFC 8446 §4.4.2): empty (allowed unless required), or judged by the trust policy. */
export function receiveClientCertificate(
  ctx: HandshakeContext,
  config: ServerConfig,
  exchange: ClientAuthExchange,
  certificate: Certificate,
  raw: Uint8Array,
): 'none' | 'judged' {
  if (!equalBytes(certificate.context, exchange.context)) {
    // §4.4.2: the request's context, so in the handshake "zero length" (out of range: decode_error, §6.2); after
    // it, a context other than the one we sent is inconsistent with our request (illegal_parameter).
    const inHandshake = exchange.context.length === 0;
    throw new TlsError(inHandshake ? 'DecodeError' : 'IllegalParameter', `client Certificate context differs from our ${inHandshake ? 'empty ' : ''}certificate_request_context`);
  }
  exchange.transcript.add(raw);
  if (certificate.entries.length === 0) {
    if (config.clientAuth === 'require') {
      throw new TlsError('CertificateRequired', 'the client sent no certificate and our policy requires one');
    }
    ctx.decide('client_auth', 'none', 'the client sent an empty Certificate; our policy makes it optional');
    exchange.declined = true;
    return 'none';
  }
  for (const entry of certificate.entries) {
    if (entry.extensions.length > 0) {
      throw new TlsError('UnsolicitedExtension', `CertificateEntry carries ${extensionTypeName(entry.extensions[0]!.type)}, which we did not request`);
    }
  }
  const evaluation = evaluatePeerCertificate(ctx, certificate, exchange.rawPublicKey, 'clientAuth');
  exchange.leaf = evaluation.leaf;
  if (evaluation.verdict.pending) {
    const decision = { kind: 'verify-peer' as const, chain: evaluation.chain, rawPublicKey: exchange.rawPublicKey, suggestion: evaluation.verdict };
    ctx.effects.push({ kind: 'await-decision', decision });
  } else {
    applyVerdict(ctx, exchange, evaluation.verdict);
  }
  return 'judged';
}

/** The client's CertificateVerify (RFC 8446 §4.4.3): proof that it holds the key; then it is authenticated. */
export function receiveClientCertificateVerify(ctx: HandshakeContext, exchange: ClientAuthExchange, scheme: number, signature: Uint8Array, raw: Uint8Array): void {
  const leaf = exchange.leaf!;
  if (!exchange.acceptedSchemes.includes(scheme)) {
    throw new TlsError('CertificateVerifySchemeNotOffered', `client signed with ${signatureSchemeName(scheme)}, which our CertificateRequest did not offer`);
  }
  const outcome = checkCertificateVerify(ctx.provider, scheme, leaf.publicKey, 'client', exchange.transcript.current(), signature);
  if (outcome === 'scheme-does-not-fit-key') {
    throw new TlsError('IllegalParameter', `${signatureSchemeName(scheme)} does not fit the client's ${leaf.publicKey.kind} key`);
  }
  if (outcome === 'bad-signature') {
    throw new TlsError('BadCertificateVerifySignature', 'client CertificateVerify does not verify: the client does not hold the key of its certificate, or signed another transcript');
  }
  exchange.possession = ctx.possessionProven();
  ctx.decide('client_auth', 'key possession proven', `the client signed the transcript with ${signatureSchemeName(scheme)}; its Finished comes next`);
  exchange.transcript.add(raw);
}

/**
 * After the client's Finished checked out: the client is authenticated only now. Its Finished, a MAC
 * over the whole transcript (RFC 8446 §4.4.4), ties the Certificate and CertificateVerify to this
 * connection; an identity reported before it could outlive a handshake that fails at the last message.
 * An empty Certificate is reported now too. A client may refuse a post-handshake request (§4.6.2) after
 * its handshake proved who it is: that identity stays the connection's, so `peer` and `clientAuth` keep
 * agreeing. Returns what this exchange got.
 */
export function confirmClientAuthentication(ctx: HandshakeContext, exchange: ClientAuthExchange | undefined, finished: PeerFinishedVerified): 'certificate' | 'none' {
  if (!exchange?.possession) {
    if (exchange?.declined && !ctx.info.peer) ctx.info.clientAuth = 'requested-none-sent';
    return 'none';
  }
  ctx.authenticate(exchange.leaf!.identity, exchange.verdict!, { possession: exchange.possession, finished });
  ctx.info.clientAuth = 'authenticated';
  ctx.info.clientCertificateType = exchange.rawPublicKey ? 'raw-public-key' : 'x509';
  ctx.decide('client_auth', 'authenticated', 'the client proved possession of its key, and its Finished covers this transcript');
  return 'certificate';
}
