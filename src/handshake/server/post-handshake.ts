// What the server does once CONNECTED (RFC 8446 §4.6): NewSessionTicket (§4.6.1) and post-handshake client
// authentication (§4.6.2). KeyUpdate is in traffic.ts.
import { handedOut } from '../handed-out.js';
import { ExtensionType } from '../../wire/enums.js';
import * as X from '../../wire/extensions.js';
import type { HandshakeMessage } from '../../wire/types.js';
import type { ServerConfig } from '../config.js';
import type { NegotiatedInfo } from '../events.js';
import { unexpected, type HandshakeContext } from '../context.js';
import { resumptionPsk } from '../keyschedule.js';
import type { SuiteInfo } from '../suites.js';
import { DEFAULT_TICKET_LIFETIME, MAX_OFFERED_TICKET_LENGTH, judgedCertificates, type TicketState } from '../tickets.js';
import type { ApplicationTraffic } from '../traffic.js';
import { certificateRequestExtensions, confirmClientAuthentication, receiveClientCertificate, receiveClientCertificateVerify, type ClientAuthExchange } from './client-auth.js';
import { shapeExtensions, ticketNonce } from './flight-shape.js';
import type { TicketKey } from './psk.js';
import { externalPskBinding, type ResolvedExternalPsk } from '../external-psk.js';

/** A post-handshake CertificateRequest we sent and the message we expect next. */
export interface PostHandshakeAuth {
  exchange: ClientAuthExchange;
  expecting: 'certificate' | 'certificate_verify' | 'finished';
}

/** What CONNECTED knows: its traffic keys, what the client offered, and an outstanding CertificateRequest. */
export interface Connected {
  name: 'CONNECTED';
  suite: SuiteInfo;
  traffic: ApplicationTraffic;
  /** The answered ClientHello carried post_handshake_auth (RFC 8446 §4.2.6). */
  postHandshakeAuthOffered: boolean;
  /** The client certificate type negotiated in the handshake, RawPublicKey or X.509: it holds for the connection (RFC 8446 §4.4.2). */
  clientRawPublicKey: boolean;
  postHandshake?: PostHandshakeAuth;
}

/**
 * NewSessionTicket (RFC 8446 §4.6.1) number `nonceCounter`, carrying the client chain authenticated in this handshake,
 * or the external PSK that authenticated it (`externalPsk`).
 */
export function sendTicket(
  ctx: HandshakeContext,
  config: ServerConfig,
  ticketKey: TicketKey,
  suite: SuiteInfo,
  resumptionMasterSecret: Uint8Array,
  nonceCounter: number,
  externalPsk: ResolvedExternalPsk | undefined,
): void {
  const tickets = config.tickets!;
  const lifetime = tickets.lifetime ?? DEFAULT_TICKET_LIFETIME;
  const shape = config.serverFlight;
  const ageAdd = shape?.newSessionTicket?.ageAdds?.[nonceCounter] ?? drawAgeAdd(ctx);
  const nonce = ticketNonce(shape, nonceCounter);
  const state: TicketState = {
    cipherSuite: suite.code,
    psk: resumptionPsk(ctx.provider, suite, resumptionMasterSecret, nonce),
    ageAdd,
    issuedAt: ctx.cfg.now?.() ?? 0,
    lifetime,
    clientChain: ctx.info.clientAuth === 'authenticated' && ctx.info.peer && ctx.info.peer.kind !== 'psk' ? judgedCertificates(ctx.info.peer) : [],
    clientRawPublicKey: ctx.info.clientCertificateType === 'raw-public-key',
    ...(ctx.info.alpn ? { alpn: ctx.info.alpn } : {}),
    ...(ctx.info.serverName ? { serverName: ctx.info.serverName } : {}),
    maxEarlyDataSize: tickets.maxEarlyDataSize ?? 0,
    ...(externalPsk ? { externalPsk: externalPskBinding(ctx.provider, externalPsk) } : {}),
  };
  const ticket = ticketKey.seal(state);
  // §4.6.1: opaque ticket<1..2^16-1>, and a client can offer back a little less (§4.2.11). A client path near
  // our 64 KiB message limit leaves no room for the rest: such a client gets no ticket (a full handshake next
  // time), not a message we cannot encode.
  if (ticket.length > MAX_OFFERED_TICKET_LENGTH) {
    ctx.decide('resumption', 'no ticket', `the ticket would be ${ticket.length} bytes, more than a client can offer back (${MAX_OFFERED_TICKET_LENGTH}, RFC 8446 §4.2.11, §4.6.1): the client's certificate chain is too long to carry`);
    return;
  }
  const ours = tickets.maxEarlyDataSize !== undefined ? [X.ext(ExtensionType.early_data, X.earlyDataNewSessionTicket.encode(tickets.maxEarlyDataSize))] : [];
  const extensions = shapeExtensions(shape, 'newSessionTicket', [...ours, ...(shape?.newSessionTicket?.extensions ?? [])]);
  ctx.sendOutsideTranscript({ kind: 'new_session_ticket', lifetime, ageAdd, nonce, ticket, extensions });
}

