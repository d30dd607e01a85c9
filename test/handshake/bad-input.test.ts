// Every bad input gets the RFC's alert on the wire and a closed connection. For each fault we check the
// alert the victim reported (its `alert` event, direction 'out'), the bytes it put on the wire (a plaintext
// alert record byte for byte, or one protected record that its peer decrypts to the same alert), that it is
// CLOSED, and that it stays silent and calm when more bytes arrive.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair, type Flight } from '../../src/handshake/pair.js';
import { DAY, makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import {
  announcedSecret,
  editProtectedHandshake,
  editProtectedRecords,
  editServerHello,
  flipBit,
  joinRecords,
  splitHandshakeMessages,
  splitRecords,
  suiteNamed,
  type HandshakeEdit,
  type TrafficSecret,
} from '../../src/testing/tamper.js';
import { concat, hex, utf8 } from '../../src/wire/bytes.js';
import { TlsError } from '../../src/wire/errors.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { ClientHello, Extension } from '../../src/wire/types.js';

// ---- Expectations ----

/** Alert descriptions as RFC 8446 §6 (and §B.2) numbers them. */
const ALERT = {
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  internal_error: 80,
  missing_extension: 109,
  unsupported_extension: 110,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;
type AlertName = keyof typeof ALERT;

interface Abort {
  victim: Connection;
  /** The victim's events (they may start before the bad input arrived). */
  events: TlsEvent[];
  /** What the victim put on the wire after the bad input. */
  output: Uint8Array;
}

/**
 * How the alert travels: in a plaintext record (no write keys yet), or protected, in which case the peer
 * must decrypt it and report it as received. 'either' is for faults found while installing keys computed
 * in the same step, where the RFC leaves open whether the new write keys are already in use.
 */
type Wire = { plaintext: true } | { protectedFor: Connection; afterServerHello?: true } | { either: true };

function expectAbort({ victim, events, output }: Abort, alert: AlertName, wire: Wire, reason?: string): void {
  const sent = events.filter((e) => e.type === 'alert' && e.direction === 'out');
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ level: 'fatal', description: alert, ...(reason ? { reason } : {}) });
  expect(events.filter((e) => e.type === 'closed')).toEqual([expect.objectContaining({ by: 'us' })]);

  const plaintextAlert = hex(Uint8Array.of(0x15, 0x03, 0x03, 0x00, 0x02, 0x02, ALERT[alert]));
  if ('plaintext' in wire || ('either' in wire && output[0] === 0x15)) {
    expect(hex(output)).toBe(plaintextAlert);
  } else {
    // One TLSCiphertext (RFC 8446 §5.2): opaque_type 23, 0x0303, 2 alert bytes + 1 type byte + 16-byte tag.
    const alertAt = output.length - (5 + 19);
    expect(hex(output.subarray(alertAt, alertAt + 5))).toBe('1703030013');
    if ('afterServerHello' in wire) {
      // A server that found the fault only when installing its handshake keys has already sent its
      // ServerHello (and the compatibility ChangeCipherSpec); the peer needs them to read the alert.
      const before = splitRecords(output.subarray(0, alertAt));
      expect(before.map((r) => r.type)).toEqual([0x16, 0x14]);
      expect(before[0]!.fragment[0]).toBe(2);
    } else {
      expect(alertAt).toBe(0);
    }
    if ('protectedFor' in wire) {
      const peer = wire.protectedFor;
      peer.takeEvents();
      peer.receive(output);
      expect(peer.takeEvents().filter((e) => e.type === 'alert')).toEqual([
        { type: 'alert', direction: 'in', level: 'fatal', description: alert },
      ]);
      expect(peer.state).toBe('CLOSED');
    }
  }
  expectClosedForGood(victim);
}

/** CLOSED, and more input (a valid-looking record, then garbage) changes nothing and throws nothing. */
function expectClosedForGood(victim: Connection): void {
  expect(victim.state).toBe('CLOSED');
  expect(victim.isClosed).toBe(true);
  victim.takeEvents();
  expect(() => {
    victim.receive(Uint8Array.of(0x16, 0x03, 0x03, 0x00, 0x04, 0x14, 0x00, 0x00, 0x00));
    victim.receive(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
  }).not.toThrow();
  expect(victim.takeOutput()).toHaveLength(0);
  expect(victim.takeEvents()).toEqual([]);
  expect(victim.state).toBe('CLOSED');
}

// ---- Identities ----

const rnd = seededRandom('bad-input identities');
const ca = makeIdentity({ subject: { CN: 'Test CA' }, isCA: true, keyUsage: ['keyCertSign'] }, rnd);
const otherCa = makeIdentity({ subject: { CN: 'Other CA' }, isCA: true, keyUsage: ['keyCertSign'] }, rnd);
const serverLeaf = (extra: Parameters<typeof makeIdentity>[0] = {}) =>
  makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['example.test'] }, extKeyUsage: ['serverAuth'], ...extra }, rnd);
