// The decoded shapes of every TLS 1.3 handshake message (RFC 8446 §4, Appendix B.3) and extension body.
// Extensions stay as ordered (type, raw body) pairs inside messages, so unknown code points and the exact
// order survive a decode/encode round trip; typed views of the bodies come from extensions.ts.

/** RFC 8446 §4.2: one Extension as it appears on the wire. */
export interface Extension {
  type: number;
  data: Uint8Array;
}

/** RFC 8446 §4.1.2 */
export interface ClientHello {
  kind: 'client_hello';
  legacyVersion: number;
  random: Uint8Array;
  legacySessionId: Uint8Array;
  cipherSuites: number[];
  legacyCompressionMethods: Uint8Array;
  extensions: Extension[];
}

/** RFC 8446 §4.1.3 */
export interface ServerHello {
  kind: 'server_hello';
  legacyVersion: number;
  random: Uint8Array;
  legacySessionIdEcho: Uint8Array;
  cipherSuite: number;
  legacyCompressionMethod: number;
  extensions: Extension[];
}

/** RFC 8446 §4.1.4: a ServerHello whose random is HELLO_RETRY_REQUEST_RANDOM; decoded as its own kind. */
export interface HelloRetryRequest {
  kind: 'hello_retry_request';
  legacyVersion: number;
  legacySessionIdEcho: Uint8Array;
  cipherSuite: number;
  legacyCompressionMethod: number;
  extensions: Extension[];
}

/** RFC 8446 §4.3.1 */
export interface EncryptedExtensions {
  kind: 'encrypted_extensions';
  extensions: Extension[];
}

/** RFC 8446 §4.3.2 */
export interface CertificateRequest {
  kind: 'certificate_request';
  context: Uint8Array;
  extensions: Extension[];
}

/** RFC 8446 §4.4.2: `data` is an X.509 certificate (DER) or, with RFC 7250 raw keys, a SubjectPublicKeyInfo. */
export interface CertificateEntry {
  data: Uint8Array;
  extensions: Extension[];
}

/** RFC 8446 §4.4.2 */
export interface Certificate {
  kind: 'certificate';
  context: Uint8Array;
  entries: CertificateEntry[];
}

/** RFC 8446 §4.4.3 */
export interface CertificateVerify {
  kind: 'certificate_verify';
  scheme: number;
  signature: Uint8Array;
}

/** RFC 8446 §4.4.4 */
export interface Finished {
  kind: 'finished';
  verifyData: Uint8Array;
}

/** RFC 8446 §4.6.1 */
export interface NewSessionTicket {
  kind: 'new_session_ticket';
  lifetime: number;
  ageAdd: number;
  nonce: Uint8Array;
  ticket: Uint8Array;
  extensions: Extension[];
}

/** RFC 8446 §4.5 */
export interface EndOfEarlyData {
  kind: 'end_of_early_data';
}

/** RFC 8446 §4.6.3 */
export interface KeyUpdate {
  kind: 'key_update';
  requestUpdate: number;
}

/** RFC 8446 §4.4.1: the synthetic message that replaces ClientHello1 in the transcript after a HelloRetryRequest. */
export interface MessageHash {
  kind: 'message_hash';
  hash: Uint8Array;
}

/** RFC 8879 §4: a Certificate message, compressed; it stands in the transcript as sent. */
export interface CompressedCertificate {
  kind: 'compressed_certificate';
  algorithm: number;
  /** The length of the Certificate message (body, without its header) once decompressed. */
  uncompressedLength: number;
  compressed: Uint8Array;
}

export type HandshakeMessage =
  | ClientHello
  | ServerHello
  | HelloRetryRequest
  | EncryptedExtensions
  | CertificateRequest
  | Certificate
  | CertificateVerify
  | Finished
  | NewSessionTicket
  | EndOfEarlyData
  | KeyUpdate
  | CompressedCertificate
  | MessageHash;

export type HandshakeKind = HandshakeMessage['kind'];

// ---- Extension bodies (RFC 8446 §4.2.x and the RFCs named) ----

/** RFC 8446 §4.2.8 */
export interface KeyShareEntry {
  group: number;
  keyExchange: Uint8Array;
}

/** RFC 8446 §4.2.11 */
export interface PskIdentity {
  identity: Uint8Array;
  obfuscatedTicketAge: number;
}

/** RFC 8446 §4.2.11: OfferedPsks in a ClientHello. */
export interface OfferedPsks {
  identities: PskIdentity[];
  binders: Uint8Array[];
}

/** RFC 8446 §4.2.5 */
export interface OidFilter {
  /** DER-encoded OID contents (without tag and length). */
  oid: Uint8Array;
  /** DER-encoded extension values. */
  values: Uint8Array;
}
