// Bad ClientHellos, made by hand and fed to a server: each gets the RFC's alert on the wire and a closed
// connection (the checks of bad-input.test.ts, whose harness is abort-harness.ts).
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import { concat, hex, utf8 } from '../../src/wire/bytes.js';
import {
  alpnOffer,
  expectAbort,
  EXT,
  ext,
  feedServer,
  handshakeMessage,
  helloWith,
  keyShare,
  p256Public,
  record,
  replacingExtension,
  serverConfig,
  shareEntry,
  u16,
  withoutExtension,
  x25519Public,
} from './abort-harness.js';

describe('server fed a hand-made ClientHello', () => {
  it('answers the well-formed baseline with a ServerHello (so each fault below is the only one)', () => {
    const { victim, output, events } = feedServer(record(0x16, helloWith(() => {})));
    expect(victim.state).not.toBe('CLOSED');
    expect(events.some((e) => e.type === 'alert')).toBe(false);
    expect(hex(output.subarray(0, 3))).toBe('160303');
    expect(output[5]).toBe(2); // server_hello
  });

  it('ignores an extension type it does not know, as RFC 8446 §4.2 requires', () => {
    const { victim, events } = feedServer(record(0x16, helloWith((h) => h.extensions.unshift(ext(EXT.grease, [])))));
    expect(victim.state).not.toBe('CLOSED');
    expect(events.some((e) => e.type === 'alert')).toBe(false);
  });

  it('sends decode_error for a message cut short inside its extensions', () => {
    const full = helloWith(() => {});
    const cut = handshakeMessage(1, full.subarray(4, full.length - 5));
    expectAbort(feedServer(record(0x16, cut)), 'decode_error', { plaintext: true });
  });

  it('sends decode_error for an extension whose length runs past the extension block', () => {
    const message = helloWith(() => {});
    // key_share is last: its 2-byte length sits just before its 36 bytes of data.
    const at = message.length - 36 - 2;
    expect(message[at + 1]).toBe(36);
    message[at + 1] = 37;
    expectAbort(feedServer(record(0x16, message)), 'decode_error', { plaintext: true });
  });

  it('sends decode_error for bytes left over after the extensions', () => {
    const full = helloWith(() => {});
    const padded = handshakeMessage(1, concat(full.subarray(4), Uint8Array.of(0, 0)));
    expectAbort(feedServer(record(0x16, padded)), 'decode_error', { plaintext: true });
  });

  it('sends illegal_parameter for the same extension twice (RFC 8446 §4.2)', () => {
    const hello = helloWith((h) => h.extensions.splice(1, 0, ext(EXT.supported_groups, [0, 2, 0x00, 0x1d])));
    expectAbort(feedServer(record(0x16, hello)), 'illegal_parameter', { plaintext: true }, 'DuplicateExtension');
  });

  it('sends illegal_parameter for oid_filters, which the §4.2 table allows only in CertificateRequest', () => {
    const hello = helloWith((h) => h.extensions.unshift(ext(EXT.oid_filters, [0, 0])));
    expectAbort(feedServer(record(0x16, hello)), 'illegal_parameter', { plaintext: true }, 'ExtensionNotAllowedHere');
  });

  it('sends protocol_version to a client without supported_versions (RFC 8446 §4.2.1)', () => {
    const hello = helloWith(withoutExtension(EXT.supported_versions));
    expectAbort(feedServer(record(0x16, hello)), 'protocol_version', { plaintext: true });
  });

  it('sends protocol_version when supported_versions lacks 0x0304', () => {
    const hello = helloWith(replacingExtension(ext(EXT.supported_versions, [4, 0x03, 0x03, 0x03, 0x02])));
    expectAbort(feedServer(record(0x16, hello)), 'protocol_version', { plaintext: true });
  });

  it('sends handshake_failure when no offered cipher suite is one it implements', () => {
    const hello = helloWith((h) => (h.cipherSuites = [0x1304, 0x1305, 0x00ff]));
    expectAbort(feedServer(record(0x16, hello)), 'handshake_failure', { plaintext: true });
  });

  it('sends missing_extension for a certificate handshake without signature_algorithms (RFC 8446 §9.2)', () => {
    const hello = helloWith(withoutExtension(EXT.signature_algorithms));
    expectAbort(feedServer(record(0x16, hello)), 'missing_extension', { plaintext: true });
  });

  it('sends illegal_parameter for a key share whose group is not in supported_groups (RFC 8446 §4.2.8)', () => {
    const hello = helloWith(replacingExtension(ext(EXT.supported_groups, [0, 2, 0x00, 0x17])));
    expectAbort(feedServer(record(0x16, hello)), 'illegal_parameter', { plaintext: true });
  });

  it.each([[[1]], [[0, 1]], [[]]])('sends illegal_parameter for legacy_compression_methods %j (RFC 8446 §4.1.2)', (methods) => {
    const hello = helloWith((h) => (h.legacyCompressionMethods = Uint8Array.from(methods)));
    // An empty vector breaks the <1..2^8-1> bound of the structure itself: decode_error.
    expectAbort(feedServer(record(0x16, hello)), methods.length === 0 ? 'decode_error' : 'illegal_parameter', { plaintext: true });
  });

  it('sends record_overflow for a record longer than 2^14 bytes (RFC 8446 §5.1)', () => {
    const hello = helloWith(() => {});
    const oversized = concat(hello, new Uint8Array(2 ** 14 + 1 - hello.length));
    expectAbort(feedServer(record(0x16, oversized)), 'record_overflow', { plaintext: true });
  });

  it('sends unexpected_message when the first record is application data', () => {
    expectAbort(feedServer(record(0x17, utf8.encode('GET / HTTP/1.1\r\n'))), 'unexpected_message', { plaintext: true });
  });

  it('sends unexpected_message when the first handshake message is not a ClientHello', () => {
    expectAbort(feedServer(record(0x16, handshakeMessage(20, new Uint8Array(32)))), 'unexpected_message', { plaintext: true });
  });

  it('sends unexpected_message for a ChangeCipherSpec before the ClientHello (RFC 8446 §5)', () => {
    expectAbort(feedServer(record(0x14, Uint8Array.of(1))), 'unexpected_message', { plaintext: true }, 'UnexpectedChangeCipherSpec');
  });

  it('sends unexpected_message for a record of an unknown content type (RFC 8446 §5)', () => {
    expectAbort(feedServer(record(0x18, Uint8Array.of(1, 0, 0))), 'unexpected_message', { plaintext: true });
  });

  it('sends unexpected_message for an alert between the fragments of a ClientHello (RFC 8446 §5.1)', () => {
    const hello = helloWith(() => {});
    const bytes = concat(record(0x16, hello.subarray(0, 40)), record(0x15, Uint8Array.of(1, 0)), record(0x16, hello.subarray(40)));
    expectAbort(feedServer(bytes), 'unexpected_message', { plaintext: true });
  });

  it('sends unexpected_message for an unknown handshake message type', () => {
    expectAbort(feedServer(record(0x16, handshakeMessage(99, new Uint8Array(8)))), 'unexpected_message', { plaintext: true });
  });

  it('sends illegal_parameter for two key shares of the same group (RFC 8446 §4.2.8)', () => {
    const a = x25519Public();
    const b = x25519Public();
    const twice = ext(EXT.key_share, [...u16(2 * 36), ...shareEntry(0x001d, a), ...shareEntry(0x001d, b)]);
    expectAbort(feedServer(record(0x16, helloWith(replacingExtension(twice)))), 'illegal_parameter', { plaintext: true });
  });

  it('sends illegal_parameter for a pre_shared_key that is not the last extension (RFC 8446 §4.2.11)', () => {
    // OfferedPsks: one identity (1 byte, age 0) and one 32-byte binder.
    const psk = ext(EXT.pre_shared_key, [0, 7, 0, 1, 0xaa, 0, 0, 0, 0, 0, 33, 32, ...new Uint8Array(32)]);
    const hello = helloWith((h) => h.extensions.unshift(psk, ext(45, [1, 1])));
    expectAbort(feedServer(record(0x16, hello)), 'illegal_parameter', { plaintext: true });
  });

  it('sends illegal_parameter for an all-zero X25519 public value (RFC 8446 §7.4.2)', () => {
    const hello = helloWith(replacingExtension(keyShare(0x001d, new Uint8Array(32))));
    expectAbort(feedServer(record(0x16, hello)), 'illegal_parameter', { plaintext: true });
  });

  it('sends illegal_parameter for an X25519 public value of the wrong length', () => {
    const hello = helloWith(replacingExtension(keyShare(0x001d, x25519Public().subarray(0, 31))));
    expectAbort(feedServer(record(0x16, hello)), 'illegal_parameter', { plaintext: true });
  });

  it('sends illegal_parameter for a P-256 key share that is not on the curve', () => {
    const point = p256Public();
    point[64]! ^= 1;
    const hello = helloWith((h) => {
      replacingExtension(ext(EXT.supported_groups, [0, 2, 0x00, 0x17]))(h);
      replacingExtension(keyShare(0x0017, point))(h);
    });
    expectAbort(feedServer(record(0x16, hello), { groups: [0x0017] }), 'illegal_parameter', { plaintext: true });
  });

  it('sends no_application_protocol when the offered ALPN protocols do not overlap ours (RFC 7301 §3.2)', () => {
    const hello = helloWith((h) => h.extensions.unshift(alpnOffer('http/1.1', 'spdy/3')));
    expectAbort(feedServer(record(0x16, hello), { alpnProtocols: ['h2'] }), 'no_application_protocol', { plaintext: true });
  });

  it('sends decode_error for an empty protocol name in ALPN (RFC 7301 §3.1)', () => {
    const hello = helloWith((h) => h.extensions.unshift(ext(EXT.alpn, [0, 4, 0, 2, 0x68, 0x32])));
    expectAbort(feedServer(record(0x16, hello), { alpnProtocols: ['h2'] }), 'decode_error', { plaintext: true });
  });

  it('sends handshake_failure when no offered signature scheme fits its key (RFC 8446 §4.1.1)', () => {
    // rsa_pss_rsae_sha256 and ecdsa_secp256r1_sha256 offered; the server holds an Ed25519 key.
    const hello = helloWith(replacingExtension(ext(EXT.signature_algorithms, [0, 4, 0x08, 0x04, 0x04, 0x03])));
    expectAbort(feedServer(record(0x16, hello)), 'handshake_failure', { plaintext: true });
  });

  it('sends handshake_failure when no offered group is one it implements (RFC 8446 §4.1.1)', () => {
    // MLKEM512 (draft-ietf-tls-mlkem): a real group, with an encapsulation key of its size, that we do not implement.
    const mlkem512 = 0x0200;
    const hello = helloWith((h) => {
      replacingExtension(ext(EXT.supported_groups, [0, 2, ...u16(mlkem512)]))(h);
      replacingExtension(keyShare(mlkem512, new Uint8Array(800).fill(2)))(h);
    });
    expectAbort(feedServer(record(0x16, hello)), 'handshake_failure', { plaintext: true });
  });

  it('reaches the same verdict when the bad ClientHello arrives one byte at a time', () => {
    const victim = Connection.server(serverConfig());
    const bytes = record(0x16, helloWith(withoutExtension(EXT.signature_algorithms)));
    for (const byte of bytes) victim.receive(Uint8Array.of(byte));
    expectAbort({ victim, events: victim.takeEvents(), output: victim.takeOutput() }, 'missing_extension', { plaintext: true });
  });
});
