// The record layer as the handshake layer sees it: bytes in, whole handshake messages, alerts,
// application data and ChangeCipherSpec out; a writer for the other direction. Pull-based: a record
// is decrypted only when next() needs it, so keys installed between two calls apply to the next record.
import { AEAD_TAG_LENGTHS } from '../crypto/provider.js';
import { AlertDescription, ContentType } from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import { HandshakeBuffer, type HandshakeMessage } from './handshake-buffer.js';
import { MAX_CIPHERTEXT_LENGTH, MAX_INNER_PLAINTEXT_LENGTH, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH, type RecordHook } from './header.js';
import type { RecordProtection } from './protection.js';
import { deprotect, isValidChangeCipherSpec, RecordReader, type RawRecord } from './reader.js';
import { RecordWriter, type RecordWriterOptions } from './writer.js';

export type IncomingItem =
  | HandshakeMessage
  | { kind: 'alert'; level: number; description: number }
  | { kind: 'application_data'; data: Uint8Array }
  /** A valid (0x01) ChangeCipherSpec; whether one is allowed now is the handshake layer's call (§5). */
  | { kind: 'change_cipher_spec' };

/**
 * Our cap on consecutive records that carry nothing: ChangeCipherSpec, empty application data, and the
 * user_canceled alert, which the handshake layer ignores (RFC 8446 §6.1 asks a close_notify to follow it). The
 * RFC allows all three, but a peer (or fuzzer) could send them forever; past the cap we fail with
 * unexpected_message.
 */
export const MAX_CONSECUTIVE_EMPTY_RECORDS = 32;

/** The most bytes protection adds to a record without padding: the content type byte and the longest AEAD tag. */
const MAX_PROTECTED_RECORD_OVERHEAD = 1 + Math.max(...Object.values(AEAD_TAG_LENGTHS));

export interface RecordLayerOptions extends RecordWriterOptions {
  /** Largest handshake message body accepted (default DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH). */
  maxHandshakeMessageLength?: number;
  /** Largest ClientHello body accepted (default: maxHandshakeMessageLength); a server's is MAX_CLIENT_HELLO_LENGTH. */
  maxClientHelloLength?: number;
  /**
   * The server's one exception to "no plaintext alert once read keys are in": it reads with the client's
   * keys as soon as it has sent ServerHello, but a client that rejects the ServerHello has no keys yet and
   * alerts in plaintext (RFC 8446 §7.3: "as plaintext if no such key has been established"). With this
   * set, a plaintext *error* alert is read under the *first* read keys until a record opens under them;
   * never a close_notify or user_canceled (no forged clean close), never after that, and never under
   * later keys (application keys, KeyUpdate).
   */
  plaintextAlertsUnderFirstReadKeys?: boolean;
  /**
   * Called with each handshake message's msg_type once its 4-byte header is in, before its length is judged
   * or its body buffered; throws to refuse the message. The handshake layer refuses a type the current state
   * does not take (unexpected_message), so a wrong message is never decode_error (expected-messages.ts).
   */
  admitHandshake?: (msgType: number) => void;
}

/** A plaintext alert record whose description is an error, not a closure alert (RFC 8446 §6.1, §6.2). */
function isErrorAlert(record: RawRecord): boolean {
  const description = record.raw[RECORD_HEADER_LENGTH + 1];
  return (
    record.type === ContentType.alert &&
    record.length === 2 &&
    description !== AlertDescription.close_notify &&
    description !== AlertDescription.user_canceled
  );
}

export class RecordLayer {
  readonly writer: RecordWriter;
  private readonly reader = new RecordReader((type) => this.maxLengthOf(type));
  private readonly handshake: HandshakeBuffer;
  private readProtection: RecordProtection | null = null;
  private hook: RecordHook | undefined;
  private emptyRecords = 0;
  /** See RecordLayerOptions.plaintextAlertsUnderFirstReadKeys; cleared for good by any later key change. */
  private plaintextAlertsAllowed: boolean;
  /** The record_size_limit we announced (RFC 8449), once the peer agreed to it; 2^14 + 1 by default. */
  readRecordSizeLimit = MAX_INNER_PLAINTEXT_LENGTH;
  /** TLSInnerPlaintext length of the record read last, 0 for a plaintext one (see agreeRecordSizeLimit). */
  private lastInnerLength = 0;
  private earlyDataToSkip = 0;

  constructor(options: RecordLayerOptions = {}) {
    this.writer = new RecordWriter(options);
    this.handshake = new HandshakeBuffer(options.maxHandshakeMessageLength, options.maxClientHelloLength ?? options.maxHandshakeMessageLength, options.admitHandshake);
    this.hook = options.onRecord;
    this.plaintextAlertsAllowed = options.plaintextAlertsUnderFirstReadKeys ?? false;
  }

