// The harness of the bad-input tests (bad-input.test.ts, bad-client-hello.test.ts, conformance.test.ts): a victim fed a bad message,
// then the exact alert it must have put on the wire, and its silence afterwards. Hand-made ClientHellos for
// the server; a client/server pair whose flights can be edited in between for the client.
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'vitest';
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
  splitRecords,
  suiteNamed,
  type HandshakeEdit,
  type TrafficSecret,
} from '../../src/testing/tamper.js';
import { concat, hex, utf8 } from '../../src/wire/bytes.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { ClientHello, Extension } from '../../src/wire/types.js';

// ---- Expectations ----

/** Alert descriptions as RFC 8446 §6 (and §B.2) numbers them. */
export const ALERT = {
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
export type AlertName = keyof typeof ALERT;

export interface Abort {
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
export type Wire = { plaintext: true } | { protectedFor: Connection; afterServerHello?: true } | { either: true };

export function expectAbort({ victim, events, output }: Abort, alert: AlertName, wire: Wire, reason?: string): void {
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
export function expectClosedForGood(victim: Connection): void {
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

export const rnd = seededRandom('bad-input identities');
export const ca = makeIdentity({ subject: { CN: 'Test CA' }, isCA: true, keyUsage: ['keyCertSign'] }, rnd);
export const otherCa = makeIdentity({ subject: { CN: 'Other CA' }, isCA: true, keyUsage: ['keyCertSign'] }, rnd);
export const serverLeaf = (extra: Parameters<typeof makeIdentity>[0] = {}) =>
  makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['example.test'] }, extKeyUsage: ['serverAuth'], ...extra }, rnd);
export const server = serverLeaf();
export const expiredServer = serverLeaf({ notBefore: TEST_NOW - 60 * DAY, notAfter: TEST_NOW - DAY });
export const impostor = makeIdentity({ subject: { CN: 'impostor' } }, rnd);
export const alice = makeIdentity({ subject: { CN: 'alice' } }, rnd);
export const mallory = makeIdentity({ subject: { CN: 'mallory' } }, rnd);

/** A client identity whose Ed25519 key node:crypto made, so node can sign with it too. */
export const nodeClient = (() => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const identity = makeIdentity({ subject: { CN: 'node client' }, privateKey: loadPrivateKey(new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }))) }, rnd);
  return { identity, privateKey };
})();

export const pinned = (...ids: Identity[]) => ({ kind: 'pinned-certificate' as const, certificates: ids.map((i) => i.der) });

export function clientConfig(extra: Partial<ClientConfig> = {}): ClientConfig {
  return { trust: pinned(server), serverName: 'example.test', now: () => TEST_NOW, random: seededRandom('client'), ...extra };
}

export function serverConfig(extra: Partial<ServerConfig> = {}): ServerConfig {
  return { certificate: server, now: () => TEST_NOW, random: seededRandom('server'), ...extra };
}

// ---- Server side: hand-made ClientHellos ----

/** Extension code points (RFC 8446 §4.2, RFC 7301, RFC 8701). */
export const EXT = {
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
export function x25519Public(): Uint8Array {
  const jwk = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
}

/** The public value of a P-256 key made by node:crypto, uncompressed (RFC 8446 §4.2.8.2). */
export function p256Public(): Uint8Array {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'jwk' });
  return concat(Uint8Array.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url'));
}

export const u16 = (n: number) => [n >> 8, n & 0xff];
export const ext = (type: number, body: ArrayLike<number>): Extension => ({ type, data: Uint8Array.from(body) });
/** KeyShareEntry (RFC 8446 §4.2.8): group, then the public value with a 2-byte length. */
export const shareEntry = (group: number, key: Uint8Array) => [...u16(group), ...u16(key.length), ...key];
/** key_share of a ClientHello: a list of entries; of a ServerHello: one entry. */
export const keyShare = (group: number, key: Uint8Array) => ext(EXT.key_share, [...u16(key.length + 4), ...shareEntry(group, key)]);
export const serverKeyShare = (group: number, key: Uint8Array) => ext(EXT.key_share, shareEntry(group, key));
export const alpnOffer = (...ids: string[]) => {
  const list = ids.flatMap((id) => [id.length, ...utf8.encode(id)]);
  return ext(EXT.alpn, [...u16(list.length), ...list]);
};

