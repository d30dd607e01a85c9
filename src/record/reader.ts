// Incoming records: framing from a byte stream in any chunking (RFC 8446 §5.1), then removal of
// protection (§5.2) for records received once keys are in place.
import { ContentType, contentTypeName } from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import { LEGACY_RECORD_VERSION, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from './header.js';
import { ByteQueue } from './byte-queue.js';
import type { RecordContent, RecordProtection } from './protection.js';

/**
 * One record as framed on the wire: the one object a record read makes. `fragment` is a view made when it is asked
 * for: a protected record is opened from `raw` (header and fragment, the header being the AEAD's additional data)
 * and needs none.
 */
export class RawRecord {
  constructor(
    /** TLSPlaintext.type, or TLSCiphertext.opaque_type (23) for a protected record. */
    readonly type: number,
    /** legacy_record_version, kept for traces; ignored for plaintext records (RFC 8446 §5.1). */
    readonly version: number,
    /** Header and fragment: the bytes exactly as received. */
    readonly raw: Uint8Array,
  ) {}

  get fragment(): Uint8Array {
    return this.raw.subarray(RECORD_HEADER_LENGTH);
  }

  /** The length field: bytes of the fragment. */
  get length(): number {
    return this.raw.length - RECORD_HEADER_LENGTH;
  }
}

function isKnownContentType(type: number): boolean {
  return (
    type === ContentType.change_cipher_spec ||
    type === ContentType.alert ||
    type === ContentType.handshake ||
    type === ContentType.application_data
  );
}

/**
 * Splits a byte stream into records. Headers are checked as soon as they are complete, so an unknown
 * type or an oversized length fails before the body is buffered.
 */
export class RecordReader {
  private readonly queue = new ByteQueue();

  /**
   * `maxLength` gives the largest acceptable length field of a record of a content type: 2^14 while records
   * are plaintext (§5.1), 2^14 + 256 once they are protected (§5.2). The owner knows which holds.
   */
  constructor(private readonly maxLength: (type: number) => number = () => MAX_PLAINTEXT_LENGTH) {}

  push(bytes: Uint8Array): void {
    this.queue.push(bytes);
  }

  /** Copies what is still buffered of `input` (see ByteQueue.own). */
  own(input: Uint8Array): void {
    this.queue.own(input);
  }

  /** Bytes received but not yet returned as records. */
  get buffered(): number {
    return this.queue.length;
  }

  /** The next whole record, or undefined until more bytes arrive. */
  next(): RawRecord | undefined {
    if (this.queue.length < RECORD_HEADER_LENGTH) return undefined;
    const type = this.queue.byteAt(0);
    const version = (this.queue.byteAt(1) << 8) | this.queue.byteAt(2);
    const length = (this.queue.byteAt(3) << 8) | this.queue.byteAt(4);
    if (!isKnownContentType(type)) {
      throw new TlsError('unexpected_message', `record of unknown content type ${contentTypeName(type)} (RFC 8446 §5)`);
    }
    const maxLength = this.maxLength(type);
    if (length > maxLength) {
      throw new TlsError('RecordOverflow', `record length ${length} exceeds ${maxLength} (RFC 8446 §5.1, §5.2)`);
    }
    if (this.queue.length < RECORD_HEADER_LENGTH + length) return undefined;
    return new RawRecord(type, version, this.queue.take(RECORD_HEADER_LENGTH + length));
  }
}

/** §5: the only valid ChangeCipherSpec is the single byte 0x01. */
export function isValidChangeCipherSpec(content: Uint8Array): boolean {
  return content.length === 1 && content[0] === 0x01;
}

/** A record with protection removed. */
export interface DeprotectedRecord extends RecordContent {
  /** True when the record was AEAD-protected; a ChangeCipherSpec never is. */
  protected: boolean;
}

/**
 * Turns a framed record into its content under the current read protection (null before keys).
 * Once protection is on, every record must be TLSCiphertext (opaque_type 23, version 0x0303), except
 * ChangeCipherSpec, which is always sent in the clear (RFC 8446 §5). Before keys, application data is
 * out of place. Content rules (empty records, CCS value, alert length) are left to the caller.
 */
export function deprotect(record: RawRecord, protection: RecordProtection | null): DeprotectedRecord {
  if (record.type === ContentType.change_cipher_spec) {
    return { contentType: record.type, content: record.fragment, protected: false };
  }
  if (protection === null) {
    if (record.type === ContentType.application_data) {
      throw new TlsError('unexpected_message', 'application data record received before any keys were installed');
    }
    return { contentType: record.type, content: record.fragment, protected: false };
  }
  if (record.type !== ContentType.application_data) {
    throw new TlsError('unexpected_message', `plaintext ${contentTypeName(record.type)} record received after keys were installed (RFC 8446 §5)`);
  }
  if (record.version !== LEGACY_RECORD_VERSION) {
    throw new TlsError('decode_error', `protected record with legacy_record_version 0x${record.version.toString(16).padStart(4, '0')}, not 0x0303 (RFC 8446 §5.2)`);
  }
  // open() marks its result protected: handed on as it is, one object per record.
  const opened = protection.open(record.raw);
  const { contentType } = opened;
  if (contentType === ContentType.change_cipher_spec) {
    throw new TlsError('UnexpectedChangeCipherSpec', 'protected change_cipher_spec record (RFC 8446 §5)');
  }
  if (!isKnownContentType(contentType)) {
    throw new TlsError('unexpected_message', `protected record of unknown content type ${contentTypeName(contentType)} (RFC 8446 §5)`);
  }
  return opened;
}
