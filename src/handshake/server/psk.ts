// PSK resumption on the server (RFC 8446 §4.2.11): opening our tickets, checking binders, re-judging the
// identity a ticket carries under the current trust policy, and 0-RTT (§4.2.10). Judged only for the
// ClientHello a ServerHello answers; the result is returned, never stored on the connection.
import type { LeafInfo, TrustVerdict } from '../../auth/trust.js';
import { rejudgeStoredPeer } from '../peer-certificate.js';
import { constantTimeEqual } from '../../wire/bytes.js';
import { ExtensionType, PskKeyExchangeMode } from '../../wire/enums.js';
import { TlsError } from '../../wire/errors.js';
import * as X from '../../wire/extensions.js';
import { truncateBeforeBinders } from '../../wire/messages.js';
import type { ClientHello, OfferedPsks } from '../../wire/types.js';
import type { ServerConfig } from '../config.js';
import type { HandshakeContext, PskBinderVerified } from '../context.js';
import { KeySchedule, finishedVerifyData } from '../keyschedule.js';
import { SUITES, type SuiteInfo } from '../suites.js';
import { findExternalPsk, stillProvisioned, type ResolvedExternalPsk } from '../external-psk.js';
import { acceptExternalPsk } from './external-psk.js';
import { DEFAULT_TICKET_LIFETIME, decodeTicketState, encodeTicketState, openTicket, sealTicket, type SingleUseTickets, type TicketState } from '../tickets.js';
import { showValue } from '../../wire/show-value.js';
import { callbackBytes } from '../caller-input.js';

/**
 * Whether this client could resume with a ticket of ours: its psk_key_exchange_modes lists a mode we resume
 * with. RFC 8446 §4.2.9: "Servers SHOULD NOT send NewSessionTicket with tickets that are not compatible with
 * the advertised modes"; a client that lists none (or only psk_ke, which we refuse by default) gets none.
 */
export function ticketsUsable(hello: ClientHello, config: ServerConfig): boolean {
  const modesExt = X.findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes);
  const modes = modesExt ? X.bodyOf(X.pskKeyExchangeModes, modesExt) : [];
  return modes.includes(PskKeyExchangeMode.psk_dhe_ke) || (modes.includes(PskKeyExchangeMode.psk_ke) && config.tickets?.allowPskWithoutDhe === true);
}

/** A ticket we accepted for this handshake. */
/** What this handshake answers that a ticket's 0-RTT data was written for (RFC 8446 §4.2.10). */
export interface AnsweredNames {
  alpn: string | undefined;
  /** The DNS name of the ClientHello's server_name (server/server-name.ts). */
  serverName: string | undefined;
}

export interface AcceptedPsk {
  /** Which offered identity (selected_identity in ServerHello). */
  index: number;
  mode: number;
  schedule: KeySchedule;
  /** The binder of this PSK checked out: the client holds the resumed session's secret. */
  binder: PskBinderVerified;
  /** Bytes of 0-RTT data accepted (max_early_data_size), or undefined when 0-RTT is not accepted. */
  earlyDataBudget?: number;
  /** An external PSK (external-psk.ts), not a ticket: the client is authenticated by it once its Finished verifies. */
  external?: ResolvedExternalPsk;
  /** A ticket of a session an external PSK authenticated, that PSK still provisioned: the client is its holder, resumed. */
  resumedExternal?: ResolvedExternalPsk;
  /** The ticket's client identity, re-judged trusted now; absent for a ticket that carries none. */
  client?: { identity: LeafInfo['identity']; verdict: TrustVerdict };
}

/** The connection's ticket key: given, or drawn once when first needed (so idle servers draw no randomness). */
export class TicketKey {
  private bytes?: Uint8Array;

  constructor(
    private readonly ctx: HandshakeContext,
    private readonly config: ServerConfig,
  ) {}

  seal(state: TicketState): Uint8Array {
    const tickets = this.config.tickets!;
    // NewSessionTicket.ticket<1..2^16-1> (RFC 8446 §4.6.1); one too long to offer back is not sent (post-handshake.ts).
    return tickets.seal ? callbackBytes(tickets.seal(encodeTicketState(state)), 'tickets.seal', 1, 0xffff) : sealTicket(this.ctx.provider, this.key(), state, this.ctx.cfg.random);
  }

  open(ticket: Uint8Array): TicketState | undefined {
    const tickets = this.config.tickets!;
    if (!tickets.open) return openTicket(this.ctx.provider, this.key(), ticket);
    const plaintext = tickets.open(ticket);
    try {
      return plaintext ? decodeTicketState(plaintext) : undefined;
    } catch {
      return undefined;
    }
  }

  private key(): Uint8Array {
    this.bytes ??= this.config.tickets?.key ?? this.ctx.cfg.random(32);
    return this.bytes;
  }
}