const server = serverLeaf();
const expiredServer = serverLeaf({ notBefore: TEST_NOW - 60 * DAY, notAfter: TEST_NOW - DAY });
const impostor = makeIdentity({ subject: { CN: 'impostor' } }, rnd);
const alice = makeIdentity({ subject: { CN: 'alice' } }, rnd);
const mallory = makeIdentity({ subject: { CN: 'mallory' } }, rnd);

/** A client identity whose Ed25519 key node:crypto made, so node can sign with it too. */
const nodeClient = (() => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const identity = makeIdentity({ subject: { CN: 'node client' }, privateKey: loadPrivateKey(new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }))) }, rnd);
  return { identity, privateKey };
})();

const pinned = (...ids: Identity[]) => ({ kind: 'pinned-certificate' as const, certificates: ids.map((i) => i.der) });

function clientConfig(extra: Partial<ClientConfig> = {}): ClientConfig {
  return { trust: pinned(server), serverName: 'example.test', now: () => TEST_NOW, random: seededRandom('client'), ...extra };
}

function serverConfig(extra: Partial<ServerConfig> = {}): ServerConfig {
  return { certificate: server, now: () => TEST_NOW, random: seededRandom('server'), ...extra };
}

// ---- Server side: hand-made ClientHellos ----

/** Extension code points (RFC 8446 §4.2, RFC 7301, RFC 8701). */
const EXT = {
  supported_groups: 10,
  signature_algorithms: 13,
  alpn: 16,
  pre_shared_key: 41,
  supported_versions: 43,
  oid_filters: 48,
  signature_algorithms_cert: 50,
  key_share: 51,
  grease: 0x3a3a,
} as const;

/** An X25519 public value made by node:crypto. */
function x25519Public(): Uint8Array {
  const jwk = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
}

/** The public value of a P-256 key made by node:crypto, uncompressed (RFC 8446 §4.2.8.2). */
function p256Public(): Uint8Array {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'jwk' });
  return concat(Uint8Array.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url'));
}

const u16 = (n: number) => [n >> 8, n & 0xff];
const ext = (type: number, body: ArrayLike<number>): Extension => ({ type, data: Uint8Array.from(body) });
/** KeyShareEntry (RFC 8446 §4.2.8): group, then the public value with a 2-byte length. */
const shareEntry = (group: number, key: Uint8Array) => [...u16(group), ...u16(key.length), ...key];
/** key_share of a ClientHello: a list of entries; of a ServerHello: one entry. */
const keyShare = (group: number, key: Uint8Array) => ext(EXT.key_share, [...u16(key.length + 4), ...shareEntry(group, key)]);
const serverKeyShare = (group: number, key: Uint8Array) => ext(EXT.key_share, shareEntry(group, key));
const alpnOffer = (...ids: string[]) => {
  const list = ids.flatMap((id) => [id.length, ...utf8.encode(id)]);
  return ext(EXT.alpn, [...u16(list.length), ...list]);
};

/** A minimal valid TLS 1.3 ClientHello: TLS_AES_128_GCM_SHA256, X25519, Ed25519; key_share last. */
function baseHello(): ClientHello {
  return {
    kind: 'client_hello',
    legacyVersion: 0x0303,
    random: new Uint8Array(32).fill(7),
    legacySessionId: new Uint8Array(0),
    cipherSuites: [0x1301],
    legacyCompressionMethods: Uint8Array.of(0),
    extensions: [
      ext(EXT.supported_versions, [2, 0x03, 0x04]),
      ext(EXT.supported_groups, [0, 2, 0x00, 0x1d]),
      ext(EXT.signature_algorithms, [0, 2, 0x08, 0x07]),
      keyShare(0x001d, x25519Public()),
    ],
  };
}

function helloWith(edit: (hello: ClientHello) => void): Uint8Array {
  const hello = baseHello();
  edit(hello);
  return encodeHandshake(hello);
}

