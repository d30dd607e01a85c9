// Resumption on the client (RFC 8446 §2.2, §4.2.11): which ticket is offered, its binder, 0-RTT data
// (§2.3), and what a ServerHello that accepts the PSK means.
import { parseReferenceIdentity, type ReferenceIdentity } from '../../auth/hostname.js';
import { clockTime } from '../../auth/trust.js';
import { ExtensionType } from '../../wire/enums.js';
import { TlsError } from '../../wire/errors.js';
import * as X from '../../wire/extensions.js';
import { encodeHandshake, truncateBeforeBinders } from '../../wire/messages.js';
import type { ClientHello, Extension, OfferedPsks, ServerHello } from '../../wire/types.js';
import { authenticateExternalPsk, type PeerFinishedVerified } from '../context.js';
import { stillProvisioned } from '../external-psk.js';
import { rejudgeStoredPeer } from '../peer-certificate.js';
import { certificateTypeOf } from '../certificate-types.js';
import type { SessionTicket } from '../events.js';
import { KeySchedule, finishedVerifyData } from '../keyschedule.js';
import { SUITES, type SuiteInfo } from '../suites.js';
import { MAX_OFFERED_TICKET_LENGTH } from '../tickets.js';
import { acceptedExternalPsk, externalPskIdentities, offeredSuites, offersHash, suiteForHash } from './external-psk.js';
import type { ClientHandshake } from './machine.js';

/**
 * "Clients MUST only resume if the new SNI value is valid for the server certificate presented in the
 * original session, and SHOULD only resume if the SNI value matches the one used in the original session"
 * (RFC 8446 §4.6.1). A ticket is bound to the reference identity it was issued under, which that session
 * checked the certificate against: offered only to the same identity. Why not, or undefined when it fits.
 */
function ticketNotFor(ticket: SessionTicket, identity: ReferenceIdentity | undefined): string | undefined {
  const issued = ticket.serverName === undefined ? undefined : parseReferenceIdentity(ticket.serverName);
  const same = issued === undefined || identity === undefined ? issued === identity : typeof issued !== 'string' && issued.kind === identity.kind && issued.text === identity.text;
  if (same) return undefined;
  return `the ticket was issued for ${ticket.serverName ?? 'a server with no name'}, not ${identity?.text ?? 'a server with no name'} (RFC 8446 §4.6.1)`;
}

/**
 * The ticket_lifetime counts from issuance, 0 means "discarded immediately", and "Clients MUST NOT cache
 * tickets for longer than 7 days, regardless of the ticket_lifetime" (RFC 8446 §4.6.1). Judged by our
 * clock when the ticket and we have one; a clock that gives no time (`clockTime`: NaN for a string, a Promise,
 * nothing) finds every ticket expired, and so does a ticket received under one (its receivedAt is NaN).
 * Why not, or undefined while the ticket is alive.
 */
function ticketExpired(ticket: SessionTicket, now: number | undefined): string | undefined {
  // At most 7 days: validateClientConfig refuses more, and the engine reports a server's longer lifetime as 7 days.
  const lifetimeMs = ticket.lifetime * 1000;
  if (lifetimeMs > 0 && (now === undefined || ticket.receivedAt === undefined)) return undefined;
  const age = now! - ticket.receivedAt!;
  if (age < lifetimeMs) return undefined;
  return `the ticket is ${Number.isFinite(age) ? `${Math.round(age / 1000)} s old` : 'of unknown age'}, past its lifetime of ${lifetimeMs / 1000} s (RFC 8446 §4.6.1)`;
}

/** A ticket the pre_shared_key extension cannot hold with its age and binder (RFC 8446 §4.2.11); why, or undefined. */
function ticketTooLong(ticket: SessionTicket): string | undefined {
  if (ticket.ticket.length <= MAX_OFFERED_TICKET_LENGTH) return undefined;
  return `the ticket is ${ticket.ticket.length} bytes: pre_shared_key holds at most ${MAX_OFFERED_TICKET_LENGTH} with its age and binder within 2^16 - 1 (RFC 8446 §4.1.2, §4.2.11)`;
}

