// Our side of client authentication in the handshake (RFC 8446 §4.3.2, §4.4.2): the server's
// CertificateRequest, and the Certificate and CertificateVerify we answer it with.
import { rawPublicKeyCertified } from '../certificate-types.js';
import { TlsError } from '../../wire/errors.js';
import { ExtensionType } from '../../wire/enums.js';
import * as X from '../../wire/extensions.js';
import type { Certificate, CertificateRequest } from '../../wire/types.js';
import type { CertifiedKey } from '../config.js';
import { maybeCompress } from '../certificate-compression.js';
import { chooseClientCertificate, describeCertificateRequest } from '../client-certificate.js';
import { signCertificateVerify } from '../signatures.js';
import { advance } from '../transition.js';
import type { ClientAuthRequest, ClientHandshake, ClientState } from './machine.js';

/** CertificateRequest in the handshake: checked, then answered from our config now or by the caller ('ask'). */
export function onCertificateRequest(c: ClientHandshake, state: Extract<ClientState, { name: 'WAIT_CERT_CR' }>, message: CertificateRequest, raw: Uint8Array) {
  const { ctx, config } = c;
  // In the main handshake the context "SHALL be zero length" (RFC 8446 §4.3.2): out of range, decode_error (§6.2).
  if (message.context.length !== 0) throw new TlsError('DecodeError', 'certificate_request_context must be empty in the handshake');
  if (!X.findExtension(message.extensions, ExtensionType.signature_algorithms)) {
    throw new TlsError('MissingExtension', 'CertificateRequest without signature_algorithms');
  }
  const request: ClientAuthRequest = { message, info: describeCertificateRequest(message) };
  ctx.decide('client_auth', 'requested', 'the server sent CertificateRequest');
  ctx.transcript.add(raw);
  c.enter(advance(state, 'WAIT_CERT', { request }));
  if (config.certificate === 'ask') {
    ctx.effects.push({ kind: 'await-decision', decision: { kind: 'client-certificate', request: request.info } });
    return;
  }
  request.answer = chooseClientCertificate(ctx.provider, ctx.cfg.signatureSchemes, ownCandidates(c, state.clientRawPublicKey), request.info);
  if (state.clientRawPublicKey) ctx.info.clientCertificateType = 'raw-public-key';
}

/**
 * What we can answer a CertificateRequest with: our raw key when RawPublicKey was negotiated for us, else our
 * X.509 certificates. The type negotiated in EncryptedExtensions holds for every Certificate of the connection,
 * the post-handshake ones too (RFC 8446 §4.4.2, §4.6.2).
 */
export function ownCandidates(c: ClientHandshake, rawPublicKey: boolean): CertifiedKey[] {
  const { ctx, config } = c;
  if (rawPublicKey) return config.rawPublicKey ? [rawPublicKeyCertified(ctx.provider, config.rawPublicKey)] : [];
  return config.certificate === undefined || config.certificate === 'ask' ? [] : [config.certificate].flat();
}

/** Our Certificate and CertificateVerify, or an empty Certificate when we have nothing that fits (§4.4.2). */
export function answerCertificateRequest(c: ClientHandshake, request: ClientAuthRequest, transcript = c.ctx.transcript): void {
  const { ctx } = c;
  const answer = request.answer!;
  const context = request.message.context;
  if (!answer.certified) {
    ctx.decide('client_certificate', 'none', answer.reason);
    // A post-handshake request refused (RFC 8446 §4.6.2) leaves the identity our handshake proved.
    if (ctx.info.clientAuth !== 'authenticated') ctx.info.clientAuth = 'requested-none-sent';
    ctx.send({ kind: 'certificate', context, entries: [] }, transcript);
    return;
  }
  ctx.decide('client_certificate', 'sent', answer.reason);
  ctx.info.clientAuth = 'authenticated';
  const certificate: Certificate = { kind: 'certificate', context, entries: answer.certified.chain.map((data) => ({ data, extensions: [] })) };
  ctx.send(maybeCompress(ctx, request.message.extensions, certificate), transcript);
  const signature = signCertificateVerify(ctx.provider, answer.scheme, answer.certified, 'client', transcript.current(), ctx.cfg.random);
  ctx.send({ kind: 'certificate_verify', scheme: answer.scheme, signature }, transcript);
}
