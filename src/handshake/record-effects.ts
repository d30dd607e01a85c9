// The record side of a connection: the keys and record size limits the state machine installs, in the order
// it installs them, and our handshake messages coalesced into records. Connection decides whether an effect
// applies at all (after our close_notify nothing more is sent); this applies it to the record layer.
import type { CryptoProvider } from '../crypto/provider.js';
import { MAX_INNER_PLAINTEXT_LENGTH, RecordLayer, RecordProtection, type HandshakeWriteOptions } from '../record/index.js';
import type { HandshakeMessage } from '../wire/types.js';
import type { Effect, Epoch } from './context.js';
import type { Role } from './events.js';
import { trafficProtection } from './keyschedule.js';
import { endsRecord, type ServerFlightShape } from './server/flight-shape.js';
import type { SuiteInfo } from './suites.js';

const FIRST_CLIENT_HELLO: HandshakeWriteOptions = Object.freeze({ legacyRecordVersion: 0x0301 });
const NO_OPTIONS: HandshakeWriteOptions = Object.freeze({});

/** The effects that only change the record layer (no event, no handshake message, no decision). */
export type RecordEffect = Exclude<Effect, { type: string } | { kind: 'send' } | { kind: 'await-decision' }>;

export class RecordEffects {
  /** The keys records are read under now: application data only under 'application', or accepted 0-RTT under 'early'. */
  readEpoch: Epoch | 'plaintext' = 'plaintext';
  /** The record_size_limit we announced, once agreed (RFC 8449); 0-RTT records are not held to it (readLimitFor). */
  private ownRecordSizeLimit = MAX_INNER_PLAINTEXT_LENGTH;
  /** Our messages queued since the last flush: views of the step's OutgoingFlight. */
  private readonly outgoingHandshake: Uint8Array[] = [];
  private sentFirstFlight = false;

  constructor(
    private readonly records: RecordLayer,
    private readonly provider: CryptoProvider,
    private readonly role: Role,
    /** The server's record boundaries (ServerFlightShape); a client coalesces. */
    private readonly flightShape: ServerFlightShape | undefined,
  ) {}

  /** One of our handshake messages, sent with the rest of its flight unless the server's shape ends a record after it. */
  queueHandshake(message: HandshakeMessage, raw: Uint8Array): void {
    this.outgoingHandshake.push(raw);
    if (endsRecord(this.flightShape, message)) this.flushHandshake();
  }

  apply(effect: RecordEffect): void {
    switch (effect.kind) {
      case 'send-change-cipher-spec':
        this.flushHandshake();
        this.records.writer.changeCipherSpec();
        return;
      case 'write-keys':
        this.flushHandshake();
        this.records.setWriteProtection(this.protection(effect.suite, effect.secret));
        return;
      case 'plaintext-writes':
        this.flushHandshake();
        this.records.setWriteProtection(null);
        return;
      case 'read-keys':
        this.records.setReadProtection(this.protection(effect.suite, effect.secret));
        this.readEpoch = effect.epoch;
        this.records.readRecordSizeLimit = this.readLimitFor(effect.epoch);
        return;
      case 'record-size-limits':
        this.records.writer.recordSizeLimit = Math.min(effect.peer, MAX_INNER_PLAINTEXT_LENGTH);
        this.ownRecordSizeLimit = effect.own;
        this.records.agreeRecordSizeLimit(this.readLimitFor(this.readEpoch));
        return;
      case 'peer-flight-ends':
        this.records.requireMessageBoundary('a handshake message in the same record as the one that ends the peer\'s flight, before our answer to it');
        return;
      case 'skip-early-data':
        this.records.skipEarlyData(effect.budget);
        return;
      case 'send-application-data':
        this.flushHandshake();
        this.records.writer.applicationData(effect.data);
        return;
      default: {
        const never: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Handshake messages of one flight under the same keys share records, as RFC 8446 §5.1 allows, unless
   * the server's shape ends a record after each message (endsRecord).
   */
  flushHandshake(): void {
    const messages = this.outgoingHandshake;
    if (messages.length === 0) return;
    // The first ClientHello may use record version 0x0301 for old middleboxes (RFC 8446 §5.1).
    const first = this.role === 'client' && !this.sentFirstFlight;
    this.sentFirstFlight = true;
    try {
      // Copied into the records, one message after another: nothing keeps the list or the messages' views.
      this.records.writer.handshake(messages.length === 1 ? messages[0]! : messages, first ? FIRST_CLIENT_HELLO : NO_OPTIONS);
    } finally {
      messages.length = 0;
    }
  }

  /**
   * RFC 8449 §4: "Records are subject to the limits that were set in the handshake that produces the keys
   * that are used to protect those records." The client wrote its 0-RTT under the ticket's keys, before our
   * EncryptedExtensions announced a limit: those records get the protocol's 2^14 + 1, every later one ours.
   */
  private readLimitFor(epoch: Epoch | 'plaintext'): number {
    return epoch === 'early' ? MAX_INNER_PLAINTEXT_LENGTH : this.ownRecordSizeLimit;
  }

  private protection(suite: SuiteInfo, secret: Uint8Array): RecordProtection {
    return trafficProtection(this.provider, suite, secret);
  }
}
