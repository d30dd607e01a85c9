// Record payload protection (RFC 8446 §5.2-§5.4): one AEAD key, one static IV, one sequence number.
import { AEAD_TAG_LENGTHS, type AeadKey, type AeadName, type CryptoProvider } from '../crypto/provider.js';
import { ContentType } from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import { LentArray } from '../wire/lent-array.js';
import {
  copyPieces,
  LEGACY_RECORD_VERSION,
  MAX_INNER_PLAINTEXT_LENGTH,
  piecesLength,
  RECORD_HEADER_LENGTH,
  writeRecordHeader,
  type ContentPieces,
} from './header.js';

/** Every TLS 1.3 AEAD takes a 12-byte nonce (RFC 8446 §5.3: iv_length = 12); the tag length is the suite's AEAD's. */
export const AEAD_IV_LENGTH = 12;

/**
 * Sequence numbers are 64 bits and "MUST NOT wrap" (RFC 8446 §5.3). We count with a JavaScript number,
 * so the default cap is the largest exactly representable integer, far below 2^64. Reaching it is a
 * TlsError('ResourceLimit'); a key update must come first. A lower cap (e.g. the §5.5 AEAD usage limits)
 * can be passed to the constructor.
 */
export const DEFAULT_MAX_RECORDS = Number.MAX_SAFE_INTEGER;

/**
 * Memory for one protected record: exactly `length` bytes that nothing else reads or writes until the record
 * comes back out of the writer (the engine writes every byte, so the memory may hold anything).
 */
export type RecordAllocator = (length: number) => Uint8Array;

const newRecord: RecordAllocator = (length) => new Uint8Array(length);

/** The content of one record after protection is removed. */
export interface RecordContent {
  contentType: number;
  content: Uint8Array;
}

/** What open() returns: the content of a record that was protected (reader.ts DeprotectedRecord). */
export interface OpenedRecord extends RecordContent {
  protected: true;
}

/**
 * Where a protection's key and IV come from when they are derived for its first record rather than when it is
 * installed (keyschedule.ts trafficProtection, RFC 8446 §7.3).
 */
export interface TrafficKeySource {
  /**
   * The AEAD key, an array of its own that no one else keeps; the IV written into `iv` (AEAD_IV_LENGTH bytes of
   * memory lent for the call: read at once, then wiped).
   */
  deriveKeys(iv: Uint8Array): Uint8Array;
}

/** Where a derived IV is read from, for one deriveKeys call: wiped before it is given back. */
const IV_MEMORY = new LentArray(AEAD_IV_LENGTH);

export class RecordProtection {
  /**
   * The AEAD, set up when the first record is sealed or opened: a handshake installs its application keys
   * before any application record, and one that ends there (or closes) never needs them (the AEAD setups of
   * a handshake: 8 made, 4 used). Until then `rawKey` holds the key, or `keySource` derives key and IV then
   * (four HKDF-Expands per handshake fewer); after, nothing but the AEAD does. Each lives as long as this
   * protection, which the connection drops when its epoch ends (RFC 8446 §7.2).
   */
  private key: AeadKey | undefined;
  private rawKey: Uint8Array | undefined;
  private keySource: TrafficKeySource | undefined;
  /**
   * The static IV (RFC 8446 §5.3) as three big-endian 32-bit words, bytes 0-3, 4-7 and 8-11: numbers, not an
   * array, so that nothing the caller does to the array it gave changes our nonces, and no array is kept.
   */
  private ivHigh = 0;
  private ivMiddle = 0;
  private ivLow = 0;
  /** Bytes the AEAD adds to each record: 16, or 8 for AES-128-CCM-8 (AEAD_TAG_LENGTHS). */
  readonly tagLength: number;
  private sequence = 0;
  private wiped = false;

