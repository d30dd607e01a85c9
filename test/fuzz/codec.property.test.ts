// Property tests of the wire codecs (src/wire/messages.ts, extensions.ts) with fast-check: valid values
// round-trip, and arbitrary bytes either decode to something that re-encodes to the same bytes or fail
// with one of the alerts that decoder may raise (never TypeError, RangeError...). Seeded and bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDecoder, DECODED_KINDS, DECODER_ALERTS, MSG_TYPES, seedCorpus, UNKNOWN_TYPE_ALERTS } from '../../src/testing/fuzz/codec.js';
import { HandshakeType, HELLO_RETRY_REQUEST_RANDOM } from '../../src/wire/enums.js';
import { knownExtensionName } from '../../src/wire/extension-table.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import type { Extension, HandshakeMessage } from '../../src/wire/types.js';

const RUNS = { seed: 20260101, numRuns: 150 };

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** A name of 1..n bytes, each byte as one character (how the ALPN and SNI codecs map names). */
const name = (max: number) => bytes(1, max).map((b) => String.fromCharCode(...b));
/** A host name as SNI carries it (RFC 6066 §3): printable ASCII, 0x20..0x7e (control characters are decode_error). */
const asciiName = (max: number) => bytes(1, max).map((b) => String.fromCharCode(...b.map((x) => 0x20 + (x % 0x5f))));
const u16List = (min: number, max: number) => fc.array(u16, { minLength: min, maxLength: max });

/** Extensions the §4.2 table does not govern: carried raw, in any message. */
const unknownExtension: fc.Arbitrary<Extension> = fc
  .record({ type: u16, data: bytes(0, 20) })
  .filter((e) => knownExtensionName(e.type) === undefined);

/** A list of extensions with distinct types (RFC 8446 §4.2). */
const extensionList = (known: fc.Arbitrary<Extension>[] = [], min = 0) =>
  fc.array(fc.oneof(unknownExtension, ...known), { minLength: min, maxLength: 6 }).map((list) => {
    const seen = new Set<number>();
    return list.filter((e) => !seen.has(e.type) && seen.add(e.type));
  });

const extension = <T>(type: number, codec: X.BodyCodec<T>, value: fc.Arbitrary<T>) => value.map((v) => X.ext(type, codec.encode(v)));

/** Every extension body codec with an arbitrary of its valid values. */
const BODY_CODECS = {
  serverName: [X.serverName, fc.array(asciiName(30), { maxLength: 3 })],
  maxFragmentLength: [X.maxFragmentLength, fc.integer({ min: 1, max: 4 })],
  statusRequestClientHello: [X.statusRequestClientHello, fc.record({ responderIds: fc.array(bytes(1, 10), { maxLength: 3 }), requestExtensions: bytes(0, 10) })],
  statusRequestCertificate: [X.statusRequestCertificate, bytes(1, 40)],
  supportedGroups: [X.supportedGroups, u16List(1, 10)],
  signatureAlgorithms: [X.signatureAlgorithms, u16List(1, 10)],
  useSrtp: [X.useSrtp, fc.record({ profiles: u16List(1, 5), mki: bytes(0, 10) })],
  heartbeat: [X.heartbeat, fc.constantFrom(1, 2)],
  alpn: [X.alpn, fc.array(name(20), { minLength: 1, maxLength: 4 })],
  signedCertificateTimestamps: [X.signedCertificateTimestamps, fc.array(bytes(1, 20), { minLength: 1, maxLength: 3 })],
  clientCertificateTypeClientHello: [X.clientCertificateTypeClientHello, fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 })],
  clientCertificateTypeServerSide: [X.clientCertificateTypeServerSide, fc.integer({ min: 0, max: 255 })],
  serverCertificateTypeClientHello: [X.serverCertificateTypeClientHello, fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 })],
  serverCertificateTypeServerSide: [X.serverCertificateTypeServerSide, fc.integer({ min: 0, max: 255 })],
  padding: [X.padding, bytes(0, 300)],
  preSharedKeyClientHello: [
    X.preSharedKeyClientHello,
    fc.integer({ min: 1, max: 3 }).chain((n) =>
      fc.record({
        identities: fc.array(fc.record({ identity: bytes(1, 30), obfuscatedTicketAge: u32 }), { minLength: n, maxLength: n }),
        binders: fc.array(bytes(32, 48), { minLength: n, maxLength: n }),
      }),
    ),
  ],
  preSharedKeyServerHello: [X.preSharedKeyServerHello, u16],
  earlyDataNewSessionTicket: [X.earlyDataNewSessionTicket, u32],
  pskKeyExchangeModes: [X.pskKeyExchangeModes, fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 3 })],
  cookie: [X.cookie, bytes(1, 40)],
  supportedVersionsClientHello: [X.supportedVersionsClientHello, u16List(1, 6)],
  supportedVersionsServerHello: [X.supportedVersionsServerHello, u16],
  certificateAuthorities: [X.certificateAuthorities, fc.array(bytes(1, 30), { minLength: 1, maxLength: 3 })],
  oidFilters: [X.oidFilters, fc.array(fc.record({ oid: bytes(1, 10), values: bytes(0, 10) }), { maxLength: 3 })],
  keyShareClientHello: [
    X.keyShareClientHello,
    fc.uniqueArray(fc.record({ group: u16, keyExchange: bytes(1, 40) }), { selector: (e) => e.group, maxLength: 3 }),
  ],
  keyShareServerHello: [X.keyShareServerHello, fc.record({ group: u16, keyExchange: bytes(1, 40) })],
  keyShareHelloRetryRequest: [X.keyShareHelloRetryRequest, u16],
  recordSizeLimit: [X.recordSizeLimit, fc.integer({ min: 64, max: 0xffff })],
} as const satisfies Record<string, readonly [X.BodyCodec<any>, fc.Arbitrary<any>]>;

