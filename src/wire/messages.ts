// Handshake messages (RFC 8446 §4, Appendix B.3): decode a body into its typed shape, encode a shape back
// into the full message with its 4-byte header. Decoding applies every length rule of the presentation
// language and the extension-block rules of §4.2; encoding writes what it is given, so tests and tamper
// hooks can also build malformed messages on purpose.
import { decodeWhole, encode, encodeValue, equalBytes, Reader, type SpanSink, type Writer } from './bytes.js';
import {
  certificateCompressionAlgorithmName,
  cipherSuiteName,
  ExtensionType,
  extensionTypeName,
  HandshakeType,
  handshakeTypeName,
  HELLO_RETRY_REQUEST_RANDOM,
  keyUpdateRequestName,
  protocolVersionName,
  signatureSchemeName,
} from './enums.js';
import { TlsError } from './errors.js';
import { decodeExtensionBody, knownExtensionName, type ExtensionContext } from './extension-table.js';
import { bindersLength, bodyOf, preSharedKeyClientHello } from './extensions.js';
import type {
  Certificate,
  CertificateEntry,
  CertificateRequest,
  CertificateVerify,
  ClientHello,
  CompressedCertificate,
  EncryptedExtensions,
  Extension,
  Finished,
  HandshakeKind,
  HandshakeMessage,
  HelloRetryRequest,
  KeyUpdate,
  MessageHash,
  NewSessionTicket,
  OfferedPsks,
  ServerHello,
} from './types.js';
import { DUPLICATE_SCAN_LIMIT, readU16Vector, writeU16Vector } from './vectors.js';

export { ALLOWED_EXTENSIONS } from './extension-table.js';

/** Where each message is defined; cited on the spans of its top-level fields. */
const RFC_SECTION: Record<HandshakeKind, string> = {
  client_hello: 'RFC 8446 §4.1.2',
  server_hello: 'RFC 8446 §4.1.3',
  hello_retry_request: 'RFC 8446 §4.1.4',
  encrypted_extensions: 'RFC 8446 §4.3.1',
  certificate_request: 'RFC 8446 §4.3.2',
  certificate: 'RFC 8446 §4.4.2',
  certificate_verify: 'RFC 8446 §4.4.3',
  finished: 'RFC 8446 §4.4.4',
  new_session_ticket: 'RFC 8446 §4.6.1',
  end_of_early_data: 'RFC 8446 §4.5',
  key_update: 'RFC 8446 §4.6.3',
  compressed_certificate: 'RFC 8879 §4',
  message_hash: 'RFC 8446 §4.4.1',
};

// ---- Extension blocks (RFC 8446 §4.2) ----

/** Whether `type` is already among `extensions` (seen: the same types as a set, once the block is long). */
function repeats(extensions: Extension[], type: number, seen: Set<number> | undefined): boolean {
  if (seen) return seen.has(type);
  for (let i = 0; i < extensions.length; i++) if (extensions[i]!.type === type) return true;
  return false;
}

/**
 * Reads `Extension extensions<min..max>` of a message. Refuses a repeated type (DuplicateExtension) and a known
 * type the §4.2 table does not allow in `context` (ExtensionNotAllowedHere); decodes each known body so a
 * malformed one fails here. Returns the raw list, so order and unknown extensions round-trip byte for byte.
 * The RFC sets no limit on the number of extensions: the block's 2^16-1 bytes bound it, and each costs one
 * duplicate check (see DUPLICATE_SCAN_LIMIT) and one body decode, so the work is linear in the block.
 */
function readExtensions(r: Reader, context: ExtensionContext, min: number, max: number): Extension[] {
  const outer = r.open(2, 'extensions', min, max);
  const extensions: Extension[] = [];
  let seen: Set<number> | undefined;
  for (let i = 0; r.remaining > 0; i++) {
    r.enterElement(i);
    const type = r.u16('type', extensionTypeName);
    // §4.2: "There MUST NOT be more than one extension of the same type in a given extension block."
    if (repeats(extensions, type, seen)) r.refuse(new TlsError('DuplicateExtension', `${r.path}: second ${extensionTypeName(type)}`));
    if (seen) seen.add(type);
    else if (extensions.length === DUPLICATE_SCAN_LIMIT) seen = new Set([...extensions.map((x) => x.type), type]);
    extensions.push(readExtension(r, type, context));
    r.leaveElement();
  }
  r.close(outer);
  // §4.2.11: "The "pre_shared_key" extension MUST be the last extension in the ClientHello".
  const psk = extensions.findIndex(isPreSharedKey);
  if (context === 'CH' && psk !== -1 && psk !== extensions.length - 1) {
    r.refuse(new TlsError('illegal_parameter', 'pre_shared_key is not the last extension of the ClientHello'));
  }
  return extensions;
}

