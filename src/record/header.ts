// The 5-byte record header and the size limits of RFC 8446 §5.1 and §5.2.
import { ProtocolVersion } from '../wire/enums.js';

export const RECORD_HEADER_LENGTH = 5;

/** TLSPlaintext.length: "MUST NOT exceed 2^14 bytes" (RFC 8446 §5.1). */
export const MAX_PLAINTEXT_LENGTH = 2 ** 14;

/** The encoded TLSInnerPlaintext (content, type, padding) "MUST NOT exceed 2^14 + 1 octets" (RFC 8446 §5.4). */
export const MAX_INNER_PLAINTEXT_LENGTH = 2 ** 14 + 1;

/** TLSCiphertext.length: "MUST NOT exceed 2^14 + 256 bytes" (RFC 8446 §5.2). */
export const MAX_CIPHERTEXT_LENGTH = 2 ** 14 + 256;

/**
 * legacy_record_version of every record a TLS 1.3 implementation sends, except that an initial
 * ClientHello MAY use 0x0301 (RFC 8446 §5.1); TLSCiphertext always carries 0x0303 (§5.2).
 */
export const LEGACY_RECORD_VERSION = ProtocolVersion.TLSv1_2;

/** Writes the 5-byte header at the start of `record` (type, legacy_record_version, length) and returns `record`. */
export function writeRecordHeader(record: Uint8Array, contentType: number, version: number, length: number): Uint8Array {
  record[0] = contentType;
  record[1] = version >>> 8;
  record[2] = version & 0xff;
  record[3] = length >>> 8;
  record[4] = length & 0xff;
  return record;
}

/**
 * A record's content: one array, or the pieces it is made of in order (a flight's messages, each a view of the
 * buffer they were encoded in), copied into the record without being joined first.
 */
export type ContentPieces = Uint8Array | readonly Uint8Array[];

/**
 * Whether `content` is one array rather than pieces. Array.isArray (one check of the object's map), not
 * `instanceof Uint8Array`: where V8 does not inline that, it is a builtin call with a Symbol.hasInstance lookup and,
 * for a Buffer (an application's usual data), a walk up its prototype chain (callgrind: 0.7 K instructions a
 * 16 KiB record in piecesLength and copyPieces; docs/performance-bulk-notes.md, session 18).
 */
export function isOneArray(content: ContentPieces): content is Uint8Array {
  return !Array.isArray(content);
}

export function piecesLength(content: ContentPieces): number {
  if (isOneArray(content)) return content.length;
  let length = 0;
  for (const piece of content) length += piece.length;
  return length;
}

/** Copies `content` into `target` from `offset` on. */
export function copyPieces(content: ContentPieces, target: Uint8Array, offset: number): void {
  if (isOneArray(content)) return target.set(content, offset);
  for (const piece of content) {
    target.set(piece, offset);
    offset += piece.length;
  }
}

/** A TLSPlaintext record: header and a copy of the fragment (RFC 8446 §5.1). */
export function plaintextRecord(contentType: number, version: number, fragment: ContentPieces): Uint8Array {
  const length = piecesLength(fragment);
  const record = writeRecordHeader(new Uint8Array(RECORD_HEADER_LENGTH + length), contentType, version, length);
  copyPieces(fragment, record, RECORD_HEADER_LENGTH);
  return record;
}

/** What trace code sees of each record, in either direction. */
export interface RecordTrace {
  kind: 'record';
  direction: 'in' | 'out';
  /** The real content type: for a protected record, the inner one recovered after decryption. */
  contentType: number;
  /** The content without header, inner type, padding or tag. */
  content: Uint8Array;
  /** The record exactly as on the wire. */
  raw: Uint8Array;
  protected: boolean;
}

export type RecordHook = (record: RecordTrace) => void;