  /** Sees every record in both directions, with its real content type and content. */
  get onRecord(): RecordHook | undefined {
    return this.hook;
  }

  set onRecord(hook: RecordHook | undefined) {
    this.hook = hook;
    this.writer.onRecord = hook;
  }

  /** Bytes from the peer, in any chunking. */
  receive(bytes: Uint8Array): void {
    this.reader.push(bytes);
  }

  /**
   * After `bytes` were read as far as they go: copies what is still buffered of them, so nothing kept
   * depends on the caller's memory once receive() returns (it may reuse its read buffer).
   */
  own(bytes: Uint8Array): void {
    this.reader.own(bytes);
    this.handshake.own(bytes);
  }

  /** The next incoming item, or undefined until more bytes arrive. Throws TlsError on any fault. */
  next(): IncomingItem | undefined {
    for (;;) {
      const message = this.handshake.next();
      if (message !== undefined) return message;
      const record = this.reader.next();
      if (record === undefined) return undefined;
      const item = this.accept(record);
      if (item !== undefined) return item;
    }
  }

  /** Bytes received and not yet taken out as records. */
  get bufferedBytes(): number {
    return this.reader.buffered;
  }

  /** See HandshakeBuffer.hasPartialMessage. */
  hasPartialMessage(): boolean {
    return this.handshake.hasPartialMessage();
  }

  /** Nothing of the record read last is left behind the message just taken: else TlsError `reason` (unexpected_message). */
  requireMessageBoundary(detail: string, reason: 'HandshakeSpansKeyChange' | 'UnexpectedMessage' = 'UnexpectedMessage'): void {
    if (this.handshake.hasPartialMessage()) throw new TlsError(reason, detail);
  }

  /**
   * Installs read keys (null: plaintext). A key change must fall on a message boundary and a record
   * boundary (RFC 8446 §5.1), so buffered handshake bytes make this fail with HandshakeSpansKeyChange.
   * From the first keys on, every record but ChangeCipherSpec must be protected (§5).
   */
  setReadProtection(protection: RecordProtection | null): void {
    this.requireMessageBoundary('handshake bytes are buffered across a change of read keys (RFC 8446 §5.1)', 'HandshakeSpansKeyChange');
    // The exception holds under the first keys only: a second change means the peer has long had keys.
    if (this.readProtection !== null) this.plaintextAlertsAllowed = false;
    // The epoch it read is over (RFC 8446 §7.2): nothing is opened under its keys again.
    this.readProtection?.wipe();
    this.readProtection = protection;
  }

  /**
   * The largest length field we read: 2^14 for a plaintext record (RFC 8446 §5.1), 2^14 + 256 for a protected
   * one (§5.2), and so for an application_data record while a server that reads plaintext after its
   * HelloRetryRequest skips the client's rejected 0-RTT records: they are encrypted (§4.2.10).
   */
  private maxLengthOf(type: number): number {
    const encrypted = this.readProtection !== null || (this.earlyDataToSkip > 0 && type === ContentType.application_data);
    return encrypted ? MAX_CIPHERTEXT_LENGTH : MAX_PLAINTEXT_LENGTH;
  }

  /**
   * After the server rejected 0-RTT, the client's early records cannot be read: skip up to `budget` bytes
   * of records that fail to decrypt (or, after a HelloRetryRequest, of application_data records while
   * reading plaintext), until a record is read normally (RFC 8446 §4.2.10).
   */
  skipEarlyData(budget: number): void {
    this.earlyDataToSkip = budget;
  }

  /**
   * The limit agreed inside the record just read: the peer knew it when it wrote that record (a server has
   * our limit from the ClientHello and answers in EncryptedExtensions), so that record is held to it too.
   */
  agreeRecordSizeLimit(limit: number): void {
    this.readRecordSizeLimit = limit;
    this.checkRecordSize();
  }

  private checkRecordSize(): void {
    if (this.lastInnerLength > this.readRecordSizeLimit) {
      throw new TlsError('RecordOverflow', `a record of ${this.lastInnerLength} bytes exceeds our record_size_limit of ${this.readRecordSizeLimit}`);
    }
  }

  /** The connection closed: both directions' keys are wiped; nothing is read or sealed under them again. */
  wipeKeys(): void {
    this.wipeReadKeys();
    this.writer.wipeKeys();
  }

  /** The peer sent close_notify: its keys are wiped; a record opened under them after this is an error. */
  wipeReadKeys(): void {
    this.readProtection?.wipe();
  }