const withoutExtension = (type: number) => (h: ClientHello) => {
  h.extensions = h.extensions.filter((e) => e.type !== type);
};
const replacingExtension = (replacement: Extension) => (h: ClientHello) => {
  h.extensions = h.extensions.map((e) => (e.type === replacement.type ? replacement : e));
};

/** A record with a hand-written header (RFC 8446 §5.1). */
function record(type: number, fragment: Uint8Array, version = 0x0303): Uint8Array {
  return concat(Uint8Array.of(type, version >> 8, version & 0xff, ...u16(fragment.length)), fragment);
}

/** A handshake message with a header that states the body's real length (RFC 8446 §4). */
function handshakeMessage(msgType: number, body: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(msgType, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff), body);
}

function feedServer(bytes: Uint8Array, extra: Partial<ServerConfig> = {}): Abort {
  const victim = Connection.server(serverConfig(extra));
  victim.receive(bytes);
  return { victim, events: victim.takeEvents(), output: victim.takeOutput() };
}

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

// ---- Client and server in a pair, with flights tampered in between ----

type FlightEdit = (bytes: Uint8Array, pair: InMemoryPair) => Uint8Array | undefined;

/** A pair whose `n`-th flight (0-based) from `from` goes through `edit`. */
function tamperedPair(client: ClientConfig, srv: ServerConfig, from: Flight['from'], n: number, edit: FlightEdit, chunkSize?: number): InMemoryPair {
  let seen = 0;
  const holder: { pair?: InMemoryPair } = {};
  const pair = new InMemoryPair(client, srv, {
    tamper: (flight) => (flight.from === from && seen++ === n ? edit(flight.bytes, holder.pair!) : flight.bytes),
    ...(chunkSize ? { chunkSize } : {}),
  });
  holder.pair = pair;
  return pair;
}

/** Moves flights until one side closes; returns what that side did. */
function runUntilAbort(pair: InMemoryPair): Abort & { side: Flight['from']; peer: Connection } {
  for (let i = 0; i < 20; i++) {
    const moved = pair.step('client') || pair.step('server');
    for (const side of ['client', 'server'] as const) {
      const victim = side === 'client' ? pair.client : pair.server;
      if (victim.isClosed) {
        const peer = side === 'client' ? pair.server : pair.client;
        return { side, victim, peer, events: pair.events(side), output: victim.takeOutput() };
      }
    }
    if (!moved) break;
  }
  throw new Error('the handshake ended without an abort');
}

/** The client's abort when the server's first flight goes through `edit`. */
function clientAbort(edit: FlightEdit, client: Partial<ClientConfig> = {}, srv: Partial<ServerConfig> = {}) {
  const result = runUntilAbort(tamperedPair(clientConfig(client), serverConfig(srv), 'server', 0, edit));
  expect(result.side).toBe('client');
  return result;
}

/** The server's first flight edited at the ServerHello. */
const serverHelloEdit = (edit: Parameters<typeof editServerHello>[1]): FlightEdit => (bytes) => editServerHello(bytes, edit);

/** The handshake traffic secret `sender` protects its flight with, from its own `secret` events. */
function handshakeKeys(pair: InMemoryPair, sender: 'client' | 'server'): TrafficSecret {
  const name = sender === 'server' ? 'server_handshake_traffic_secret' : 'client_handshake_traffic_secret';
  return { suite: suiteNamed(pair.server.info.cipherSuite), secret: announcedSecret(pair.events(sender), name) };
}

/** An edit of the protected handshake messages of a flight from `sender`. */
const protectedEdit =
  (sender: 'client' | 'server', edit: HandshakeEdit): FlightEdit =>
  (bytes, pair) =>
    editProtectedHandshake(bytes, handshakeKeys(pair, sender), edit);

/** An edit of the protected records of the server's first flight. */
const protectedRecordsEdit =
  (edit: Parameters<typeof editProtectedRecords>[2]): FlightEdit =>
  (bytes, pair) =>
    editProtectedRecords(bytes, handshakeKeys(pair, 'server'), edit);

describe('server fed a tampered client flight', () => {
  it.each([
    ['the start of a second message', Uint8Array.of(0x14, 0x00, 0x00)],
    ['a whole second message', handshakeMessage(20, new Uint8Array(32))],
  ])('sends unexpected_message when the ClientHello record also holds %s, which the handshake keys would have to cover (RFC 8446 §5.1)', (_, extra) => {
    const pair = tamperedPair(clientConfig(), serverConfig(), 'client', 0, (bytes) => {
      const records = splitRecords(bytes);
      records[0]!.fragment = concat(records[0]!.fragment, extra);
      return joinRecords(records);
    });
    const result = runUntilAbort(pair);
    expect(result.side).toBe('server');
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer, afterServerHello: true }, 'HandshakeSpansKeyChange');
  });
});