/** The configured ticket, when it is alive and was issued for the server we now mean to reach. */
export function chooseTicket(c: ClientHandshake): void {
  const resumption = c.config.resumption;
  if (!resumption) return;
  const ticketSuite = SUITES.get(resumption.ticket.cipherSuite)!;
  const mismatch =
    ticketExpired(resumption.ticket, clockTime(c.ctx.cfg.now)) ??
    ticketNotFor(resumption.ticket, c.serverIdentity) ??
    ticketTooLong(resumption.ticket) ??
    (offersHash(c, ticketSuite.hash) ? undefined : `the ticket is of ${ticketSuite.name}, and no suite we offer uses ${ticketSuite.hash} (RFC 8446 §4.2.11)`);
  if (mismatch) return c.ctx.decide('resumption', 'ticket not offered', mismatch);
  const bound = resumption.ticket.externalPsk;
  if (bound) {
    // The server proved an external PSK in that session: it comes back through the ticket only while we hold that PSK.
    const psk = stillProvisioned(c.ctx.provider, c.ctx.cfg.externalPsks, bound);
    if (!psk) return c.ctx.decide('resumption', 'ticket not offered', "the ticket's server proved an external PSK we no longer hold with that key (deleted or rotated)");
    c.resumedExternalPsk = psk;
  }
  const peer = resumption.ticket.peer;
  if (peer) {
    // The server's identity comes back through the PSK only if today's policy still accepts it.
    const rejudged = rejudgeStoredPeer(c.ctx, peer.chain, certificateTypeOf(peer) === 'raw-public-key', 'serverAuth', c.serverIdentity?.text);
    if (!rejudged.verdict.trusted && !rejudged.verdict.pending) {
      return c.ctx.decide('resumption', 'ticket not offered', `the ticket's server certificate does not pass the current trust policy: ${rejudged.verdict.detail}`);
    }
    // Under `ask` only the caller's verdict, given with the ticket, speaks for the server (config.ts ResumptionConfig).
    const verdict = rejudged.verdict.pending ? resumption.serverVerdict : rejudged.verdict;
    if (verdict && !verdict.trusted) {
      return c.ctx.decide('resumption', 'ticket not offered', `the caller's verdict on the ticket's server: ${verdict.detail}`);
    }
    if (rejudged.identity && verdict) c.resumedServer = { identity: rejudged.identity, verdict: { ...verdict } };
    else c.ctx.decide('resumption', 'identity not re-judged', "the trust policy asks the caller, who is not asked about a resumed session: a resumption reports no server identity");
  }
  // Our own copy of the bytes ClientHello2 offers again after a HelloRetryRequest (§4.1.2): the caller may
  // change its ticket in place once the connection is made.
  c.offeredTicket = { ...resumption.ticket, ticket: resumption.ticket.ticket.slice(), psk: resumption.ticket.psk.slice() };
}

/**
 * A ticket goes back inside pre_shared_key, inside the ClientHello's extensions<8..2^16-1> (RFC 8446 §4.1.2),
 * but a server may send one of up to 2^16 - 1 bytes (§4.6.1): a ticket that does not fit beside the rest of
 * `extensions` (pre_shared_key with its binders' room included) is not offered. True when it was dropped.
 */
export function dropTicketThatDoesNotFit(c: ClientHandshake, extensions: readonly Extension[]): boolean {
  const length = X.extensionsLength(extensions);
  if (!c.offeredTicket || length <= 0xffff) return false;
  forgetTicket(c);
  c.ctx.decide('resumption', 'ticket not offered', `with its ${c.config.resumption!.ticket.ticket.length}-byte ticket our ClientHello's extensions would be ${length} bytes, more than 2^16 - 1 (RFC 8446 §4.1.2)`);
  return true;
}

/** The ticket is not offered: nor is the identity it would have brought back. */
function forgetTicket(c: ClientHandshake): void {
  delete c.offeredTicket;
  delete c.resumedServer;
  delete c.resumedExternalPsk;
}

/** A PSK is bound to its suite's hash: one the HelloRetryRequest's suite cannot use leaves ClientHello2 (RFC 8446 §4.1.4). */
export function dropTicketForSuite(c: ClientHandshake, suite: SuiteInfo): void {
  if (!c.offeredTicket || SUITES.get(c.offeredTicket.cipherSuite)!.hash === suite.hash) return;
  forgetTicket(c);
  c.ctx.decide('resumption', 'ticket not offered', `the HelloRetryRequest chose ${suite.name}, whose hash the ticket cannot use (RFC 8446 §4.1.4)`);
}

