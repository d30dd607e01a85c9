// What the client and server state machines share: the effects they return (as data, applied in order by
// the connection driver), the transcript, and the small proofs that gate key installation and identity.
import type { CryptoProvider } from '../crypto/provider.js';
import { NamedGroup } from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import { groupProtection } from '../wire/key-share-layout.js';
import type { HandshakeMessage } from '../wire/types.js';
import type { PeerIdentity, TrustVerdict } from '../auth/trust.js';
import type { Resolved } from './config.js';
import type { DecisionTopic, NegotiatedInfo, PendingDecision, Role, TlsEvent } from './events.js';
import { finishedVerifyData, finishedVerifyDataMatches, SECRETS, type SecretName } from './keyschedule.js';
import type { SuiteInfo } from './suites.js';
import { Transcript } from './transcript.js';
import type { ResolvedExternalPsk } from './external-psk.js';
import { InfoCopies } from './handed-out.js';
import { OutgoingFlight } from './outgoing-flight.js';

declare const finishedVerified: unique symbol;
/** Proof that the peer's Finished was checked: the only way to install the peer's application read keys. */
export type PeerFinishedVerified = { readonly [finishedVerified]: true };

declare const possessionProven: unique symbol;
/** Proof that the peer signed this transcript with the key of the certificate it sent (RFC 8446 §4.4.3). */
export type PossessionProven = { readonly [possessionProven]: true };

declare const pskBinderVerified: unique symbol;
/** Proof that the PSK binder checked out (RFC 8446 §4.2.11.2): the peer holds the resumed session's secret. */
export type PskBinderVerified = { readonly [pskBinderVerified]: true };

/**
 * What authenticates a peer: in a full handshake (or post-handshake authentication) its CertificateVerify
 * and then its Finished over the same transcript; in a resumed session, the PSK of a session whose
 * original chain was re-judged by the current policy.
 */
export type AuthenticationProof =
  | { possession: PossessionProven; finished: PeerFinishedVerified }
  /** The server checked the client's binder; the client checked the server's Finished, keyed from the PSK. */
  | { resumedSession: PskBinderVerified | PeerFinishedVerified };

/**
 * What authenticates an external PSK (RFC 8446 §4.2.11): on the server, the client's binder and then its
 * Finished, both keyed from the PSK; on the client, the server's Finished (its key schedule starts from the
 * PSK, and only a holder of the PSK computes it).
 */
export type ExternalPskProof =
  | { binder: PskBinderVerified; finished: PeerFinishedVerified }
  | { serverFinished: PeerFinishedVerified }
  /** A ticket of a session the PSK authenticated, the PSK still ours with the same key (server/psk.ts, client/psk.ts). */
  | { resumedSession: PskBinderVerified | PeerFinishedVerified };

export type Epoch = 'early' | 'handshake' | 'application';

export type Effect =
  /** `raw`: a view of the step's OutgoingFlight, read only until the step's effects are applied. */
  | { kind: 'send'; message: HandshakeMessage; raw: Uint8Array }
  | { kind: 'send-change-cipher-spec' }
  | { kind: 'write-keys'; epoch: Epoch; suite: SuiteInfo; secret: Uint8Array }
  /** Back to plaintext records: a client's abandoned 0-RTT keys after a HelloRetryRequest (RFC 8446 §4.1.2). */
  | { kind: 'plaintext-writes' }
  | { kind: 'read-keys'; epoch: 'early' | 'handshake'; suite: SuiteInfo; secret: Uint8Array }
  | { kind: 'read-keys'; epoch: 'application'; suite: SuiteInfo; secret: Uint8Array; proof: PeerFinishedVerified }
  | { kind: 'await-decision'; decision: PendingDecision }
  /** Rejected 0-RTT: skip up to `budget` bytes of early records we cannot decrypt (RFC 8446 §4.2.10). */
  | { kind: 'skip-early-data'; budget: number }
  /**
   * RFC 8449 record_size_limit, agreed: `peer` bounds the protected records we write, `own` the ones we read,
   * from the next record on, whatever keys are in use (§4: the limits hold once EncryptedExtensions carried them),
   * except the client's 0-RTT, written under the ticket's keys before it knew our limit (record-effects.ts readLimitFor).
   */
  | { kind: 'record-size-limits'; peer: number; own: number }
  /**
   * The peer's flight ended with the message just read, and its next one can only answer ours: handshake bytes
   * already in that record were written too early (after a HelloRetryRequest, and the ClientHello it answers;
   * BoringSSL's EXCESS_HANDSHAKE_DATA). A key change checks the same by itself (RFC 8446 §5.1).
   */
  | { kind: 'peer-flight-ends' }
  /** Application data to send now (the client's 0-RTT data, right after its ClientHello). */
  | { kind: 'send-application-data'; data: Uint8Array }
  /** An event for the caller, passed on as it is (in its place among the effects; events have `type`, not `kind`). */
  | TlsEvent;