describe('client fed a tampered ServerHello', () => {

  it('completes the handshake when the flight is passed through the editor unchanged', () => {
    const pair = tamperedPair(clientConfig(), serverConfig(), 'server', 0, (bytes, p) =>
      protectedEdit('server', (m) => m)(editServerHello(bytes, (sh) => sh), p),
    ).run();
    expect(pair.client.isConnected).toBe(true);
    expect(pair.server.isConnected).toBe(true);
  });

  it('sends illegal_parameter for a cipher suite it did not offer (RFC 8446 §4.1.3)', () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, cipherSuite: 0x1303 })), { cipherSuites: [0x1301, 0x1302] });
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });

  it('sends illegal_parameter for a key share in a group it sent no share for (RFC 8446 §4.2.8)', () => {
    const share = serverKeyShare(0x0017, p256Public());
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, extensions: sh.extensions.map((e) => (e.type === EXT.key_share ? share : e)) })));
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });

  it('sends protocol_version for a ServerHello without supported_versions (RFC 8446 §4.2.1)', () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, extensions: sh.extensions.filter((e) => e.type !== EXT.supported_versions) })));
    expectAbort(result, 'protocol_version', { plaintext: true });
  });

  it('sends illegal_parameter for supported_versions selecting TLS 1.2 (RFC 8446 §4.2.1)', () => {
    const result = clientAbort(
      serverHelloEdit((sh) => ({ ...sh, extensions: sh.extensions.map((e) => (e.type === EXT.supported_versions ? ext(e.type, [0x03, 0x03]) : e)) })),
    );
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });

  it('sends illegal_parameter for the TLS 1.2 downgrade sentinel in a ServerHello without supported_versions (RFC 8446 §4.1.3)', () => {
    const sentinel = Uint8Array.of(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01);
    const result = clientAbort(
      serverHelloEdit((sh) => ({
        ...sh,
        random: concat(sh.random.subarray(0, 24), sentinel),
        extensions: sh.extensions.filter((e) => e.type !== EXT.supported_versions),
      })),
    );
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });

  it('sends illegal_parameter for a legacy_session_id_echo that is not its own session id (RFC 8446 §4.1.3)', () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, legacySessionIdEcho: flipBit(sh.legacySessionIdEcho, 0) })));
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });

  it('sends unsupported_extension for an extension it never offered (RFC 8446 §4.2)', () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, extensions: [...sh.extensions, ext(0x1234, [])] })));
    expectAbort(result, 'unsupported_extension', { plaintext: true });
  });

  it('sends unsupported_extension for a pre_shared_key selection when it offered no PSK', () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, extensions: [...sh.extensions, ext(EXT.pre_shared_key, [0, 0])] })));
    expectAbort(result, 'unsupported_extension', { plaintext: true });
  });

  // The client has no keys yet, so it sends its alert in plaintext ("or as plaintext if no such key has been
  // established", RFC 8446 §7.3), although the server already reads with the client handshake keys.
  it("lets the server read the client's plaintext alert about a bad ServerHello", () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, cipherSuite: 0x1303 })), { cipherSuites: [0x1301] });
    expectAbort(result, 'illegal_parameter', { plaintext: true });
    const server = result.peer;
    server.takeEvents();
    server.receive(result.output);
    expect(server.takeEvents().filter((e) => e.type === 'alert')).toEqual([
      { type: 'alert', direction: 'in', level: 'fatal', description: 'illegal_parameter' },
    ]);
    expect(server.takeOutput()).toHaveLength(0);
    expect(server.state).toBe('CLOSED');
  });

  it('sends unexpected_message when a second ServerHello follows the first in the same record', () => {
    const result = clientAbort(serverHelloEdit((sh) => [sh, sh]));
    // The second message is buffered when the handshake keys come in: RFC 8446 §5.1 forbids that too.
    expectAbort(result, 'unexpected_message', { either: true });
  });
});