/**
 * PSK selection (RFC 8446 §4.2.11): the client lists its identities "in preference order", and we walk them in
 * that order and select the first we can use, as OpenSSL, rustls and GnuTLS do: one of our external PSKs by its
 * name, or one of our tickets (ticketToResume). Only the selected PSK's binder is checked (else decrypt_error);
 * an identity passed over costs no binder. So a ticket our client offers before the external PSK whose session
 * issued it resumes, with its 0-RTT: early data only ever goes with the first identity (§4.2.10, acceptEarlyData).
 */
export function acceptPsk(
  ctx: HandshakeContext,
  config: ServerConfig,
  ticketKey: TicketKey,
  hello: ClientHello,
  raw: Uint8Array,
  suite: SuiteInfo,
  answered: AnsweredNames,
): AcceptedPsk | undefined {
  const pskExt = X.findExtension(hello.extensions, ExtensionType.pre_shared_key);
  if (!pskExt) return undefined;
  const modesExt = X.findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes);
  if (!modesExt) throw new TlsError('MissingExtension', 'pre_shared_key without psk_key_exchange_modes (RFC 8446 §4.2.9)');
  const modes = X.bodyOf(X.pskKeyExchangeModes, modesExt);
  const canDhe = modes.includes(PskKeyExchangeMode.psk_dhe_ke) && X.findExtension(hello.extensions, ExtensionType.key_share) !== undefined;
  const offered = X.bodyOf(X.preSharedKeyClientHello, pskExt);
  const resumption = resumptionTerms(ctx, config, modes, canDhe);
  for (const [index, identity] of offered.identities.entries()) {
    // An identity that names one of our external PSKs is that PSK, never also a ticket (their binders differ, §7.1).
    const external = findExternalPsk(ctx.cfg.externalPsks, identity.identity);
    if (external) {
      const accepted = acceptExternalPsk(ctx, raw, offered, index, external, modes, canDhe, suite);
      if (accepted) return accepted;
      continue;
    }
    if (typeof resumption === 'string') continue;
    const ticket = ticketToResume(ctx, config, ticketKey, identity.identity, index, suite, resumption.now);
    if (ticket) return resumeTicket(ctx, config, hello, raw, offered, index, ticket, suite, answered, resumption);
  }
  ctx.decide('resumption', 'full handshake', typeof resumption === 'string' ? `a PSK was offered, but ${resumption}` : 'none of the offered PSKs is ours, alive and suitable');
  return undefined;
}

/** What resuming a ticket takes of this ClientHello and our config, or why we resume none. */
function resumptionTerms(ctx: HandshakeContext, config: ServerConfig, modes: number[], canDhe: boolean): { mode: number; now: number } | string {
  const mode = canDhe ? PskKeyExchangeMode.psk_dhe_ke : modes.includes(PskKeyExchangeMode.psk_ke) && config.tickets?.allowPskWithoutDhe ? PskKeyExchangeMode.psk_ke : undefined;
  const clock = ctx.cfg.now?.();
  const now = Number.isFinite(clock) ? clock : undefined; // NaN would pass every age and lifetime check
  if (mode === undefined) return 'no PSK key exchange mode we accept';
  if (now === undefined) return 'no clock to check ticket lifetimes';
  if (!config.tickets) return 'tickets are not configured';
  return { mode, now };
}

/** A ticket of ours we can resume: opened, its age, and the external PSK of its session if it had one. */
interface TicketToResume {
  state: TicketState;
  age: number;
  resumedExternal?: ResolvedExternalPsk;
}

/**
 * Offered identity number `index` as a ticket we can resume: ours, alive, of the suite's hash, fitting the
 * client-auth policy, and, for a session an external PSK authenticated, that PSK still held with that key.
 * Judged before any binder: a ticket passed over here leaves the next identity to be tried (§4.2.11).
 */
function ticketToResume(ctx: HandshakeContext, config: ServerConfig, ticketKey: TicketKey, identity: Uint8Array, index: number, suite: SuiteInfo, now: number): TicketToResume | undefined {
  const state = ticketKey.open(identity);
  if (!state) return undefined;
  const age = now - state.issuedAt;
  // Today's tickets.lifetime bounds the tickets issued before it: a server that shortens them ends the old ones too.
  // Alive while younger than its lifetime, as the client counts (§4.6.1: zero means "discarded immediately").
  const lifetime = Math.min(state.lifetime, config.tickets!.lifetime ?? DEFAULT_TICKET_LIFETIME);
  if (age < 0 || age >= lifetime * 1000) return undefined;
  if (SUITES.get(state.cipherSuite)?.hash !== suite.hash) return undefined;
  // An external PSK meets `require` in a resumption as in the session that issued the ticket (docs/security.md).
  if ((config.clientAuth ?? 'none') === 'require' && state.clientChain.length === 0 && !state.externalPsk) return undefined;
  if (!state.externalPsk) return { state, age };
  const resumedExternal = stillProvisioned(ctx.provider, ctx.cfg.externalPsks, state.externalPsk);
  if (resumedExternal) return { state, age, resumedExternal };
  ctx.decide('resumption', `declined PSK #${index}`, "the ticket's session was authenticated by an external PSK we no longer hold with that key: the next identity is tried, this one's binder unchecked");
  return undefined;
}