const random32 = bytes(32, 32).filter((r) => !r.every((b, i) => b === HELLO_RETRY_REQUEST_RANDOM[i]));
const T = X; // short alias for extension type lookups below
const chKnown = [
  extension(43, T.supportedVersionsClientHello, u16List(1, 4)),
  extension(51, T.keyShareClientHello, BODY_CODECS.keyShareClientHello[1]),
  extension(13, T.signatureAlgorithms, u16List(1, 6)),
  extension(16, T.alpn, BODY_CODECS.alpn[1]),
];

/** One arbitrary per handshake message kind, of values that obey every rule the decoder checks. */
const MESSAGES: Record<HandshakeMessage['kind'], fc.Arbitrary<HandshakeMessage>> = {
  client_hello: fc.record({
    kind: fc.constant('client_hello' as const),
    legacyVersion: u16,
    random: random32,
    legacySessionId: bytes(0, 32),
    cipherSuites: u16List(1, 8),
    legacyCompressionMethods: bytes(1, 3),
    // A ClientHello's extension block holds at least 8 bytes (§4.1.2): at least two extensions.
    extensions: extensionList(chKnown, 2).filter((l) => l.reduce((n, e) => n + 4 + e.data.length, 0) >= 8),
  }),
  server_hello: fc.record({
    kind: fc.constant('server_hello' as const),
    legacyVersion: u16,
    random: random32,
    legacySessionIdEcho: bytes(0, 32),
    cipherSuite: u16,
    legacyCompressionMethod: fc.integer({ min: 0, max: 255 }),
    extensions: extensionList([extension(43, T.supportedVersionsServerHello, u16)], 2).filter((l) => l.reduce((n, e) => n + 4 + e.data.length, 0) >= 6),
  }),
  hello_retry_request: fc.record({
    kind: fc.constant('hello_retry_request' as const),
    legacyVersion: u16,
    legacySessionIdEcho: bytes(0, 32),
    cipherSuite: u16,
    legacyCompressionMethod: fc.integer({ min: 0, max: 255 }),
    extensions: extensionList([extension(51, T.keyShareHelloRetryRequest, u16), extension(44, T.cookie, bytes(1, 20))], 2).filter(
      (l) => l.reduce((n, e) => n + 4 + e.data.length, 0) >= 6,
    ),
  }),
  encrypted_extensions: fc.record({ kind: fc.constant('encrypted_extensions' as const), extensions: extensionList([extension(16, T.alpn, fc.tuple(name(10)).map((n) => n))]) }),
  certificate_request: fc.record({
    kind: fc.constant('certificate_request' as const),
    context: bytes(0, 10),
    // The extension block of a CertificateRequest is <2..2^16-1> (§4.3.2): at least one extension.
    extensions: extensionList([extension(13, T.signatureAlgorithms, u16List(1, 5))], 1),
  }),
  certificate: fc.record({
    kind: fc.constant('certificate' as const),
    context: bytes(0, 10),
    entries: fc.array(fc.record({ data: bytes(1, 60), extensions: extensionList() }), { maxLength: 3 }),
  }),
  certificate_verify: fc.record({ kind: fc.constant('certificate_verify' as const), scheme: u16, signature: bytes(0, 80) }),
  finished: fc.record({ kind: fc.constant('finished' as const), verifyData: bytes(0, 64) }),
  new_session_ticket: fc.record({
    kind: fc.constant('new_session_ticket' as const),
    lifetime: u32,
    ageAdd: u32,
    nonce: bytes(0, 8),
    ticket: bytes(1, 60),
    extensions: extensionList([extension(42, T.earlyDataNewSessionTicket, u32)]),
  }),
  end_of_early_data: fc.constant({ kind: 'end_of_early_data' as const }),
  key_update: fc.record({ kind: fc.constant('key_update' as const), requestUpdate: fc.constantFrom(0, 1) }),
  compressed_certificate: fc.record({
    kind: fc.constant('compressed_certificate' as const),
    algorithm: u16,
    uncompressedLength: fc.integer({ min: 0, max: 0xffffff }),
    compressed: bytes(1, 64),
  }),
  message_hash: fc.record({ kind: fc.constant('message_hash' as const), hash: bytes(32, 48) }),
};