describe('client fed a tampered protected server flight', () => {

  it('sends bad_record_mac for one flipped bit in a protected record (RFC 8446 §5.2)', () => {
    const result = clientAbort((bytes) => {
      const records = splitRecords(bytes);
      const first = records.find((r) => r.type === 0x17)!;
      first.fragment = flipBit(first.fragment, first.fragment.length - 1, 7);
      return joinRecords(records);
    });
    expectAbort(result, 'bad_record_mac', { protectedFor: result.peer });
  });

  it('sends unexpected_message for a ServerHello under handshake protection', () => {
    const result = clientAbort((bytes, pair) => {
      const serverHello = splitHandshakeMessages(splitRecords(bytes)[0]!.fragment)[0]!;
      return protectedEdit('server', (messages) => [serverHello, ...messages])(bytes, pair);
    });
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer });
  });

  it('sends unexpected_message for a Certificate where EncryptedExtensions belongs', () => {
    const result = clientAbort(protectedEdit('server', (messages) => messages.filter((m) => m.kind !== 'encrypted_extensions')));
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer });
  });

  it('sends unexpected_message for a Finished before CertificateVerify', () => {
    const result = clientAbort(protectedEdit('server', (messages) => messages.filter((m) => m.kind !== 'certificate_verify')));
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer });
  });

  const inEncryptedExtensions = (extension: Extension) =>
    protectedEdit('server', (messages) =>
      messages.map((m) => (m.kind === 'encrypted_extensions' ? { ...m, extensions: [...m.extensions, extension] } : m)),
    );

  it('sends unsupported_extension for an ALPN answer in EncryptedExtensions when it offered no ALPN (RFC 8446 §4.2)', () => {
    const result = clientAbort(inEncryptedExtensions(ext(EXT.alpn, [0, 3, 2, 0x68, 0x32])));
    expectAbort(result, 'unsupported_extension', { protectedFor: result.peer });
  });

  it('sends illegal_parameter for key_share in EncryptedExtensions, where the §4.2 table does not allow it', () => {
    const result = clientAbort(inEncryptedExtensions(serverKeyShare(0x001d, x25519Public())));
    expectAbort(result, 'illegal_parameter', { protectedFor: result.peer }, 'ExtensionNotAllowedHere');
  });

  it.each([
    ['application data under handshake keys (RFC 8446 §2, §6.2)', 0x17, utf8.encode('too early'), 'UnexpectedMessage'],
    ['a protected ChangeCipherSpec (RFC 8446 §5)', 0x14, Uint8Array.of(1), 'UnexpectedChangeCipherSpec'],
    ['a protected record of an unknown content type (RFC 8446 §5)', 0x18, Uint8Array.of(1), 'UnexpectedMessage'],
    ['a protected record whose plaintext is all zeros (RFC 8446 §5.4)', 0x00, new Uint8Array(0), 'EmptyRecord'],
  ])('sends unexpected_message for %s', (_, contentType, content, reason) => {
    const result = clientAbort(protectedRecordsEdit((records) => [{ contentType, content }, ...records]));
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer }, reason);
  });

  it('sends decode_error for an empty server Certificate (RFC 8446 §4.4.2.4)', () => {
    const result = clientAbort(protectedEdit('server', (messages) => messages.map((m) => (m.kind === 'certificate' ? { ...m, entries: [] } : m))));
    expectAbort(result, 'decode_error', { protectedFor: result.peer });
  });

  it('sends decrypt_error for a server Finished with one bit flipped (RFC 8446 §4.4.4)', () => {
    const result = clientAbort(
      protectedEdit('server', (messages) => messages.map((m) => (m.kind === 'finished' ? { ...m, verifyData: flipBit(m.verifyData, 5) } : m))),
    );
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadFinished');
  });

  it('reaches the same verdict on a bad server Finished delivered one byte at a time', () => {
    const edit = protectedEdit('server', (messages) => messages.map((m) => (m.kind === 'finished' ? { ...m, verifyData: flipBit(m.verifyData, 0) } : m)));
    const result = runUntilAbort(tamperedPair(clientConfig(), serverConfig(), 'server', 0, edit, 1));
    expect(result.side).toBe('client');
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadFinished');
  });

  it('sends unexpected_message for a handshake message after the server Finished, which the application keys would have to cover (RFC 8446 §5.1)', () => {
    const result = clientAbort(protectedEdit('server', (messages) => [...messages, messages[messages.length - 1]!]));
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer }, 'HandshakeSpansKeyChange');
  });

  it('sends missing_extension for a CertificateRequest without signature_algorithms (RFC 8446 §4.3.2)', () => {
    const result = clientAbort(
      // Only signature_algorithms_cert is left (the extension list may not be empty: <2..2^16-1>).
      protectedEdit('server', (messages) =>
        messages.map((m) => (m.kind === 'certificate_request' ? { ...m, extensions: [ext(EXT.signature_algorithms_cert, [0, 2, 0x08, 0x07])] } : m)),
      ),
      { certificate: alice },
      { clientAuth: 'require', trust: pinned(alice) },
    );
    expectAbort(result, 'missing_extension', { protectedFor: result.peer });
  });

  it('sends decrypt_error for a CertificateVerify signature with one bit flipped (RFC 8446 §4.4.3)', () => {
    const result = clientAbort(
      protectedEdit('server', (messages) =>
        messages.map((m) => (m.kind === 'certificate_verify' ? { ...m, signature: flipBit(m.signature, 10) } : m)),
      ),
    );
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadCertificateVerifySignature');
  });

  it('sends unexpected_message for a ChangeCipherSpec of value 0x02 (RFC 8446 §5)', () => {
    const result = clientAbort((bytes) => {
      const records = splitRecords(bytes);
      const ccs = records.find((r) => r.type === 0x14)!;
      expect(hex(ccs.fragment)).toBe('01');
      ccs.fragment = Uint8Array.of(2);
      return joinRecords(records);
    });
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer });
  });

  it('sends unexpected_message when a handshake message starts in the ServerHello record and would end under the new keys (RFC 8446 §5.1)', () => {
    const result = clientAbort((bytes) => {
      const records = splitRecords(bytes);
      // EncryptedExtensions' header (type 8, length 2) begins after the ServerHello, in plaintext.
      records[0]!.fragment = concat(records[0]!.fragment, Uint8Array.of(8, 0, 0));
      return joinRecords(records);
    });
    expectAbort(result, 'unexpected_message', { either: true }, 'HandshakeSpansKeyChange');
  });
});

