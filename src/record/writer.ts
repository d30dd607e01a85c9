// Outgoing records (RFC 8446 §5.1-§5.4): fragmentation, protection, padding, and a queue of bytes
// for the caller to put on the wire.
import { concatList } from '../wire/bytes.js';
import { showValue } from '../wire/show-value.js';
import { ContentType } from '../wire/enums.js';
import {
  LEGACY_RECORD_VERSION,
  MAX_INNER_PLAINTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  isOneArray,
  piecesLength,
  plaintextRecord,
  RECORD_HEADER_LENGTH,
  type ContentPieces,
  type RecordHook,
} from './header.js';
import type { RecordAllocator, RecordProtection } from './protection.js';

/**
 * How many zero bytes to append to a protected record's content (RFC 8446 §5.4). The writer lowers
 * the answer when needed so the TLSInnerPlaintext stays within the record size limit.
 */
export type PaddingPolicy = (contentType: number, contentLength: number) => number;

export const noPadding: PaddingPolicy = () => 0;

/** RFC 8449 §4: a record_size_limit "MUST NOT" be below 64. */
export const MIN_RECORD_SIZE_LIMIT = 64;

export interface RecordWriterOptions {
  /** RFC 8449 record_size_limit of the peer; default 2^14 + 1. */
  recordSizeLimit?: number;
  padding?: PaddingPolicy;
  onRecord?: RecordHook;
}

export interface HandshakeWriteOptions {
  /** 0x0301 is allowed for an initial ClientHello only (RFC 8446 §5.1); default 0x0303. */
  legacyRecordVersion?: 0x0301 | 0x0303;
}

/** The one byte of every ChangeCipherSpec record (RFC 8446 §5): copied into each record, never handed out. */
const CHANGE_CIPHER_SPEC = Uint8Array.of(0x01);

export class RecordWriter {
  padding: PaddingPolicy;
  onRecord: RecordHook | undefined;
  /**
   * Where protected records are sealed; unset: a new array each. An allocator's memory is its owner's to
   * reuse once the record is taken, so the onRecord hook (a trace keeps what it is given) gets a copy.
   */
  recordAllocator: RecordAllocator | undefined;
  private limit = MAX_INNER_PLAINTEXT_LENGTH;
  private protection: RecordProtection | null = null;
  private queue: Uint8Array[] = [];

  constructor(options: RecordWriterOptions = {}) {
    this.padding = options.padding ?? noPadding;
    this.onRecord = options.onRecord;
    if (options.recordSizeLimit !== undefined) this.recordSizeLimit = options.recordSizeLimit;
  }

  /**
   * The largest TLSInnerPlaintext (content, type byte and padding) of a protected record (RFC 8449 §4).
   * Plaintext records are not subject to it and always carry up to 2^14 bytes.
   */
  get recordSizeLimit(): number {
    return this.limit;
  }

  set recordSizeLimit(limit: number) {
    if (!Number.isInteger(limit) || limit < MIN_RECORD_SIZE_LIMIT || limit > MAX_INNER_PLAINTEXT_LENGTH) {
      throw new Error(`record size limit must be an integer in [${MIN_RECORD_SIZE_LIMIT}, 2^14 + 1], got ${limit}`);
    }
    this.limit = limit;
  }

  /** Installs write keys (null: plaintext). Records already queued are sealed: the keys they were sealed with are wiped. */
  setProtection(protection: RecordProtection | null): void {
    this.protection?.wipe();
    this.protection = protection;
  }

  /** The connection closed: the write keys are wiped (records already queued are sealed). */
  wipeKeys(): void {
    this.protection?.wipe();
  }

  /**
   * One or more handshake messages, fragmented as needed (§5.1 allows coalescing and fragmenting): their bytes,
   * or the messages one by one in order, copied into the records as they are, never joined first.
   */
  handshake(messages: ContentPieces, options: HandshakeWriteOptions = {}): void {
    if (piecesLength(messages) === 0) throw new Error('zero-length handshake fragments are not allowed (RFC 8446 §5.1)');
    const version = options.legacyRecordVersion ?? LEGACY_RECORD_VERSION;
    if (version !== LEGACY_RECORD_VERSION && this.protection !== null) {
      throw new Error('only a plaintext initial ClientHello may use legacy_record_version 0x0301');
    }
    if (isOneArray(messages)) this.fragment(ContentType.handshake, messages, version);
    else this.fragmentPieces(ContentType.handshake, messages, version);
  }

  /** One alert: always a record of its own (§5.1: alerts are neither fragmented nor coalesced). */
  alert(level: number, description: number): void {
    this.emit(ContentType.alert, Uint8Array.of(level, description), LEGACY_RECORD_VERSION);
  }

  /** The middlebox-compatibility ChangeCipherSpec, always in the clear (RFC 8446 §5, Appendix D.4). */
  changeCipherSpec(): void {
    const record = plaintextRecord(ContentType.change_cipher_spec, LEGACY_RECORD_VERSION, CHANGE_CIPHER_SPEC);
    this.queue.push(record);
    // The hook sees the record's own copy of the content, never the shared constant.
    if (this.onRecord !== undefined) this.trace(record, ContentType.change_cipher_spec, record.subarray(RECORD_HEADER_LENGTH), false);
  }