/**
 * The selected ticket: its binder must verify (else decrypt_error), and the client identity it carries is re-judged
 * under the current policy; 0-RTT on top when every §4.2.10 condition holds and the ticket is used for the first time.
 */
function resumeTicket(
  ctx: HandshakeContext,
  config: ServerConfig,
  hello: ClientHello,
  raw: Uint8Array,
  offered: OfferedPsks,
  index: number,
  { state, age, resumedExternal }: TicketToResume,
  suite: SuiteInfo,
  answered: AnsweredNames,
  { mode, now }: { mode: number; now: number },
): AcceptedPsk | undefined {
  const clientAuth = config.clientAuth ?? 'none';
  const schedule = new KeySchedule(ctx.provider, suite, state.psk);
  const binder = verifyBinder(ctx, raw, offered, index, schedule, suite, 'resumption');
  const client = state.clientChain.length > 0 ? rejudgeStoredPeer(ctx, state.clientChain, state.clientRawPublicKey, 'clientAuth') : undefined;
  // A ticket whose client identity today's policy does not accept (pin removed, certificate expired or
  // revoked, 'ask' with nobody asked yet) is declined whenever we ask for certificates, 'optional' as
  // much as 'require': the full handshake then sends a CertificateRequest, so the client can prove who it
  // is now, and under 'ask' the caller decides on that proof. Resuming and dropping the identity would
  // silently demote a client that believes it is authenticated. Under 'none' nothing was asked, so the
  // session resumes without an identity.
  // The PSK whose binder we checked was the one selected: declining it ends the search (§4.2.11: "Servers
  // SHOULD NOT attempt to validate multiple binders"), or one ticket offered a hundred times would make
  // us hash the whole ClientHello and judge the ticket's chain a hundred times.
  if (client && !client.verdict.trusted && clientAuth !== 'none') {
    ctx.decide('resumption', `declined PSK #${index}`, `the ticket's client certificate does not pass the current trust policy: ${client.verdict.detail}; a full handshake (one binder checked per ClientHello, RFC 8446 §4.2.11)`);
    return undefined;
  }
  if (ctx.traceEvents) ctx.decide('resumption', `PSK #${index} (${mode === PskKeyExchangeMode.psk_dhe_ke ? 'psk_dhe_ke' : 'psk_ke'})`, `a valid ticket, ${Math.round(age / 1000)} s old`);
  const earlyDataBudget = acceptEarlyData(ctx, config, hello, offered.identities[index]!, index, state, suite, answered, age, now);
  return {
    index,
    mode,
    schedule,
    binder,
    ...(earlyDataBudget !== undefined ? { earlyDataBudget } : {}),
    ...(resumedExternal ? { resumedExternal } : {}),
    ...(client?.identity && client.verdict.trusted ? { client: { identity: client.identity, verdict: { ...client.verdict, rule: `resumed ${client.verdict.rule}` } } } : {}),
  };
}

/**
 * The binder over the ClientHello truncated before the binders list (RFC 8446 §4.2.11.2), in constant time.
 * Its key is "res binder" for a ticket and "ext binder" for an external PSK (§7.1): the two never mix.
 * `receivedHello` is the ClientHello as it arrived (header included), the bytes the transcript holds: the
 * binder covers what the client sent, not our re-encoding of what we decoded from it.
 */
export function verifyBinder(
  ctx: HandshakeContext,
  receivedHello: Uint8Array,
  offered: OfferedPsks,
  index: number,
  schedule: KeySchedule,
  suite: SuiteInfo,
  kind: 'resumption' | 'external',
): PskBinderVerified {
  const binder = offered.binders[index]!;
  const transcript = ctx.transcript.fork();
  transcript.selectHash(suite.hash);
  // `offered` is the body of the ClientHello's last extension (the decoder refuses a pre_shared_key anywhere else).
  transcript.add(truncateBeforeBinders(receivedHello, offered));
  const expected = finishedVerifyData(ctx.provider, suite, schedule.binderKey(kind === 'resumption'), transcript.current());
  // §4.2.11.2: the binder is computed like a Finished, Hash.length bytes; another length is a decode_error
  // (as OpenSSL answers it), not a binder that fails to verify.
  if (binder.length !== expected.length) throw new TlsError('decode_error', `PSK binder of ${binder.length} bytes; ${suite.hash} needs ${expected.length}`);
  if (!constantTimeEqual(expected, binder)) throw new TlsError('BadPskBinder', 'the PSK binder does not match the ClientHello');
  return {} as PskBinderVerified;
}