const isPreSharedKey = (e: Extension) => e.type === ExtensionType.pre_shared_key;

/** One extension after its type: an unknown one's data as it is, a known one's body decoded for `context`. */
function readExtension(e: Reader, type: number, context: ExtensionContext): Extension {
  const name = knownExtensionName(type);
  if (name === undefined) return { type, data: e.vec(2, 'data') };
  const body = e.open(2, name, 0, 0xffff);
  const extension = decodeExtensionBody(type, context, e);
  e.close(body);
  return extension;
}

/**
 * The hellos' extension block. TLS 1.3 hellos always carry one; a hello without it is pre-1.3 (RFC 5246
 * §7.4.1.2 made it optional) and decodes with an empty list, so the handshake can answer protocol_version.
 */
function readHelloExtensions(r: Reader, context: ExtensionContext, min: number): Extension[] {
  return r.remaining === 0 ? [] : readExtensions(r, context, min, 0xffff);
}

function writeExtensions(w: Writer, extensions: Extension[]): void {
  const block = w.startVector(2);
  for (const e of extensions) w.u16(e.type).vec(2, e.data);
  w.endVector(block, 2);
}

// ---- Decoding ----

function readClientHello(r: Reader): ClientHello {
  const legacyVersion = r.u16('legacy_version', protocolVersionName);
  const random = r.raw(32, 'random');
  const legacySessionId = r.vec(1, 'legacy_session_id', 0, 32);
  const cipherSuites = readU16Vector(r, 2, 'cipher_suites', 2, 0xfffe, cipherSuiteName);
  const legacyCompressionMethods = r.vec(1, 'legacy_compression_methods', 1, 0xff);
  const extensions = readHelloExtensions(r, 'CH', 8);
  return { kind: 'client_hello', legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions };
}

/** ServerHello and HelloRetryRequest share one structure (§4.1.3); the random tells them apart (§4.1.4). */
function readServerHello(r: Reader, context: 'SH' | 'HRR'): ServerHello | HelloRetryRequest {
  const legacyVersion = r.u16('legacy_version', protocolVersionName);
  const random = r.raw(32, 'random', context === 'HRR' ? 'HelloRetryRequest (SHA-256 of "HelloRetryRequest")' : undefined);
  const legacySessionIdEcho = r.vec(1, 'legacy_session_id_echo', 0, 32);
  const cipherSuite = r.u16('cipher_suite', cipherSuiteName);
  const legacyCompressionMethod = r.u8('legacy_compression_method');
  const extensions = readHelloExtensions(r, context, 6);
  if (context === 'HRR') return { kind: 'hello_retry_request', legacyVersion, legacySessionIdEcho, cipherSuite, legacyCompressionMethod, extensions };
  return { kind: 'server_hello', legacyVersion, random, legacySessionIdEcho, cipherSuite, legacyCompressionMethod, extensions };
}

function readEncryptedExtensions(r: Reader): EncryptedExtensions {
  return { kind: 'encrypted_extensions', extensions: readExtensions(r, 'EE', 0, 0xffff) };
}

function readCertificateRequest(r: Reader): CertificateRequest {
  const context = r.vec(1, 'certificate_request_context', 0, 0xff);
  return { kind: 'certificate_request', context, extensions: readExtensions(r, 'CR', 2, 0xffff) };
}

function readCertificate(r: Reader): Certificate {
  const context = r.vec(1, 'certificate_request_context', 0, 0xff);
  const outer = r.open(3, 'certificate_list', 0, 0xffffff);
  const entries = r.list(
    (e): CertificateEntry => ({ data: e.vec(3, 'cert_data', 1, 0xffffff), extensions: readExtensions(e, 'CT', 0, 0xffff) }),
  );
  r.close(outer);
  return { kind: 'certificate', context, entries };
}

function readCertificateVerify(r: Reader): CertificateVerify {
  const scheme = r.u16('algorithm', signatureSchemeName);
  return { kind: 'certificate_verify', scheme, signature: r.vec(2, 'signature', 0, 0xffff) };
}

function readFinished(r: Reader): Finished {
  return { kind: 'finished', verifyData: r.rest('verify_data') };
}

