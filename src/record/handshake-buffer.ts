// Handshake message reassembly (RFC 8446 §4, §5.1): handshake messages may be coalesced into one
// record or fragmented across several; this turns record contents back into whole messages.
import { HandshakeType, handshakeTypeName } from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import { ByteQueue } from './byte-queue.js';

/** Handshake header: msg_type (1 byte) and a 24-bit length (RFC 8446 §4). */
export const HANDSHAKE_HEADER_LENGTH = 4;

/**
 * Default cap on a handshake message body. The protocol allows 2^24 - 1 bytes, but memory must stay
 * bounded; 64 KiB holds any certificate chain we expect (rustls has the same limit). A longer message is
 * refused from its 4-byte header, before its body is buffered, with TlsError('HandshakeMessageTooLong'):
 * illegal_parameter, because the fault is the length field the peer sent (RFC 8446 §6.2: internal_error is
 * for errors "unrelated to the peer"); OpenSSL and BoringSSL answer an excessive message size the same way.
 */
export const DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH = 64 * 1024;

/**
 * The longest ClientHello body its syntax allows (RFC 8446 §4.1.2): legacy_version 2, random 32,
 * legacy_session_id 1 + 32, cipher_suites 2 + (2^16 - 2), legacy_compression_methods 1 + (2^8 - 1),
 * extensions 2 + (2^16 - 1). A server reads a ClientHello up to this length rather than DEFAULT_MAX_...:
 * one whose extensions block is full (tlsfuzzer's test-tls13-signature-algorithms, 32,717 schemes) is
 * longer than 64 KiB. OpenSSL has the same bound (CLIENT_HELLO_MAX_LENGTH), NSS 128 KiB - 1.
 */
export const MAX_CLIENT_HELLO_LENGTH = 131396;

/**
 * The longest body the syntax of some message types allows: a header announcing more is decode_error at
 * once (RFC 8446 §6.2: "the length of the message was incorrect"), rather than the illegal_parameter of a
 * message that is merely longer than we buffer. tlsfuzzer's test-tls13-finished pads a Finished to 2^24 - 1
 * bytes and expects decode_error, as for a Finished one byte too long.
 */
const LONGEST_BODY: ReadonlyMap<number, number> = new Map([
  [HandshakeType.client_hello, MAX_CLIENT_HELLO_LENGTH],
  [HandshakeType.end_of_early_data, 0], // §4.5: struct {} EndOfEarlyData
  [HandshakeType.key_update, 1], // §4.6.3: one KeyUpdateRequest byte
  [HandshakeType.finished, 48], // §4.4.4: Hash.length, 48 at most (SHA-384)
]);

export interface HandshakeMessage {
  kind: 'handshake';
  msgType: number;
  body: Uint8Array;
  /** Header and body: exactly the bytes that go into the transcript hash (RFC 8446 §4.4.1). */
  raw: Uint8Array;
}

export class HandshakeBuffer {
  private readonly queue = new ByteQueue();

  /**
   * `maxClientHelloLength` applies to msg_type client_hello (a server's; see MAX_CLIENT_HELLO_LENGTH).
   * `admit` sees each msg_type as soon as the header is in, before the length is judged: it throws for a
   * type the handshake does not take now (RecordLayerOptions.admitHandshake).
   */
  constructor(
    readonly maxMessageLength = DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH,
    readonly maxClientHelloLength = maxMessageLength,
    private readonly admit?: (msgType: number) => void,
  ) {}

  /** Adds the content of one handshake record. */
  push(content: Uint8Array): void {
    this.queue.push(content);
  }

  /** Copies what is still buffered of `input`: a plaintext record's content is a view of it (ByteQueue.own). */
  own(input: Uint8Array): void {
    this.queue.own(input);
  }

  /**
   * True when handshake bytes are buffered that did not yet come out of next(): a partial message, or
   * whole ones not yet taken. A key change at that moment means a message spans it (RFC 8446 §5.1).
   */
  hasPartialMessage(): boolean {
    return this.queue.length > 0;
  }

  /**
   * The next whole message, or undefined until more content arrives. A message that lies within one
   * record comes back as a view of that record; one spread over several records is copied once.
   */
  next(): HandshakeMessage | undefined {
    if (this.queue.length < HANDSHAKE_HEADER_LENGTH) return undefined;
    const msgType = this.queue.byteAt(0);
    const length = (this.queue.byteAt(1) << 16) | (this.queue.byteAt(2) << 8) | this.queue.byteAt(3);
    this.admit?.(msgType);
    const longest = LONGEST_BODY.get(msgType);
    if (longest !== undefined && length > longest) {
      throw new TlsError('DecodeError', `${handshakeTypeName(msgType)} message of ${length} bytes, longer than its syntax allows (${longest})`);
    }
    const limit = msgType === HandshakeType.client_hello ? this.maxClientHelloLength : this.maxMessageLength;
    if (length > limit) {
      throw new TlsError('HandshakeMessageTooLong', `${handshakeTypeName(msgType)} message of ${length} bytes exceeds our limit of ${limit}`);
    }
    if (this.queue.length < HANDSHAKE_HEADER_LENGTH + length) return undefined;
    const raw = this.queue.take(HANDSHAKE_HEADER_LENGTH + length);
    return { kind: 'handshake', msgType, body: raw.subarray(HANDSHAKE_HEADER_LENGTH), raw };
  }
}
