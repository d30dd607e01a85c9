// After CONNECTED (RFC 8446 §4.6): NewSessionTicket becomes a resumable SessionTicket, and a
// post-handshake CertificateRequest is answered over its own transcript fork. KeyUpdate is traffic.ts's.
import { clockTime } from '../../auth/trust.js';
import { handedOut } from '../handed-out.js';
import { TlsError } from '../../wire/errors.js';
import { ExtensionType } from '../../wire/enums.js';
import * as X from '../../wire/extensions.js';
import type { CertificateRequest, HandshakeMessage } from '../../wire/types.js';
import { chooseClientCertificate, describeCertificateRequest } from '../client-certificate.js';
import { resumptionPsk } from '../keyschedule.js';
import { MAX_TICKET_LIFETIME } from '../tickets.js';
import { externalPskBinding } from '../external-psk.js';
import { answerCertificateRequest, ownCandidates } from './client-auth.js';
import type { ClientHandshake, ClientState, PostHandshakeRequest } from './machine.js';

/**
 * Post-handshake CertificateRequests one connection may make us answer. Each answer costs a signature of
 * ours for a few dozen bytes of the server's; §4.6.2 lets a server send several "in close succession" but
 * sets no number. node:tls bounds the TLS 1.2 equivalent, renegotiation, at 3 per 10 minutes
 * (tls.CLIENT_RENEG_LIMIT); past ours the request is unexpected_message.
 */
export const MAX_POST_HANDSHAKE_CERTIFICATE_REQUESTS = 16;

/**
 * NewSessionTickets one connection turns into `session-ticket` events; later ones are read and ignored (a
 * client need not keep a ticket, RFC 8446 §4.6.1). Each event carries its own copy of the server's chain (up
 * to a 64 KiB Certificate message) and costs a PSK derivation, for 18 bytes of the server's: a 16 KiB record
 * of tickets made 900 copies. §4.6.1 sets no number; servers send 1 to 4 (OpenSSL 2, and 1 after resumption).
 */
export const MAX_SESSION_TICKETS = 32;

/**
 * Post-handshake authentication (RFC 8446 §4.6.2): Certificate, CertificateVerify and Finished over the
 * handshake transcript plus this request, the Finished keyed from our current application traffic secret.
 */
export function onPostHandshakeCertificateRequest(c: ClientHandshake, state: Extract<ClientState, { name: 'CONNECTED' }>, message: CertificateRequest, raw: Uint8Array): void {
  const { ctx, config } = c;
  // We offered post_handshake_auth: the connection refuses the message otherwise (expected-messages.ts).
  if (message.context.length === 0) throw new TlsError('IllegalParameter', 'a post-handshake certificate_request_context must not be empty');
  if (state.postHandshake) throw new TlsError('UnexpectedMessage', 'a second post-handshake CertificateRequest while one is unanswered');
  if (++state.certificateRequests > MAX_POST_HANDSHAKE_CERTIFICATE_REQUESTS) {
    throw new TlsError('UnexpectedMessage', `more than ${MAX_POST_HANDSHAKE_CERTIFICATE_REQUESTS} post-handshake CertificateRequests on one connection (our limit: each costs a signature)`);
  }
  if (!X.findExtension(message.extensions, ExtensionType.signature_algorithms)) {
    throw new TlsError('MissingExtension', 'CertificateRequest without signature_algorithms');
  }
  const transcript = ctx.transcript.fork();
  transcript.add(raw);
  // Our Certificate echoes the context (RFC 8446 §4.3.2), possibly after a `client-certificate` decision: the
  // request keeps a copy, the handshake-message event's may be wiped (test/security/handshake-message-copies).
  const request: PostHandshakeRequest = { message: { ...message, context: message.context.slice() }, info: describeCertificateRequest(message), transcript };
  ctx.decide('client_auth', 'requested after the handshake', 'the server sent a post-handshake CertificateRequest');
  state.postHandshake = request;
  if (config.certificate === 'ask') {
    ctx.effects.push({ kind: 'await-decision', decision: { kind: 'client-certificate', request: request.info } });
    return;
  }
  request.answer = chooseClientCertificate(ctx.provider, ctx.cfg.signatureSchemes, ownCandidates(c, state.clientRawPublicKey), request.info);
  answerPostHandshakeRequest(c, state, request);
}