/**
 * MAX_SKIPPED_EARLY_DATA: when we reject 0-RTT without a max_early_data_size of our own, how many bytes of
 * undecryptable early records we skip before treating them as the error they then are (RFC 8446 §4.2.10).
 */
export const MAX_SKIPPED_EARLY_DATA = 16_384;

/**
 * How many bytes of rejected 0-RTT data to skip (RFC 8446 §4.2.10): our max_early_data_size, or what the ticket
 * that carried the data (only the first PSK may, §4.2.10) allowed if more: its client sends what the ticket
 * said (§4.6.1), though we have cut the budget since, or declined the ticket now.
 */
export function earlyDataToSkip(config: ServerConfig, ticketKey: TicketKey, hello: ClientHello): number {
  const ours = config.tickets?.maxEarlyDataSize ?? MAX_SKIPPED_EARLY_DATA;
  const pskExt = X.findExtension(hello.extensions, ExtensionType.pre_shared_key);
  const first = pskExt && config.tickets ? X.bodyOf(X.preSharedKeyClientHello, pskExt).identities[0] : undefined;
  return Math.max(ours, (first && ticketKey.open(first.identity)?.maxEarlyDataSize) ?? 0);
}

/** 0-RTT (RFC 8446 §4.2.10, §8): accepted only when every condition holds; each reason is a decision. */
function acceptEarlyData(
  ctx: HandshakeContext,
  config: ServerConfig,
  hello: ClientHello,
  identity: { identity: Uint8Array; obfuscatedTicketAge: number },
  index: number,
  state: TicketState,
  suite: SuiteInfo,
  { alpn, serverName }: AnsweredNames,
  age: number,
  now: number,
): number | undefined {
  if (!X.findExtension(hello.extensions, ExtensionType.early_data)) return undefined;
  const tickets = config.tickets!;
  const clientAge = (identity.obfuscatedTicketAge - state.ageAdd) >>> 0;
  const maxAgeSkewMs = tickets.maxAgeSkewMs ?? 10_000;
  const refusal =
    tickets.maxEarlyDataSize === undefined ? 'we do not accept 0-RTT'
    : !tickets.antiReplay ? 'no single-use ticket register to stop replays'
    // The client sends what the ticket allowed (§4.6.1): a budget cut since would end its 0-RTT in unexpected_message.
    : state.maxEarlyDataSize === 0 ? 'the ticket does not allow 0-RTT'
    : state.maxEarlyDataSize > tickets.maxEarlyDataSize ? `the ticket allows ${state.maxEarlyDataSize} bytes of 0-RTT data, more than the ${tickets.maxEarlyDataSize} we accept now`
    : index !== 0 ? 'only the first PSK may carry early data'
    : state.cipherSuite !== suite.code ? 'the cipher suite differs from the original session'
    : (state.alpn ?? '') !== (alpn ?? '') ? 'the ALPN protocol differs from the original session'
    // Not in §4.2.10's list, but the data was written for that server: OpenSSL refuses it too (final_server_name).
    : (state.serverName ?? '') !== (serverName ?? '') ? 'the server name (SNI) differs from the original session'
    : Math.abs(clientAge - age) > maxAgeSkewMs ? `ticket age ${clientAge} ms does not match ours (${age} ms)`
    // Two ClientHellos with one obfuscated age both pass that check only if they arrive within 2 x skew.
    : replayRefusal(tickets.antiReplay, identity.identity, now, 2 * maxAgeSkewMs);
  ctx.decide('early_data', refusal ? 'rejected' : 'accepted', refusal ?? `up to ${state.maxEarlyDataSize} bytes, as the ticket allows`);
  return refusal ? undefined : state.maxEarlyDataSize;
}

/**
 * Why the replay register refuses this 0-RTT, or undefined for a first use (RFC 8446 §8: "at most once"). Only
 * `true` lets it in: the register may be the caller's (a store several instances share), and its Promise (an
 * asynchronous store, not awaited), 'false' or 1 are truthy (test/security/anti-replay-answer).
 */
function replayRefusal(register: SingleUseTickets, ticket: Uint8Array, now: number, windowMs: number): string | undefined {
  const answer: unknown = register.firstUse(ticket, now, windowMs);
  if (answer === true) return undefined;
  if (answer === false) return 'this ticket was already used (replay), or the replay register is full';
  return `the replay register answered ${showValue(answer)}, not true or false: 0-RTT refused (firstUse must answer at once)`;
}