/** A fresh, unpredictable ticket_age_add (RFC 8446 §4.6.1): 4 bytes of `random`, big-endian. */
function drawAgeAdd(ctx: HandshakeContext): number {
  const b = ctx.cfg.random(4);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** Sends a post-handshake CertificateRequest (RFC 8446 §4.6.2); the client offered post_handshake_auth. */
export function requestClientCertificate(ctx: HandshakeContext, config: ServerConfig, state: Connected): void {
  if (!state.postHandshakeAuthOffered) throw new Error('the client did not offer post_handshake_auth');
  if (state.postHandshake) throw new Error('a post-handshake CertificateRequest is already outstanding');
  if (!ctx.cfg.trust) throw new Error('post-handshake authentication needs a trust policy (config.trust)');
  // A fresh, unpredictable context ties the answer to this request (RFC 8446 §4.3.2).
  const exchange: ClientAuthExchange = {
    context: ctx.cfg.random(16),
    acceptedSchemes: [...ctx.cfg.signatureSchemes],
    rawPublicKey: state.clientRawPublicKey,
    transcript: ctx.transcript.fork(),
  };
  // The event's copy of the context: the answer is checked against ours (test/security/handshake-message-copies).
  ctx.send({ kind: 'certificate_request', context: exchange.context.slice(), extensions: certificateRequestExtensions(ctx, config, exchange.acceptedSchemes) }, exchange.transcript);
  ctx.decide('client_auth', 'requested after the handshake', 'post-handshake CertificateRequest sent');
  state.postHandshake = { exchange, expecting: 'certificate' };
}

/** The client's answer to our post-handshake CertificateRequest, one message at a time. */
export function onPostHandshakeAuth(ctx: HandshakeContext, config: ServerConfig, state: Connected, pending: PostHandshakeAuth, message: HandshakeMessage, raw: Uint8Array): void {
  const { exchange } = pending;
  switch (message.kind) {
    case 'certificate':
      pending.expecting = receiveClientCertificate(ctx, config, exchange, message, raw) === 'none' ? 'finished' : 'certificate_verify';
      return;
    case 'certificate_verify':
      receiveClientCertificateVerify(ctx, exchange, message.scheme, message.signature, raw);
      pending.expecting = 'finished';
      return;
    case 'finished':
      // Base key: the client's current application traffic secret (RFC 8446 §4.4).
      const before = ctx.info.peer;
      const answer = confirmClientAuthentication(ctx, exchange, ctx.verifyFinished(state.suite, state.traffic.clientSecret('server'), message.verifyData, exchange.transcript));
      delete state.postHandshake;
      // §4.6.2 lets the client prove another identity than before: the event names the one it replaced, a copy
      // (its verdict's path ends with the config's own trust anchor: test/security/post-handshake-replaced-copy).
      const replaced = before && !sameIdentity(before, ctx.info.peer!) ? { replaced: handedOut(before) } : {};
      ctx.effects.push({ type: 'post-handshake-auth', answer, ...replaced, info: ctx.handedInfo() });
      return;
    default:
      throw unexpected(state.name, message);
  }
}

/** The same proven key (and certificate): a repeated answer, not a new identity. */
function sameIdentity(a: NonNullable<NegotiatedInfo['peer']>, b: NonNullable<NegotiatedInfo['peer']>): boolean {
  if (a.kind === 'psk' || b.kind === 'psk') return a === b;
  return a.spkiSha256 === b.spkiSha256 && a.certificateSha256 === b.certificateSha256;
}