  /** `key` is copied (nothing the caller does to its array changes ours), `iv` read. */
  constructor(
    private readonly provider: Pick<CryptoProvider, 'createAead' | 'aeadKeyLength'>,
    readonly aead: AeadName,
    key: Uint8Array | TrafficKeySource,
    iv: Uint8Array | undefined,
    private readonly maxRecords = DEFAULT_MAX_RECORDS,
  ) {
    this.tagLength = AEAD_TAG_LENGTHS[aead];
    if (key instanceof Uint8Array) {
      this.rawKey = new Uint8Array(this.checkedKey(key));
      this.readIv(iv!);
    } else {
      this.keySource = key;
    }
  }

  /**
   * Protection whose key and IV are derived by `source` when its first record is sealed or opened: a connection
   * installs four per handshake, and the application keys of a handshake that ends there are never derived.
   */
  static derivedOnFirstRecord(provider: Pick<CryptoProvider, 'createAead' | 'aeadKeyLength'>, aead: AeadName, source: TrafficKeySource): RecordProtection {
    return new RecordProtection(provider, aead, source, undefined);
  }

  /**
   * The connection closed: the key (the provider's copy too, where it can be written: AeadKey.wipe), the IV and
   * what would derive them are gone, and a record sealed or opened after this is an error, never one under a zero key.
   */
  wipe(): void {
    this.key?.wipe?.();
    this.rawKey?.fill(0);
    this.key = this.rawKey = this.keySource = undefined;
    this.ivHigh = this.ivMiddle = this.ivLow = 0;
    this.wiped = true;
  }

  /** The sequence number the next record will use (starts at 0 for every key, RFC 8446 §5.3). */
  get sequenceNumber(): number {
    return this.sequence;
  }

  /**
   * Protects one record: TLSInnerPlaintext = content || contentType || zeros(padLength) (§5.2, §5.4),
   * sealed with the 5-byte header as additional data. Returns header || encrypted_record in one array from
   * `allocate` (a new one by default), assembled and sealed in place: the caller's content (one array or its
   * pieces in order) is copied once and never written to, every byte of the array is written (memory from
   * `allocate` may hold anything), and the array is never touched again once returned.
   */
  seal(contentType: number, content: ContentPieces, padLength = 0, allocate: RecordAllocator = newRecord): Uint8Array {
    if (!Number.isInteger(padLength) || padLength < 0) throw new Error(`invalid padding length ${padLength}`);
    const contentLength = piecesLength(content);
    const innerLength = contentLength + 1 + padLength;
    if (innerLength > MAX_INNER_PLAINTEXT_LENGTH) {
      throw new Error(`TLSInnerPlaintext of ${innerLength} bytes exceeds 2^14 + 1 (RFC 8446 §5.4)`);
    }
    const recordLength = RECORD_HEADER_LENGTH + innerLength + this.tagLength;
    const record = allocate(recordLength);
    if (record.length !== recordLength) throw new Error(`record allocator returned ${record.length} bytes, not ${recordLength}`);
    // The key first: a protection whose key and IV are derived on its first record has no IV before.
    const key = this.aeadKey();
    const nonce = this.nextNonce();
    writeRecordHeader(record, ContentType.application_data, LEGACY_RECORD_VERSION, innerLength + this.tagLength);
    const inner = record.subarray(RECORD_HEADER_LENGTH, RECORD_HEADER_LENGTH + innerLength);
    copyPieces(content, inner, 0);
    inner[contentLength] = contentType;
    // §5.4: padding is zeros; reused memory is not.
    inner.fill(0, contentLength + 1);
    const header = record.subarray(0, RECORD_HEADER_LENGTH);
    if (key.sealInto) key.sealInto(nonce, header, inner, record.subarray(RECORD_HEADER_LENGTH));
    else record.set(key.seal(nonce, header, inner), RECORD_HEADER_LENGTH);
    return record;
  }