describe('authentication failures', () => {
  function clientRejects(client: Partial<ClientConfig>, srv: Partial<ServerConfig> = {}) {
    const result = runUntilAbort(new InMemoryPair(clientConfig(client), serverConfig(srv)));
    expect(result.side).toBe('client');
    return result;
  }

  it('sends decrypt_error when the server signs with a key that is not its certificate key', () => {
    const result = clientRejects({ trust: pinned(alice) }, { certificate: { chain: [alice.der], privateKey: mallory.privateKey } });
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadCertificateVerifySignature');
    expect(result.victim.info.peer).toBeUndefined();
  });

  it('sends bad_certificate for a certificate that is not the pinned one', () => {
    const result = clientRejects({ trust: pinned(impostor) });
    expectAbort(result, 'bad_certificate', { protectedFor: result.peer });
  });

  it('sends unknown_ca for a chain that ends at a CA it does not trust', () => {
    const result = clientRejects({ trust: { kind: 'ca', anchors: [otherCa.der] } });
    expectAbort(result, 'unknown_ca', { protectedFor: result.peer });
  });

  it('sends certificate_expired for an expired certificate under a CA policy', () => {
    const result = clientRejects({ trust: { kind: 'ca', anchors: [ca.der] } }, { certificate: expiredServer });
    expectAbort(result, 'certificate_expired', { protectedFor: result.peer });
  });

  it('sends bad_certificate when the certificate does not name the host it asked for', () => {
    const result = clientRejects({ trust: { kind: 'ca', anchors: [ca.der] }, serverName: 'other.test' });
    expectAbort(result, 'bad_certificate', { protectedFor: result.peer });
  });

  it('accepts the same chain under the CA policy when the name matches (control for the cases above)', () => {
    const pair = new InMemoryPair(clientConfig({ trust: { kind: 'ca', anchors: [ca.der] } }), serverConfig()).run();
    expect(pair.client.isConnected).toBe(true);
  });

  it('sends bad_certificate when the caller rejects the certificate at the verify-peer pause', () => {
    const pair = new InMemoryPair(clientConfig({ trust: { kind: 'ask' } }), serverConfig()).run();
    expect(pair.client.pendingDecision?.kind).toBe('verify-peer');
    pair.client.resolve({ kind: 'verify-peer', verdict: { trusted: false } });
    expectAbort(
      { victim: pair.client, events: [...pair.events('client'), ...pair.client.takeEvents()], output: pair.client.takeOutput() },
      'bad_certificate',
      { protectedFor: pair.server },
    );
  });
});

