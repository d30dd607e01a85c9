// The record layer's public surface (RFC 8446 §5).
export {
  LEGACY_RECORD_VERSION,
  MAX_CIPHERTEXT_LENGTH,
  MAX_INNER_PLAINTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  RECORD_HEADER_LENGTH,
} from './header.js';
export type { RecordHook, RecordTrace } from './header.js';
export { AEAD_IV_LENGTH, DEFAULT_MAX_RECORDS, RecordProtection } from './protection.js';
export type { RecordAllocator, RecordContent } from './protection.js';
export { deprotect, isValidChangeCipherSpec, RecordReader } from './reader.js';
export type { DeprotectedRecord, RawRecord } from './reader.js';
export { DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH, HANDSHAKE_HEADER_LENGTH, HandshakeBuffer, MAX_CLIENT_HELLO_LENGTH } from './handshake-buffer.js';
export type { HandshakeMessage } from './handshake-buffer.js';
export { MIN_RECORD_SIZE_LIMIT, noPadding, RecordWriter } from './writer.js';
export type { HandshakeWriteOptions, PaddingPolicy, RecordWriterOptions } from './writer.js';
export { MAX_CONSECUTIVE_EMPTY_RECORDS, RecordLayer } from './layer.js';
export type { IncomingItem, RecordLayerOptions } from './layer.js';