function readNewSessionTicket(r: Reader): NewSessionTicket {
  const lifetime = r.u32('ticket_lifetime');
  const ageAdd = r.u32('ticket_age_add');
  const nonce = r.vec(1, 'ticket_nonce', 0, 0xff);
  const ticket = r.vec(2, 'ticket', 1, 0xffff);
  return { kind: 'new_session_ticket', lifetime, ageAdd, nonce, ticket, extensions: readExtensions(r, 'NST', 0, 0xfffe) };
}

function readKeyUpdate(r: Reader): KeyUpdate {
  const requestUpdate = r.u8('request_update', keyUpdateRequestName);
  // §4.6.3: "If an implementation receives any other value, it MUST terminate the connection with an "illegal_parameter" alert."
  if (requestUpdate > 1) r.refuse(new TlsError('illegal_parameter', `KeyUpdate request_update ${requestUpdate}`));
  return { kind: 'key_update', requestUpdate };
}

function readCompressedCertificate(r: Reader): CompressedCertificate {
  const algorithm = r.u16('algorithm', certificateCompressionAlgorithmName);
  const uncompressedLength = r.u24('uncompressed_length');
  return { kind: 'compressed_certificate', algorithm, uncompressedLength, compressed: r.vec(3, 'compressed_certificate_message', 1, 0xffffff) };
}

function readMessageHash(r: Reader): MessageHash {
  return { kind: 'message_hash', hash: r.rest('hash') };
}

const READERS: Record<HandshakeKind, (r: Reader) => HandshakeMessage> = {
  client_hello: readClientHello,
  server_hello: (r) => readServerHello(r, 'SH'),
  hello_retry_request: (r) => readServerHello(r, 'HRR'),
  encrypted_extensions: readEncryptedExtensions,
  certificate_request: readCertificateRequest,
  certificate: readCertificate,
  certificate_verify: readCertificateVerify,
  finished: readFinished,
  new_session_ticket: readNewSessionTicket,
  end_of_early_data: () => ({ kind: 'end_of_early_data' }),
  key_update: readKeyUpdate,
  compressed_certificate: readCompressedCertificate,
  message_hash: readMessageHash,
};

function isHelloRetryRequest(body: Uint8Array): boolean {
  return body.length >= 34 && equalBytes(body.subarray(2, 34), HELLO_RETRY_REQUEST_RANDOM);
}

function kindOf(msgType: number, body: Uint8Array): HandshakeKind {
  if (msgType === HandshakeType.server_hello && isHelloRetryRequest(body)) return 'hello_retry_request';
  const name = handshakeTypeName(msgType);
  if (!Object.hasOwn(READERS, name)) throw new TlsError('unexpected_message', `unknown handshake message type ${msgType}`);
  return name as HandshakeKind;
}