describe('handshake message codecs (RFC 8446 §4)', () => {
  for (const [kind, arbitrary] of Object.entries(MESSAGES)) {
    it(`decodes every valid ${kind} to the value that was encoded`, () => {
      fc.assert(
        fc.property(arbitrary, (message) => {
          expect(decodeHandshake(encodeHandshake(message))).toEqual(message);
        }),
        RUNS,
      );
    });
  }

  for (const kind of DECODED_KINDS) {
    it(`decodes arbitrary ${kind} bodies to re-encodable values or fails only with ${DECODER_ALERTS[kind].join(' / ') || 'nothing'}`, () => {
      const seeds = seedCorpus().get(MSG_TYPES[kind]) ?? [];
      // Random bytes, and real bodies with random bytes spliced in (to get past the first length checks).
      const body = fc.oneof(
        bytes(0, 80),
        ...(seeds.length > 0
          ? [fc.tuple(fc.constantFrom(...seeds), fc.nat(), bytes(0, 6), fc.nat(8)).map(([s, at, b, del]) => {
              const i = at % (s.length + 1);
              return Uint8Array.from([...s.subarray(0, i), ...b, ...s.subarray(i + del)]);
            })]
          : []),
      );
      fc.assert(fc.property(body, (b) => void checkDecoder(MSG_TYPES[kind], b, DECODER_ALERTS[kind])), RUNS);
    });
  }

  it('rejects every msg_type no message has with unexpected_message, whatever the body', () => {
    const unknown = fc.integer({ min: 0, max: 255 }).filter((t) => !Object.values(HandshakeType).includes(t as never));
    fc.assert(fc.property(unknown, bytes(0, 20), (t, b) => {
      expect(checkDecoder(t, b, UNKNOWN_TYPE_ALERTS)).toBe('rejected unexpected_message');
    }), RUNS);
  });
});

describe('extension body codecs (RFC 8446 §4.2 and the RFCs it names)', () => {
  for (const [codecName, [codec, arbitrary]] of Object.entries(BODY_CODECS)) {
    it(`parses every valid ${codecName} body to the value that was encoded`, () => {
      fc.assert(fc.property(arbitrary as fc.Arbitrary<unknown>, (value) => {
        const c = codec as X.BodyCodec<unknown>;
        expect(c.parse(c.encode(value))).toEqual(value);
      }), RUNS);
    });

    it(`parses arbitrary ${codecName} bodies to re-encodable values or fails with decode_error / illegal_parameter`, () => {
      const c = codec as X.BodyCodec<unknown>;
      fc.assert(
        fc.property(bytes(0, 40), (b) => {
          let value: unknown;
          try {
            value = c.parse(b);
          } catch (e) {
            expect(e).toHaveProperty('name', 'TlsError');
            expect(['decode_error', 'illegal_parameter']).toContain((e as { alert: string }).alert);
            return;
          }
          expect(c.encode(value)).toEqual(b);
        }),
        RUNS,
      );
    });
  }
});