describe('client authentication failures', () => {
  function serverAbort(client: Partial<ClientConfig>, srv: Partial<ServerConfig>) {
    const result = runUntilAbort(new InMemoryPair(clientConfig(client), serverConfig({ clientAuth: 'require', ...srv })));
    expect(result.side).toBe('server');
    return result;
  }

  it('sends certificate_required when a required client certificate is missing (RFC 8446 §4.4.2.4)', () => {
    const result = serverAbort({}, { trust: pinned(alice) });
    expectAbort(result, 'certificate_required', { protectedFor: result.peer });
  });

  it('sends bad_certificate for a client certificate that is not pinned', () => {
    const result = serverAbort({ certificate: mallory }, { trust: pinned(alice) });
    expectAbort(result, 'bad_certificate', { protectedFor: result.peer });
  });

  it("sends decrypt_error for a stolen certificate: someone else's certificate with the client's own key", () => {
    const result = serverAbort({ certificate: { chain: [alice.der], privateKey: mallory.privateKey } }, { trust: pinned(alice) });
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadCertificateVerifySignature');
    expect(result.victim.info.peer).toBeUndefined();
  });

  /** The client's CertificateVerify re-signed by node:crypto over the transcript, with the given role in the context string. */
  function resignedClientCertificateVerify(role: 'client' | 'server'): FlightEdit {
    return (bytes, pair) =>
      protectedEdit('client', (messages) =>
        messages.map((m) => {
          if (m.kind !== 'certificate_verify') return m;
          const events = pair.events('client').filter((e): e is Extract<TlsEvent, { type: 'handshake-message' }> => e.type === 'handshake-message');
          const before = events.slice(0, events.findIndex((e) => e.direction === 'out' && e.message.kind === 'certificate_verify'));
          const transcript = createHash('sha256').update(concat(...before.map((e) => e.raw))).digest();
          // RFC 8446 §4.4.3: 64 spaces, the context string, a zero byte, the transcript hash.
          const content = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from(`TLS 1.3, ${role} CertificateVerify`), Buffer.of(0), transcript]);
          return { ...m, signature: new Uint8Array(sign(null, content, nodeClient.privateKey)) };
        }),
      )(bytes, pair);
  }

  function withResignedCertificateVerify(role: 'client' | 'server'): InMemoryPair {
    const client = clientConfig({ certificate: nodeClient.identity });
    return tamperedPair(client, serverConfig({ clientAuth: 'require', trust: pinned(nodeClient.identity) }), 'client', 1, resignedClientCertificateVerify(role));
  }

  it('accepts a client CertificateVerify that node:crypto signed with the client context string (control)', () => {
    const pair = withResignedCertificateVerify('client').run();
    expect(pair.server.isConnected).toBe(true);
    expect(pair.server.info.clientAuth).toBe('authenticated');
  });

  it('sends decrypt_error for a client CertificateVerify signed with the server context string (RFC 8446 §4.4.3)', () => {
    const result = runUntilAbort(withResignedCertificateVerify('server'));
    expect(result.side).toBe('server');
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadCertificateVerifySignature');
  });

  it('sends decrypt_error for a client Finished with one bit flipped (RFC 8446 §4.4.4)', () => {
    const pair = tamperedPair(clientConfig({ certificate: alice }), serverConfig({ clientAuth: 'require', trust: pinned(alice) }), 'client', 1,
      protectedEdit('client', (messages) => messages.map((m) => (m.kind === 'finished' ? { ...m, verifyData: flipBit(m.verifyData, 0) } : m))),
    );
    const result = runUntilAbort(pair);
    expect(result.side).toBe('server');
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadFinished');
  });
});

describe('server fed a tampered protected client flight', () => {
  it('sends unexpected_message for a client Certificate it did not request', () => {
    const pair = tamperedPair(clientConfig(), serverConfig(), 'client', 1,
      protectedEdit('client', (messages) => [{ kind: 'certificate', context: new Uint8Array(0), entries: [] }, ...messages]),
    );
    const result = runUntilAbort(pair);
    expect(result.side).toBe('server');
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer });
  });
});

describe('record layer after the handshake', () => {
  it('sends unexpected_message for a ChangeCipherSpec once connected (RFC 8446 §5)', () => {
    const pair = new InMemoryPair(clientConfig(), serverConfig()).run();
    expect(pair.client.isConnected).toBe(true);
    const victim = pair.client;
    victim.takeEvents();
    victim.receive(record(0x14, Uint8Array.of(1)));
    expectAbort({ victim, events: victim.takeEvents(), output: victim.takeOutput() }, 'unexpected_message', { protectedFor: pair.server });
  });

  it('sends unexpected_message for a plaintext handshake record once connected', () => {
    const pair = new InMemoryPair(clientConfig(), serverConfig()).run();
    const victim = pair.server;
    victim.takeEvents();
    victim.receive(record(0x16, helloWith(() => {})));
    expectAbort({ victim, events: victim.takeEvents(), output: victim.takeOutput() }, 'unexpected_message', { protectedFor: pair.client });
  });
});