/** Cites the message's section on the spans of its top-level fields (paths like `client_hello.random`). */
function citeTopLevelFields(spans: SpanSink, from: number, kind: HandshakeKind): void {
  const prefix = `${kind}.`;
  for (let i = from; i < spans.length; i++) {
    const span = spans[i]!;
    if (span.path.startsWith(prefix) && !/[.[]/.test(span.path.slice(prefix.length))) span.rfc ??= RFC_SECTION[kind];
  }
}

/**
 * Decodes one handshake message body (without its header). Offsets in `spans` are relative to `body`.
 * Unknown msg_type is unexpected_message; a length rule broken or a byte left over is decode_error, found
 * before any fault of meaning (illegal_parameter, ...) in the same message (RFC 8446 §6.2; Reader.refuse).
 */
export function decodeHandshakeBody(msgType: number, body: Uint8Array, spans?: SpanSink): HandshakeMessage {
  const kind = kindOf(msgType, body);
  const first = spans?.length ?? 0;
  const message = decodeWhole(body, READERS[kind], spans, kind);
  if (spans) citeTopLevelFields(spans, first, kind);
  return message;
}

/** Decodes a complete handshake message (header and body); span offsets are relative to `message`. */
export function decodeHandshake(message: Uint8Array, spans?: SpanSink): HandshakeMessage {
  const header = new Reader(message, 0, message.length, spans, 'handshake');
  const msgType = header.u8('msg_type', handshakeTypeName, 'RFC 8446 §4');
  const length = header.u24('length');
  if (length !== header.remaining) {
    throw new TlsError('decode_error', `handshake length ${length} but ${header.remaining} bytes follow the header`);
  }
  const first = spans?.length ?? 0;
  const decoded = decodeHandshakeBody(msgType, message.subarray(4), spans);
  if (spans) for (let i = first; i < spans.length; i++) spans[i]!.offset += 4;
  return decoded;
}

// ---- Encoding ----

/** The 4-byte header: msg_type, uint24 length (§4). */
export function encodeHandshakeHeader(msgType: number, length: number): Uint8Array {
  return encode((w) => w.u8(msgType).u24(length), 4);
}

/** The msg_type of a message on the wire; a HelloRetryRequest is a server_hello (§4.1.4). */
export function handshakeType(msg: HandshakeMessage): number {
  return msg.kind === 'hello_retry_request' ? HandshakeType.server_hello : HandshakeType[msg.kind];
}

function writeBody(w: Writer, msg: HandshakeMessage): void {
  switch (msg.kind) {
    case 'client_hello':
      w.u16(msg.legacyVersion).raw(msg.random).vec(1, msg.legacySessionId);
      writeU16Vector(w, 2, msg.cipherSuites);
      w.vec(1, msg.legacyCompressionMethods);
      if (msg.extensions.length > 0) writeExtensions(w, msg.extensions);
      return;
    case 'server_hello':
    case 'hello_retry_request':
      w.u16(msg.legacyVersion);
      w.raw(msg.kind === 'server_hello' ? msg.random : HELLO_RETRY_REQUEST_RANDOM);
      w.vec(1, msg.legacySessionIdEcho).u16(msg.cipherSuite).u8(msg.legacyCompressionMethod);
      if (msg.extensions.length > 0) writeExtensions(w, msg.extensions);
      return;
    case 'encrypted_extensions':
      writeExtensions(w, msg.extensions);
      return;
    case 'certificate_request':
      w.vec(1, msg.context);
      writeExtensions(w, msg.extensions);
      return;
    case 'certificate':
      w.vec(1, msg.context);
      {
        const list = w.startVector(3);
        for (const entry of msg.entries) {
          w.vec(3, entry.data);
          writeExtensions(w, entry.extensions);
        }
        w.endVector(list, 3);
      }
      return;
    case 'certificate_verify':
      w.u16(msg.scheme).vec(2, msg.signature);
      return;
    case 'finished':
      w.raw(msg.verifyData);
      return;
    case 'new_session_ticket':
      w.u32(msg.lifetime).u32(msg.ageAdd).vec(1, msg.nonce).vec(2, msg.ticket);
      writeExtensions(w, msg.extensions);
      return;
    case 'end_of_early_data':
      return;
    case 'key_update':
      w.u8(msg.requestUpdate);
      return;
    case 'compressed_certificate':
      w.u16(msg.algorithm).u24(msg.uncompressedLength).vec(3, msg.compressed);
      return;
    case 'message_hash':
      w.raw(msg.hash);
      return;
    default: {
      const unreachable: never = msg;
      throw new Error(`unknown handshake message ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The full handshake message: msg_type, uint24 length, body. */
export function encodeHandshake(msg: HandshakeMessage): Uint8Array {
  return encodeValue(writeHandshake, msg);
}

/** A whole handshake message (header and body) written at the writer's end: for a buffer of several messages. */
export function writeHandshake(w: Writer, msg: HandshakeMessage): void {
  w.u8(handshakeType(msg));
  const body = w.startVector(3);
  writeBody(w, msg);
  w.endVector(body, 3);
}

/**
 * RFC 8446 §4.2.11.2: the PSK binders are computed over the ClientHello (with header) "up to and including the
 * PreSharedKeyExtension.identities field", i.e. without the binders vector that ends the message.
 * Returns a view into `encodedClientHello`.
 */
export function truncateClientHelloForBinders(encodedClientHello: Uint8Array): Uint8Array {
  const hello = decodeHandshake(encodedClientHello);
  const last = hello.kind === 'client_hello' ? hello.extensions.at(-1) : undefined;
  if (last?.type !== ExtensionType.pre_shared_key) throw new Error('not a ClientHello offering a pre_shared_key');
  return truncateBeforeBinders(encodedClientHello, bodyOf(preSharedKeyClientHello, last));
}

/**
 * The same truncation when the caller has the ClientHello's `offered` PSKs already decoded (its last extension,
 * as the decoder requires), so the whole ClientHello is not parsed again. Returns a view into `encodedClientHello`.
 */
export function truncateBeforeBinders(encodedClientHello: Uint8Array, offered: OfferedPsks): Uint8Array {
  return encodedClientHello.subarray(0, encodedClientHello.length - bindersLength(offered));
}