/**
 * Whether our 0-RTT data goes with the offered ticket: "max_early_data_size: The maximum amount of 0-RTT data
 * that the client is allowed to send when using this ticket" (RFC 8446 §4.6.1), and a server that gets more
 * ends the connection (§4.2.10); and the ticket's suite and ALPN protocol must be ones we offer. Otherwise the
 * data waits for 1-RTT.
 */
export function earlyDataFitsTicket(c: ClientHandshake): boolean {
  const earlyData = c.config.resumption?.earlyData;
  const budget = c.offeredTicket?.maxEarlyDataSize ?? 0;
  if (earlyData === undefined || budget === 0) return false;
  // §4.2.10: 0-RTT is read under the ticket's suite and ALPN, which the server must select: one we no longer
  // offer would be rejected, and its data would have gone out under a cipher or protocol we gave up.
  const { cipherSuite: suite, alpn } = c.offeredTicket!;
  const why =
    earlyData.length > budget ? `${earlyData.length} bytes of early data, more than the ${budget} the ticket allows (max_early_data_size, RFC 8446 §4.6.1)`
    : !offeredSuites(c).includes(suite) ? `the ticket is of ${SUITES.get(suite)!.name}, which we no longer offer (RFC 8446 §4.2.10)`
    : alpn !== undefined && !c.ctx.cfg.alpnProtocols.includes(alpn) ? `the ticket's ALPN protocol ${alpn} is not among ours (RFC 8446 §4.2.10)`
    : undefined;
  if (why) c.ctx.decide('early_data', 'not sent', why);
  return why === undefined;
}

/** 0-RTT (RFC 8446 §2.3): early secrets over ClientHello, then the data under client_early_traffic_secret. */
export function sendEarlyData(c: ClientHandshake, compat: boolean): void {
  const { ctx } = c;
  const ticket = c.offeredTicket!;
  const earlyData = c.config.resumption!.earlyData;
  const suite = SUITES.get(ticket.cipherSuite)!;
  const transcript = ctx.transcript.fork();
  transcript.selectHash(suite.hash);
  const early = new KeySchedule(ctx.provider, suite, ticket.psk).earlySecrets(transcript.current());
  ctx.secret('client_early_traffic_secret', early.clientEarlyTraffic);
  ctx.secret('early_exporter_master_secret', early.earlyExporter);
  ctx.earlyExporter = { secret: early.earlyExporter, suite };
  // With early data, the compatibility ChangeCipherSpec goes right after the ClientHello (§D.4).
  if (compat) ctx.effects.push({ kind: 'send-change-cipher-spec' });
  ctx.effects.push({ kind: 'write-keys', epoch: 'early', suite, secret: early.clientEarlyTraffic });
  ctx.effects.push({ kind: 'send-application-data', data: earlyData! });
  ctx.decide('early_data', `${earlyData!.length} bytes sent`, 'resuming with a ticket that allows 0-RTT');
}

/** Whether our ClientHello carries pre_shared_key: a ticket, external PSKs, or both. */
export function offersPsk(c: ClientHandshake): boolean {
  return c.offeredTicket !== undefined || c.offeredExternalPsks.length > 0;
}

/** Every PSK we offer, in identity order: the ticket first (0-RTT needs it first, §4.2.10), then external PSKs. */
function offeredKeys(c: ClientHandshake): Array<{ suite: SuiteInfo; psk: Uint8Array; resumption: boolean }> {
  const ticket = c.offeredTicket;
  return [
    ...(ticket ? [{ suite: SUITES.get(ticket.cipherSuite)!, psk: ticket.psk, resumption: true }] : []),
    ...c.offeredExternalPsks.map((p) => ({ suite: suiteForHash(p.hash), psk: p.key, resumption: false })),
  ];
}

/** OfferedPsks: the ticket and its obfuscated age (RFC 8446 §4.2.11.1), then our external PSKs; binders zeroed. */
export function offeredPsks(c: ClientHandshake): OfferedPsks {
  const ticket = c.offeredTicket;
  const now = clockTime(c.ctx.cfg.now);
  const age = now !== undefined && ticket?.receivedAt !== undefined ? Math.max(0, now - ticket.receivedAt) : 0;
  return {
    identities: [...(ticket ? [{ identity: ticket.ticket, obfuscatedTicketAge: (age + ticket.ageAdd) >>> 0 }] : []), ...externalPskIdentities(c)],
    binders: offeredKeys(c).map((k) => new Uint8Array(k.suite.hashLength)),
  };
}