/** The secret events of one side of a full handshake: handshake, application, exporter and resumption secrets. */
const EVENT_RANDOM_SLOTS = 6;

/** Per-connection handshake machinery; the state machines read config from here and push effects into it. */
export class HandshakeContext {
  readonly effects: Effect[] = [];
  readonly transcript: Transcript;
  /** Where our messages of a step are encoded; the connection closes it once the step's effects are applied. */
  readonly flight = new OutgoingFlight();
  readonly info: NegotiatedInfo = {};
  /** What callers get of `info` (handedInfo). */
  private readonly infoCopies = new InfoCopies(this.info);
  clientRandom?: Uint8Array;
  /** For exporters (RFC 8446 §7.5), once the server Finished is known. */
  exporterMasterSecret?: Uint8Array;
  /** For the early exporter (RFC 8446 §7.5), when 0-RTT is offered; with the suite of the PSK. */
  earlyExporter?: { secret: Uint8Array; suite: SuiteInfo };
  stateName = 'START';
  /** Whether `secret` events are made (config `secretEvents`; Connection's `secretEvents` switches it). */
  secretEvents: boolean;
  /** Whether `handshake-message`, `state` and `decision` events are made (config and Connection `traceEvents`). */
  traceEvents: boolean;
  /** The slots of eventClientRandom(). */
  private eventRandoms?: Uint8Array;
  private eventRandomsUsed = 0;

  constructor(
    readonly role: Role,
    readonly cfg: Resolved,
  ) {
    this.transcript = new Transcript(cfg.provider);
    this.secretEvents = cfg.secretEvents;
    this.traceEvents = cfg.traceEvents;
  }

  get provider(): CryptoProvider {
    return this.cfg.provider;
  }

  /** `info` as the `info` getter and the `connected` and `post-handshake-auth` events hand it out (InfoCopies). */
  handedInfo(): Readonly<NegotiatedInfo> {
    return this.infoCopies.handOut();
  }

  /** The `connected` event: `info` as handedInfo() gives it now, its copies made when it is read (InfoCopies.connectedEvent). */
  connected(): void {
    this.effects.push(this.infoCopies.connectedEvent());
  }

  /** Encodes a message, adds it to the transcript in the same step, and queues it for sending. */
  send(message: HandshakeMessage, transcript = this.transcript): void {
    const raw = this.flight.encode(message);
    transcript.add(raw);
    this.effects.push({ kind: 'send', message, raw });
  }

  /**
   * Sends a post-handshake message that is part of no transcript: NewSessionTicket, KeyUpdate (RFC 8446
   * §4.4: the handshake transcript ends with the client Finished).
   */
  sendOutsideTranscript(message: HandshakeMessage): void {
    this.effects.push({ kind: 'send', message, raw: this.flight.encode(message) });
  }

  /** A `secret` event for a secret just derived, when they are asked for (the engine itself never reads them). */
  secret(name: SecretName, secret: Uint8Array): void {
    if (!this.secretEvents) return;
    const { label, keylog } = SECRETS[name];
    // One literal per shape: a property added afterwards would give the event a second, out-of-object store.
    // Copies: the application owns what an event gives it and may wipe it once logged, while the engine goes on
    // using its own (Finished keys, KeyUpdate, exporters, ticket PSKs; test/security/secret-event-copies).
    const clientRandom = this.eventClientRandom();
    const copy = secret.slice();
    const event: TlsEvent = keylog
      ? { type: 'secret', name, label, clientRandom, secret: copy, keylog }
      : { type: 'secret', name, label, clientRandom, secret: copy };
    this.effects.push(event);
  }

  /**
   * A copy of the client random for one secret event: a slot of its own in an array shared by the next few
   * events (a full handshake has six per side), so that an application wiping one event's copy changes no other
   * event (test/security/secret-event-copies) while the connection makes one array, not six. The client random is
   * public (it crossed the wire in the ClientHello); the secrets get arrays of their own.
   */
  private eventClientRandom(): Uint8Array {
    const random = this.clientRandom!;
    if (this.eventRandoms === undefined || this.eventRandomsUsed + random.length > this.eventRandoms.length) {
      this.eventRandoms = new Uint8Array(random.length * EVENT_RANDOM_SLOTS);
      this.eventRandomsUsed = 0;
    }
    const slot = this.eventRandoms.subarray(this.eventRandomsUsed, this.eventRandomsUsed + random.length);
    slot.set(random);
    this.eventRandomsUsed += random.length;
    // Full: not kept for the connection's life (the events hold their slots).
    if (this.eventRandomsUsed === this.eventRandoms.length) this.eventRandoms = undefined;
    return slot;
  }