  /** Application data; nothing is sent for zero bytes (allowed by §5.1, but never needed). */
  applicationData(data: Uint8Array): void {
    if (this.protection === null) throw new Error('application data needs write keys');
    if (data.length > 0) this.fragment(ContentType.application_data, data, LEGACY_RECORD_VERSION);
  }

  /** Bytes of every queued record, concatenated; the queue is emptied. */
  take(): Uint8Array {
    const records = this.takeRecords();
    return records.length === 1 ? records[0]! : concatList(records);
  }

  /** The queued records one by one (to drop, reorder or tamper with them in tests); the queue is emptied. */
  takeRecords(): Uint8Array[] {
    const records = this.queue;
    this.queue = [];
    return records;
  }

  /** Bytes waiting in the queue. */
  get pendingBytes(): number {
    let length = 0;
    for (const r of this.queue) length += r.length;
    return length;
  }

  /** The most content one record carries now: 2^14 in the clear (§5.1), else the record size limit less the type byte. */
  get fragmentLength(): number {
    return this.protection === null ? MAX_PLAINTEXT_LENGTH : this.limit - 1;
  }

  /** Records sealed under the current write key (its next sequence number, §5.3); 0 in the clear. */
  get sealedUnderKey(): number {
    return this.protection === null ? 0 : this.protection.sequenceNumber;
  }

  private fragment(contentType: number, data: Uint8Array, version: number): void {
    const size = this.fragmentLength;
    // One record: the caller's array itself, no view of all of it (one object less per bulk write of 2^14 bytes).
    if (data.length <= size) return this.emit(contentType, data, version);
    for (let offset = 0; offset < data.length; offset += size) {
      this.emit(contentType, data.subarray(offset, offset + size), version);
    }
  }

  /** `fragment` of the pieces' bytes in order: each record gets views of the pieces it spans. */
  private fragmentPieces(contentType: number, pieces: readonly Uint8Array[], version: number): void {
    const size = this.fragmentLength;
    const total = piecesLength(pieces);
    if (total <= size) return this.emit(contentType, pieces, version);
    let index = 0;
    let offset = 0;
    for (let start = 0; start < total; start += size) {
      const spanned: Uint8Array[] = [];
      for (let missing = Math.min(size, total - start); missing > 0; ) {
        const piece = pieces[index]!;
        const taken = Math.min(piece.length - offset, missing);
        spanned.push(piece.subarray(offset, offset + taken));
        missing -= taken;
        offset += taken;
        if (offset === piece.length) {
          index++;
          offset = 0;
        }
      }
      this.emit(contentType, spanned, version);
    }
  }

  /**
   * One record into the queue. The hook never sees the caller's memory (a flight's messages are views of a buffer
   * reused once the step is over): a plaintext record's content is the record's own copy, a protected one's a copy
   * made before sealing (the record holds ciphertext then).
   */
  private emit(contentType: number, content: ContentPieces, version: number): void {
    if (this.protection === null) {
      const record = plaintextRecord(contentType, version, content);
      this.queue.push(record);
      if (this.onRecord !== undefined) this.trace(record, contentType, record.subarray(RECORD_HEADER_LENGTH), false);
      return;
    }
    const length = piecesLength(content);
    const padLength = Math.min(this.requestedPadding(contentType, length), this.limit - 1 - length);
    const traced = this.onRecord === undefined ? undefined : joined(content);
    const record = this.protection.seal(contentType, content, padLength, this.recordAllocator);
    this.queue.push(record);
    if (traced !== undefined) this.trace(record, contentType, traced, true);
  }

  /**
   * The policy's answer, a whole number of bytes. A policy that throws or answers anything else fails the step
   * and is not asked again: the fatal alert that ends the connection goes out unpadded, rather than failing
   * the same way and escaping the engine (test/security/padding-policy-failure).
   */
  private requestedPadding(contentType: number, contentLength: number): number {
    let requested: unknown;
    try {
      requested = this.padding(contentType, contentLength);
    } catch (e) {
      this.padding = noPadding;
      throw e;
    }
    if (Number.isInteger(requested) && (requested as number) >= 0) return requested as number;
    this.padding = noPadding;
    throw new Error(`padding policy returned ${showValue(requested)}, not a whole number of bytes`);
  }

  private trace(raw: Uint8Array, contentType: number, content: Uint8Array, isProtected: boolean): void {
    const traced = isProtected && this.recordAllocator ? raw.slice() : raw;
    this.onRecord?.({ kind: 'record', direction: 'out', contentType, content, raw: traced, protected: isProtected });
  }
}

/** The pieces' bytes in one array of their own. */
function joined(content: ContentPieces): Uint8Array {
  return isOneArray(content) ? content.slice() : concatList(content);
}