/**
 * The PSK binders (RFC 8446 §4.2.11.2): HMACs, each keyed from its PSK ("res binder" for a ticket, "ext
 * binder" for an external PSK, §7.1), over the transcript up to this ClientHello truncated before its
 * binders, so each PSK is bound to this handshake.
 */
export function bindPsks(c: ClientHandshake, hello: ClientHello): void {
  const { ctx } = c;
  const last = hello.extensions[hello.extensions.length - 1]!;
  const zeroed = X.bodyOf(X.preSharedKeyClientHello, last);
  const truncated = truncateBeforeBinders(encodeHandshake(hello), zeroed);
  const binders = offeredKeys(c).map(({ suite, psk, resumption }) => {
    const transcript = ctx.transcript.fork();
    transcript.selectHash(suite.hash);
    transcript.add(truncated);
    const binderKey = new KeySchedule(ctx.provider, suite, psk).binderKey(resumption);
    return finishedVerifyData(ctx.provider, suite, binderKey, transcript.current());
  });
  const offered = { ...zeroed, binders };
  hello.extensions[hello.extensions.length - 1] = X.ext(ExtensionType.pre_shared_key, X.preSharedKeyClientHello.encode(offered));
}

/** The PSK the server selected in ServerHello, if any (RFC 8446 §4.2.11): it must be ours and fit the suite. */
export function acceptedPsk(c: ClientHandshake, sh: ServerHello, suite: SuiteInfo): Uint8Array | undefined {
  const ext = X.findExtension(sh.extensions, ExtensionType.pre_shared_key);
  if (!ext) return undefined;
  if (!offersPsk(c)) throw new TlsError('UnsolicitedExtension', 'ServerHello selects a PSK, but we offered none');
  const selected = X.bodyOf(X.preSharedKeyServerHello, ext);
  const ticket = c.offeredTicket;
  // §4.2.11: "a server "key_share" extension is present if required by the ClientHello "psk_key_exchange_modes"".
  // The list on the wire is the union of our ticket's and our external PSKs' modes (§4.2.9 has one list):
  // psk_ke is judged by the config of the PSK the server selected, or one kind's psk_ke would admit the other.
  const selectedModes = !ticket || selected > 0 ? (c.ctx.cfg.externalPsks?.modes ?? []) : (c.config.resumption?.modes ?? ['psk_dhe_ke']);
  // psk_dhe_ke makes the key_share mandatory: missing_extension, as BoringSSL and rustls answer.
  if (!X.findExtension(sh.extensions, ExtensionType.key_share) && !selectedModes.includes('psk_ke')) {
    throw new TlsError('MissingExtension', 'the server accepted our PSK without a key_share, but that PSK allows only psk_dhe_ke');
  }
  if (!ticket || selected > 0) return acceptedExternalPsk(c, sh, selected - (ticket ? 1 : 0), suite).key;
  if (SUITES.get(ticket.cipherSuite)!.hash !== suite.hash) {
    throw new TlsError('IllegalParameter', `server resumed with ${suite.name}, whose hash differs from the ticket's suite`);
  }
  c.ctx.info.resumed = true;
  c.ctx.decide('resumption', 'resumed', 'the server accepted our ticket');
  return ticket.psk;
}

/**
 * In a resumed handshake the server proved it holds the PSK (its Finished is keyed from it); who it is
 * comes from the handshake that issued the ticket, re-judged by chooseTicket under the current policy.
 */
export function authenticateResumedServer(c: ClientHandshake, finished: PeerFinishedVerified): void {
  if (c.resumedExternalPsk) return authenticateExternalPsk(c.ctx, c.resumedExternalPsk, { resumedSession: finished });
  const server = c.resumedServer;
  if (!server) return;
  c.ctx.authenticate(server.identity, { ...server.verdict, rule: `resumed ${server.verdict.rule}` }, { resumedSession: finished });
  // No type is negotiated on resumption: the identity's own (an absent type reads as X.509, events.ts).
  c.ctx.info.serverCertificateType = certificateTypeOf(server.identity);
}