  /**
   * A `decision` event, when trace events are on. A call site whose reason is built (a template with values in
   * it) tests `traceEvents` first, so that no string is made for an event nobody reads.
   */
  decide(topic: DecisionTopic, value: string, reason: string): void {
    // A group's decision also says what the secret rests on ("hybrid: secure if either X25519 or ML-KEM-768 holds").
    if (!this.traceEvents) return;
    if (topic === 'group' && Object.hasOwn(NamedGroup, value)) reason = `${reason}; ${groupProtection(NamedGroup[value as keyof typeof NamedGroup])}`;
    this.effects.push({ type: 'decision', topic, value, reason });
  }

  enter(state: string): void {
    if (this.traceEvents) this.effects.push({ type: 'state', role: this.role, from: this.stateName, to: state });
    this.stateName = state;
  }

  /** Computes our Finished over the transcript so far and sends it (RFC 8446 §4.4.4). */
  sendFinished(suite: SuiteInfo, baseKey: Uint8Array, transcript = this.transcript): void {
    const verifyData = finishedVerifyData(this.provider, suite, baseKey, transcript.current());
    this.send({ kind: 'finished', verifyData }, transcript);
  }

  /** Checks the peer's Finished in constant time; call before adding it to the transcript. */
  verifyFinished(suite: SuiteInfo, baseKey: Uint8Array, received: Uint8Array, transcript = this.transcript): PeerFinishedVerified {
    // §4.4.4: verify_data is Hash.length bytes. Another length is a message of the wrong length (decode_error,
    // §6.2), told apart from a wrong value (decrypt_error) before the value is looked at.
    if (received.length !== suite.hashLength) {
      throw new TlsError('decode_error', `Finished of ${received.length} bytes; ${suite.hash} verify_data is ${suite.hashLength}`);
    }
    if (!finishedVerifyDataMatches(this.provider, suite, baseKey, transcript.current(), received)) {
      throw new TlsError('BadFinished', 'verify_data does not match our transcript');
    }
    return {} as PeerFinishedVerified;
  }

  /** A trust verdict that rejects ends the handshake with its reason's alert; one that accepts is recorded. */
  acceptVerdict(verdict: TrustVerdict): TrustVerdict {
    if (!verdict.trusted) throw new TlsError(verdict.reason ?? 'BadCertificate', verdict.detail);
    if (this.traceEvents) this.decide('trust', 'trusted', `${verdict.rule}: ${verdict.detail}`);
    return verdict;
  }

  /** A proof token for a CertificateVerify that was checked; only signatures.ts results should lead here. */
  possessionProven(): PossessionProven {
    return {} as PossessionProven;
  }

  /**
   * The peer counts as authenticated only with both halves: a trust verdict that accepted its
   * certificate or key, and proof that it holds the private key, confirmed by its Finished.
   */
  authenticate(identity: Omit<PeerIdentity, 'verdict'>, verdict: TrustVerdict, _proof: AuthenticationProof): void {
    if (!verdict.trusted) throw new Error('authenticate: an untrusted peer cannot be marked authenticated');
    // The verdict first: a spread followed by a field it lacks is the slow form on Node 20 (transition.ts).
    this.info.peer = { verdict, ...identity };
  }
}

/** Reports the peer as the holder of an external PSK, once its proof is complete. */
export function authenticateExternalPsk(ctx: HandshakeContext, psk: ResolvedExternalPsk, proof: ExternalPskProof): void {
  if ('resumedSession' in proof) {
    const detail = `resumed a session of the external PSK "${psk.name}", which we still hold`;
    ctx.info.peer = { kind: 'psk', identity: psk.name, hash: psk.hash, verdict: { trusted: true, rule: 'resumed external-psk', detail } };
    ctx.decide('trust', 'trusted', `resumed external-psk: the peer ${detail}`);
    return;
  }
  ctx.info.peer = { kind: 'psk', identity: psk.name, hash: psk.hash, verdict: { trusted: true, rule: 'external-psk', detail: `holds the external PSK "${psk.name}"` } };
  ctx.decide('trust', 'trusted', `external-psk: the peer proved it holds the PSK "${psk.name}"`);
}

/** The message a state did not expect: unexpected_message (RFC 8446 §6.2). */
export function unexpected(state: string, message: HandshakeMessage | { kind: string }): TlsError {
  return new TlsError('UnexpectedMessage', `${message.kind} in state ${state}`);
}