describe('single-bit flips anywhere in a flight', () => {
  /**
   * The outcome a fuzzer may rely on: the victim goes on (no alert), or sends exactly one fatal alert, as a
   * plaintext record or one protected record, and closes. internal_error from an unclassified exception
   * would mean a fault the engine did not recognise.
   */
  function expectCleanOutcome(victim: Connection, events: TlsEvent[], output: Uint8Array): string {
    const alerts = events.filter((e): e is Extract<TlsEvent, { type: 'alert' }> => e.type === 'alert' && e.direction === 'out');
    if (!victim.isClosed) {
      expect(alerts).toEqual([]);
      return 'going on';
    }
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert.level).toBe('fatal');
    expect(alert.reason).not.toBe('InternalError');
    expect(Object.keys(ALERT)).toContain(alert.description);
    const description = ALERT[alert.description as AlertName];
    const protectedAlert = output.length >= 24 && hex(output.subarray(output.length - 24, output.length - 19)) === '1703030013';
    if (!protectedAlert) expect(hex(output.subarray(-7))).toBe(hex(Uint8Array.of(0x15, 0x03, 0x03, 0x00, 0x02, 0x02, description)));
    return alert.description;
  }

  it('never lets an exception escape the server, whichever ClientHello bit is flipped', () => {
    const hello = Connection.client(clientConfig({ alpnProtocols: ['h2'] })).takeOutput();
    const outcomes = new Set<string>();
    for (let i = 0; i < hello.length; i++) {
      const victim = Connection.server(serverConfig({ alpnProtocols: ['h2'] }));
      expect(() => victim.receive(flipBit(hello, i, i % 8))).not.toThrow();
      outcomes.add(expectCleanOutcome(victim, victim.takeEvents(), victim.takeOutput()));
    }
    // The sweep reached the decoder, the negotiation and the record layer, not just one check.
    expect(outcomes).toContain('going on');
    expect(outcomes).toContain('decode_error');
    expect(outcomes.size).toBeGreaterThan(4);
  });

  it('never lets an exception escape the client, whichever bit of the decrypted server flight is flipped', () => {
    const outcomes = new Set<string>();
    for (let i = 0; i < 1200; i += 7) {
      let flipped = false;
      const flipOne = protectedRecordsEdit((records) => {
        let at = i;
        return records.map((r) => {
          const inside = at >= 0 && at < r.content.length;
          const edited = inside ? { ...r, content: flipBit(r.content, at, i % 8) } : r;
          flipped ||= inside;
          at -= r.content.length;
          return edited;
        });
      });
      const pair = tamperedPair(clientConfig(), serverConfig(), 'server', 0, flipOne);
      expect(() => pair.step('client') && pair.step('server')).not.toThrow();
      if (!flipped) break;
      outcomes.add(expectCleanOutcome(pair.client, pair.events('client'), pair.client.takeOutput()));
    }
    expect(outcomes).toContain('bad_certificate');
    expect(outcomes).toContain('decrypt_error');
    expect(outcomes.size).toBeGreaterThan(3);
  });
});

describe('API misuse throws plain Errors, not alerts', () => {
  it('throws on write() before the handshake completed, and the handshake goes on', () => {
    const client = Connection.client(clientConfig());
    client.takeOutput();
    let thrown: unknown;
    try {
      client.write(utf8.encode('too early'));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(TlsError);
    expect(client.takeOutput()).toHaveLength(0);
    expect(client.state).toBe('WAIT_SH');
    expect(client.takeEvents().some((e) => e.type === 'alert')).toBe(false);
  });

  it('throws on resolve() with no decision pending, and the connection is unharmed', () => {
    const pair = new InMemoryPair(clientConfig(), serverConfig());
    pair.step('client');
    expect(() => pair.client.resolve({ kind: 'verify-peer', verdict: { trusted: true } })).toThrow(Error);
    expect(pair.client.takeOutput()).toHaveLength(0);
    pair.run();
    expect(pair.client.isConnected).toBe(true);
  });

  it('throws on write() after close()', () => {
    const pair = new InMemoryPair(clientConfig(), serverConfig()).run();
    pair.client.close();
    expect(() => pair.client.write(utf8.encode('late'))).toThrow(Error);
  });
});