  setWriteProtection(protection: RecordProtection | null): void {
    this.writer.setProtection(protection);
  }

  private accept(record: RawRecord): IncomingItem | undefined {
    const deprotected = this.earlyDataToSkip > 0 && record.type === ContentType.application_data ? this.skipOrDeprotect(record) : this.deprotect(record);
    if (!deprotected) return undefined;
    const { contentType, content, protected: isProtected } = deprotected;
    // RFC 8449 §4: a record larger than the limit we announced is record_overflow (TLSInnerPlaintext =
    // ciphertext minus the tag).
    const innerLength = record.length - (isProtected ? this.readProtection!.tagLength : 0);
    this.lastInnerLength = isProtected ? innerLength : 0;
    this.checkRecordSize();
    if (isProtected) this.plaintextAlertsAllowed = false;
    if (contentType !== ContentType.change_cipher_spec) this.earlyDataToSkip = 0;
    this.hook?.({ kind: 'record', direction: 'in', contentType, content, raw: record.raw, protected: isProtected });
    if (contentType !== ContentType.handshake && this.handshake.hasPartialMessage()) {
      throw new TlsError('unexpected_message', 'a record of another type arrived inside a fragmented handshake message (RFC 8446 §5.1)');
    }
    switch (contentType) {
      case ContentType.handshake:
        if (content.length === 0) throw new TlsError('EmptyRecord', 'zero-length handshake fragment (RFC 8446 §5.1)');
        this.emptyRecords = 0;
        this.handshake.push(content);
        return undefined;
      case ContentType.alert:
        if (content.length === 0) throw new TlsError('EmptyRecord', 'zero-length alert fragment (RFC 8446 §5.1)');
        // §5.1: alerts are neither fragmented nor coalesced, so an alert record holds exactly 2 bytes.
        if (content.length !== 2) throw new TlsError('decode_error', `alert record of ${content.length} bytes, expected 2 (RFC 8446 §6)`);
        if (content[1] === AlertDescription.user_canceled) this.countEmptyRecord();
        else this.emptyRecords = 0;
        return { kind: 'alert', level: content[0]!, description: content[1]! };
      case ContentType.change_cipher_spec:
        if (!isValidChangeCipherSpec(content)) {
          throw new TlsError('UnexpectedChangeCipherSpec', 'change_cipher_spec other than the single byte 0x01 (RFC 8446 §5)');
        }
        this.countEmptyRecord();
        return { kind: 'change_cipher_spec' };
      default:
        // deprotect() admits only the four known types, so this is application data.
        if (content.length === 0) this.countEmptyRecord();
        else this.emptyRecords = 0;
        return { kind: 'application_data', data: unpadded(content) };
    }
  }

  /** Removes protection; an unprotected alert only in the window of plaintextAlertsUnderFirstReadKeys. */
  private deprotect(record: RawRecord) {
    return deprotect(record, this.plaintextAlertsAllowed && isErrorAlert(record) ? null : this.readProtection);
  }

  /** An early record we cannot read is skipped while the budget lasts (see skipEarlyData). */
  private skipOrDeprotect(record: RawRecord) {
    try {
      if (this.readProtection !== null) return this.deprotect(record);
    } catch (e) {
      if (!(e instanceof TlsError) || e.reason !== 'BadRecordMac') throw e;
    }
    // max_early_data_size counts plaintext payload only, not the content type byte or the tag (§4.2.10): a
    // record is charged no more than it could carry under any suite, and at least 1 byte.
    this.earlyDataToSkip -= Math.max(1, record.length - MAX_PROTECTED_RECORD_OVERHEAD);
    if (this.earlyDataToSkip < 0) throw new TlsError('BadRecordMac', 'more unreadable records than the rejected 0-RTT data can explain');
    return undefined;
  }

  private countEmptyRecord(): void {
    if (++this.emptyRecords > MAX_CONSECUTIVE_EMPTY_RECORDS) {
      throw new TlsError('unexpected_message', `more than ${MAX_CONSECUTIVE_EMPTY_RECORDS} consecutive records without content`);
    }
  }
}

/**
 * Application data in memory of about its own size. `content` is a view of its decrypted TLSInnerPlaintext,
 * whose padding (RFC 8446 §5.4) may make it 2^14 bytes for one byte of data; the application holds what a `data`
 * event gives it (a readable stream's buffer counts bytes of data, not their memory), so a short content in a
 * long record is copied out of it (test/security/resource-padded-records).
 */
function unpadded(content: Uint8Array): Uint8Array {
  // new Uint8Array(view) copies (a Buffer's slice() would be another view of the same record).
  return content.byteLength * 2 < content.buffer.byteLength ? new Uint8Array(content) : content;
}