/** A minimal valid TLS 1.3 ClientHello: TLS_AES_128_GCM_SHA256, X25519, Ed25519; key_share last. */
export function baseHello(): ClientHello {
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

/** baseHello with `groups` as its supported_groups and `shareEntries` (shareEntry bytes) as its key_share. */
export function groupsAndSharesHello(groups: readonly number[], shareEntries: readonly number[]): ClientHello {
  const hello = baseHello();
  replacingExtension(ext(EXT.supported_groups, [...u16(groups.length * 2), ...groups.flatMap(u16)]))(hello);
  replacingExtension(ext(EXT.key_share, [...u16(shareEntries.length), ...shareEntries]))(hello);
  return hello;
}

export function helloWith(edit: (hello: ClientHello) => void): Uint8Array {
  const hello = baseHello();
  edit(hello);
  return encodeHandshake(hello);
}

export const withoutExtension = (type: number) => (h: ClientHello) => {
  h.extensions = h.extensions.filter((e) => e.type !== type);
};
export const replacingExtension = (replacement: Extension) => (h: ClientHello) => {
  h.extensions = h.extensions.map((e) => (e.type === replacement.type ? replacement : e));
};

/** A record with a hand-written header (RFC 8446 §5.1). */
export function record(type: number, fragment: Uint8Array, version = 0x0303): Uint8Array {
  return concat(Uint8Array.of(type, version >> 8, version & 0xff, ...u16(fragment.length)), fragment);
}

/** A handshake message with a header that states the body's real length (RFC 8446 §4). */
export function handshakeMessage(msgType: number, body: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(msgType, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff), body);
}

export function feedServer(bytes: Uint8Array, extra: Partial<ServerConfig> = {}): Abort {
  const victim = Connection.server(serverConfig(extra));
  victim.receive(bytes);
  return { victim, events: victim.takeEvents(), output: victim.takeOutput() };
}
// ---- Client and server in a pair, with flights tampered in between ----

export type FlightEdit = (bytes: Uint8Array, pair: InMemoryPair) => Uint8Array | undefined;

/** A pair whose `n`-th flight (0-based) from `from` goes through `edit`. */
export function tamperedPair(client: ClientConfig, srv: ServerConfig, from: Flight['from'], n: number, edit: FlightEdit, chunkSize?: number): InMemoryPair {
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
export function runUntilAbort(pair: InMemoryPair): Abort & { side: Flight['from']; peer: Connection } {
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
export function clientAbort(edit: FlightEdit, client: Partial<ClientConfig> = {}, srv: Partial<ServerConfig> = {}) {
  const result = runUntilAbort(tamperedPair(clientConfig(client), serverConfig(srv), 'server', 0, edit));
  expect(result.side).toBe('client');
  return result;
}

/** The server's first flight edited at the ServerHello. */
export const serverHelloEdit = (edit: Parameters<typeof editServerHello>[1]): FlightEdit => (bytes) => editServerHello(bytes, edit);

/** The handshake traffic secret `sender` protects its flight with, from its own `secret` events. */
export function handshakeKeys(pair: InMemoryPair, sender: 'client' | 'server'): TrafficSecret {
  const name = sender === 'server' ? 'server_handshake_traffic_secret' : 'client_handshake_traffic_secret';
  return { suite: suiteNamed(pair.server.info.cipherSuite), secret: announcedSecret(pair.events(sender), name) };
}

/** An edit of the protected handshake messages of a flight from `sender`. */
export const protectedEdit =
  (sender: 'client' | 'server', edit: HandshakeEdit): FlightEdit =>
  (bytes, pair) =>
    editProtectedHandshake(bytes, handshakeKeys(pair, sender), edit);

/** An edit of the protected records of the server's first flight. */
export const protectedRecordsEdit =
  (edit: Parameters<typeof editProtectedRecords>[2]): FlightEdit =>
  (bytes, pair) =>
    editProtectedRecords(bytes, handshakeKeys(pair, 'server'), edit);