export function answerPostHandshakeRequest(c: ClientHandshake, state: Extract<ClientState, { name: 'CONNECTED' }>, request: PostHandshakeRequest): void {
  // After our close_notify nothing more goes out (RFC 8446 §6.1), and the Finished key's secret is gone (traffic.ts).
  if (!state.traffic.writable) {
    c.ctx.decide('client_auth', 'not answered', 'we sent close_notify: nothing more goes out from us (RFC 8446 §6.1)');
    delete state.postHandshake;
    return;
  }
  answerCertificateRequest(c, request, request.transcript);
  c.ctx.sendFinished(state.suite, state.traffic.clientSecret('client'), request.transcript);
  delete state.postHandshake;
}

export function onNewSessionTicket(
  c: ClientHandshake,
  state: Extract<ClientState, { name: 'CONNECTED' }>,
  nst: Extract<HandshakeMessage, { kind: 'new_session_ticket' }>,
): void {
  if (++state.sessionTickets > MAX_SESSION_TICKETS) {
    if (state.sessionTickets === MAX_SESSION_TICKETS + 1) c.ctx.decide('resumption', 'tickets ignored', `more than ${MAX_SESSION_TICKETS} NewSessionTickets on one connection: the rest are not kept (our limit)`);
    return;
  }
  const earlyData = X.findExtension(nst.extensions, ExtensionType.early_data);
  // The external PSK the server proved in this handshake, fresh or resumed (not a ticket's, when the server declined it).
  const provenPsk = c.ctx.info.peer?.kind === 'psk' ? (c.selectedExternalPsk ?? c.resumedExternalPsk) : undefined;
  const ticket = {
    // A server's longer lifetime is reported as 7 days: no cache keeps the ticket longer (RFC 8446 §4.6.1).
    lifetime: Math.min(nst.lifetime, MAX_TICKET_LIFETIME),
    ageAdd: nst.ageAdd,
    nonce: nst.nonce,
    // A copy: the handshake-message event carries the NewSessionTicket too, and wiping that must not wipe what we
    // offer back to resume (test/security/handshake-message-copies). The nonce served the PSK above, and no more.
    ticket: nst.ticket.slice(),
    psk: resumptionPsk(c.ctx.provider, state.suite, state.resumptionMasterSecret, nst.nonce),
    cipherSuite: state.suite.code,
    ...(earlyData ? { maxEarlyDataSize: X.bodyOf(X.earlyDataNewSessionTicket, earlyData) } : {}),
    // NaN when the clock gives no time: a ticket of unknown age is never offered (psk.ts ticketExpired).
    ...(c.ctx.cfg.now ? { receivedAt: clockTime(c.ctx.cfg.now)! } : {}),
    ...(c.serverIdentity ? { serverName: c.serverIdentity.text } : {}),
    ...(c.ctx.info.alpn ? { alpn: c.ctx.info.alpn } : {}),
    // A copy: the engine's record of the peer goes into every ticket of the connection (test/security/handed-out-memory).
    ...(c.ctx.info.peer && c.ctx.info.peer.kind !== 'psk' ? { peer: handedOut(c.ctx.info.peer) } : {}),
    // A server that proved an external PSK: that PSK, by identity and key digest, which a resumption must still hold.
    ...(provenPsk ? { externalPsk: externalPskBinding(c.ctx.provider, provenPsk) } : {}),
  };
  c.ctx.effects.push({ type: 'session-ticket', ticket });
}