  /**
   * Removes protection from one TLSCiphertext (header || encrypted_record). The header is the AEAD's
   * additional data exactly as received. Fails with bad_record_mac when the tag does not verify,
   * record_overflow when the inner plaintext is too long, unexpected_message when it is all zeros.
   */
  open(record: Uint8Array): OpenedRecord {
    const header = record.subarray(0, RECORD_HEADER_LENGTH);
    const encrypted = record.subarray(RECORD_HEADER_LENGTH);
    if (header.length < RECORD_HEADER_LENGTH || ((header[3]! << 8) | header[4]!) !== encrypted.length) {
      throw new TlsError('decode_error', 'record length field does not match the record');
    }
    // The sequence number advances only for a record that authenticates, so a server that skips the
    // rejected 0-RTT records it cannot decrypt (RFC 8446 §4.2.10) stays in step with the client.
    const key = this.aeadKey();
    const inner = key.open(this.nonceFor(this.sequence), header, encrypted);
    if (inner === null) throw new TlsError('BadRecordMac', 'record failed AEAD authentication');
    this.sequence++;
    if (inner.length > MAX_INNER_PLAINTEXT_LENGTH) {
      throw new TlsError('RecordOverflow', `TLSInnerPlaintext of ${inner.length} bytes exceeds 2^14 + 1`);
    }
    // §5.4: the content type is the last non-zero byte; everything after it is padding.
    let typeAt = inner.length - 1;
    while (typeAt >= 0 && inner[typeAt] === 0) typeAt--;
    if (typeAt < 0) throw new TlsError('EmptyRecord', 'TLSInnerPlaintext has no non-zero content type byte (RFC 8446 §5.4)');
    return { contentType: inner[typeAt]!, content: inner.subarray(0, typeAt), protected: true };
  }

  /** The AEAD, set up on first use (the key and IV derived first when a source gives them); the raw key is dropped then (the AEAD holds its own copy). */
  private aeadKey(): AeadKey {
    if (this.wiped) throw new Error('record keys used after they were wiped at close');
    if (this.key === undefined) {
      if (this.keySource !== undefined) this.deriveKeys(this.keySource);
      this.key = this.provider.createAead(this.aead, this.rawKey!);
      this.rawKey = undefined;
    }
    return this.key;
  }

  private deriveKeys(source: TrafficKeySource): void {
    const iv = IV_MEMORY.borrow(AEAD_IV_LENGTH);
    try {
      this.rawKey = this.checkedKey(source.deriveKeys(iv));
      this.readIv(iv);
      this.keySource = undefined;
    } finally {
      iv.fill(0);
      IV_MEMORY.giveBack(iv);
    }
  }

  private checkedKey(key: Uint8Array): Uint8Array {
    const keyLength = this.provider.aeadKeyLength(this.aead);
    if (key.length !== keyLength) throw new Error(`${this.aead} needs a ${keyLength}-byte key, got ${key.length}`);
    return key;
  }

  private readIv(iv: Uint8Array): void {
    if (iv.length !== AEAD_IV_LENGTH) throw new Error(`record IV must be ${AEAD_IV_LENGTH} bytes, got ${iv.length}`);
    this.ivHigh = word(iv, 0);
    this.ivMiddle = word(iv, 4);
    this.ivLow = word(iv, 8);
  }

  private nextNonce(): Uint8Array {
    const nonce = this.nonceFor(this.sequence);
    this.sequence++;
    return nonce;
  }

  /** §5.3: the 64-bit sequence number, left-padded to iv_length, XORed with the static IV. */
  private nonceFor(sequence: number): Uint8Array {
    if (sequence >= this.maxRecords) {
      throw new TlsError('ResourceLimit', `sequence number limit of ${this.maxRecords} records reached for this key`);
    }
    // A new array each time (a provider may keep the nonce it was given): the IV's words, the sequence number's
    // high 32 bits XORed into the middle one and its low 32 bits into the last.
    const low = sequence >>> 0;
    const high = (sequence - low) / 2 ** 32;
    const nonce = new Uint8Array(AEAD_IV_LENGTH);
    putWord(nonce, 0, this.ivHigh);
    putWord(nonce, 4, this.ivMiddle ^ high);
    putWord(nonce, 8, this.ivLow ^ low);
    return nonce;
  }
}

/** The big-endian 32-bit word at `at`. */
function word(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** `value`'s low 32 bits, big-endian, at `at` (a Uint8Array keeps the low 8 bits of what is stored). */
function putWord(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}
