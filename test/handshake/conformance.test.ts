// Exact answers to malformed input (docs/robustness.md, "Malformed input"): each class sent to our server and,
// where the message exists in that direction, to our client, with the alert checked on the wire. The rule
// behind most of them, RFC 8446 §6.2: a message whose length or syntax is wrong is decode_error, whatever
// its values would have meant; a well-formed value we refuse is illegal_parameter (or the alert its section
// names); internal_error is only for failures "unrelated to the peer".
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH, MAX_CLIENT_HELLO_LENGTH } from '../../src/record/handshake-buffer.js';
import { scenarioConfigs } from '../../src/testing/fuzz/scenarios.js';
import { signingServer } from '../../src/testing/signing-server.js';
import { announcedSecret, editPlaintextHandshake, editProtectedHandshake, suiteNamed } from '../../src/testing/tamper.js';
import { concat, hex } from '../../src/wire/bytes.js';
import { preSharedKeyClientHello } from '../../src/wire/extensions.js';
import type { HandshakeMessage, HelloRetryRequest } from '../../src/wire/types.js';
import {
  ca,
  clientAbort,
  clientConfig,
  expectAbort,
  ext,
  feedServer,
  handshakeMessage,
  helloWith,
  protectedEdit,
  record,
  runUntilAbort,
  serverConfig,
  serverHelloEdit,
  server as serverIdentity,
  tamperedPair,
  type FlightEdit,
} from './abort-harness.js';

const CLIENT_HELLO = 1;
const SERVER_HELLO = 2;
const CERTIFICATE = 11;
const FINISHED = 20;
const KEY_UPDATE = 24;

/** Only a handshake message header: msg_type and a uint24 length (RFC 8446 §4), no body. */
const header = (msgType: number, length: number) => Uint8Array.of(msgType, length >> 16, (length >> 8) & 0xff, length & 0xff);

/** Replaces each message of `kind` by raw bytes (a message the codec would refuse to write). */
const replacing = (kind: HandshakeMessage['kind'], bytes: Uint8Array) => (messages: HandshakeMessage[]) =>
  messages.map((m) => (m.kind === kind ? bytes : m));

/** The server's HelloRetryRequest (its first flight when the client's only share is P-256), edited. */
const hrrEdit =
  (edit: (hrr: HelloRetryRequest) => HelloRetryRequest): FlightEdit =>
  (bytes) =>
    editPlaintextHandshake(bytes, (ms) => ms.map((m) => (m.kind === 'hello_retry_request' ? edit(m) : m)));
const HRR_CONFIGS: [Partial<ClientConfig>, Partial<ServerConfig>] = [{ keyShareGroups: [0x0017] }, { groups: [0x001d] }];

/** A version as the RFC writes it, e.g. 0x0300. */
const hex4 = (v: number) => `0x${v.toString(16).padStart(4, '0')}`;

/** The server answered with a ServerHello and no alert. */
function expectServerHello({ victim, events, output }: ReturnType<typeof feedServer>): void {
  expect(events.filter((e) => e.type === 'alert')).toEqual([]);
  expect(victim.isClosed).toBe(false);
  expect(output[0]).toBe(0x16);
  expect(output[5]).toBe(SERVER_HELLO);
}

describe('legacy_version 0x0300 or below (RFC 8446 App. D.5)', () => {
  it.each([0x0300, 0x02ff, 0x0200, 0x0002, 0x0000].map((v) => [hex4(v), v]))('the server sends protocol_version for a ClientHello with legacy_version %s, even beside supported_versions [TLS 1.3]', (_, version) => {
    const hello = helloWith((h) => (h.legacyVersion = version));
    expectAbort(feedServer(record(0x16, hello)), 'protocol_version', { plaintext: true }, 'ObsoleteLegacyVersion');
  });

  it.each([0x0301, 0x0302, 0x0303].map((v) => [hex4(v), v]))('the server still negotiates TLS 1.3 from supported_versions for legacy_version %s (§4.2.1, App. D.2)', (_, version) => {
    expectServerHello(feedServer(record(0x16, helloWith((h) => (h.legacyVersion = version)))));
  });

  it.each([0x0300, 0x0200].map((v) => [hex4(v), v]))('the client sends protocol_version for a ServerHello with legacy_version %s', (_, version) => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, legacyVersion: version })));
    expectAbort(result, 'protocol_version', { plaintext: true }, 'ObsoleteLegacyVersion');
  });

  it('the client sends protocol_version for a HelloRetryRequest with legacy_version 0x0300', () => {
    const result = clientAbort(hrrEdit((hrr) => ({ ...hrr, legacyVersion: 0x0300 })), ...HRR_CONFIGS);
    expectAbort(result, 'protocol_version', { plaintext: true }, 'ObsoleteLegacyVersion');
  });

  it('the client keeps illegal_parameter for a ServerHello legacy_version of 0x0301, which §4.1.3 fixes at 0x0303', () => {
    expectAbort(clientAbort(serverHelloEdit((sh) => ({ ...sh, legacyVersion: 0x0301 }))), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });
});

describe('no count of our own on list lengths', () => {
  const unknownExtensions = (n: number) => Array.from({ length: n }, (_, i) => ext(0x4000 + i, []));

  it('the server answers a ClientHello with 2,000 extensions (the RFC sets no limit; OpenSSL accepts them)', () => {
    expectServerHello(feedServer(record(0x16, helloWith((h) => h.extensions.unshift(...unknownExtensions(2000))))));
  });

  it('the server still sends illegal_parameter for a duplicate after 2,000 extensions (RFC 8446 §4.2)', () => {
    const many = unknownExtensions(2000);
    const hello = helloWith((h) => h.extensions.unshift(...many, many[0]!));
    expectAbort(feedServer(record(0x16, hello)), 'illegal_parameter', { plaintext: true }, 'DuplicateExtension');
  });

  it('the client accepts a NewSessionTicket with 2,000 extensions it does not know (§4.6.1: clients ignore them)', () => {
    const tickets = { count: 1, key: new Uint8Array(32).fill(9) };
    const pair = tamperedPair(clientConfig(), serverConfig({ tickets }), 'server', 1, (bytes, p) =>
      editProtectedHandshake(bytes, { suite: suiteNamed(p.server.info.cipherSuite), secret: announcedSecret(p.events('server'), 'server_application_traffic_secret_0') }, (ms) =>
        ms.map((m) => (m.kind === 'new_session_ticket' ? { ...m, extensions: unknownExtensions(2000) } : m)),
      ),
    ).run();
    expect(pair.events('client').filter((e) => e.type === 'alert')).toEqual([]);
    expect(pair.events('client').filter((e) => e.type === 'session-ticket')).toHaveLength(1);
  });
});

describe(`a handshake message over our limit of ${DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH} bytes (a server's ClientHello: ${MAX_CLIENT_HELLO_LENGTH})`, () => {
  it('the server sends decode_error for a ClientHello over the longest its syntax allows, from the 4-byte header alone', () => {
    const result = feedServer(record(0x16, header(CLIENT_HELLO, MAX_CLIENT_HELLO_LENGTH + 1)));
    expectAbort(result, 'decode_error', { plaintext: true }, 'DecodeError');
  });

  it('the server waits for the body of a ClientHello that claims exactly the longest its syntax allows', () => {
    const { victim, events } = feedServer(record(0x16, header(CLIENT_HELLO, MAX_CLIENT_HELLO_LENGTH)));
    expect(events).toEqual([]);
    expect(victim.isClosed).toBe(false);
  });

  it('the server judges the type before the length: a Certificate header over the general limit where a ClientHello is due is unexpected_message', () => {
    const result = feedServer(record(0x16, header(CERTIFICATE, DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH + 1)));
    expectAbort(result, 'unexpected_message', { plaintext: true }, 'UnexpectedMessage');
  });

  it('the client sends illegal_parameter for a ServerHello header claiming 16 MiB', () => {
    const result = clientAbort(() => record(0x16, header(SERVER_HELLO, 0xffffff)));
    expectAbort(result, 'illegal_parameter', { plaintext: true }, 'HandshakeMessageTooLong');
  });

  it('the client sends illegal_parameter, protected, for a Certificate header one byte over the limit', () => {
    const result = clientAbort(protectedEdit('server', replacing('certificate', header(CERTIFICATE, DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH + 1))));
    expectAbort(result, 'illegal_parameter', { protectedFor: result.peer }, 'HandshakeMessageTooLong');
  });

  it('the client accepts a server Certificate of exactly the limit: the leaf, 150 copies of its CA, and filler', () => {
    const rnd = seededRandom('conformance: long chain');
    const leaf = { ...serverIdentity, chain: [serverIdentity.der, ...Array.from({ length: 150 }, () => ca.der)] };
    // Certificate body: context (1), list length (3), per entry cert_data length (3) and extensions (2).
    const used = 1 + 3 + leaf.chain.reduce((sum, c) => sum + 3 + c.length + 2, 0);
    const filler = rnd(DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH - used - 5);
    // Random bytes are no certificate, which our server refuses to configure: the server signs what it sends instead.
    const server = signingServer(() => pair, leaf.privateKey, (m) => ({ ...m, entries: [...m.entries, { data: filler, extensions: [] }] }));
    const pair: InMemoryPair = new InMemoryPair(clientConfig({ trust: { kind: 'ca', anchors: [ca.der] } }), serverConfig({ certificate: leaf }), { tamper: server.tamper });
    pair.run();
    expect(server.edited()).toBe(true);
    expect(pair.client.isConnected).toBe(true);
    const received = pair.events('client').find((e) => e.type === 'handshake-message' && e.direction === 'in' && e.message.kind === 'certificate');
    expect(received?.type === 'handshake-message' && received.raw.length).toBe(4 + DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH);
  });
});

describe('Finished of the wrong length (RFC 8446 §4.4.4: verify_data is Hash.length bytes)', () => {
  it.each([31, 33, 0])('the client sends decode_error, not decrypt_error, for a server Finished of %i bytes', (length) => {
    const result = clientAbort(protectedEdit('server', replacing('finished', handshakeMessage(FINISHED, new Uint8Array(length)))));
    expectAbort(result, 'decode_error', { protectedFor: result.peer }, 'DecodeError');
  });

  it.each([31, 48])('the server sends decode_error for a client Finished of %i bytes', (length) => {
    const pair = tamperedPair(clientConfig(), serverConfig(), 'client', 1, protectedEdit('client', replacing('finished', handshakeMessage(FINISHED, new Uint8Array(length)))));
    const result = runUntilAbort(pair);
    expect(result.side).toBe('server');
    expectAbort(result, 'decode_error', { protectedFor: result.peer }, 'DecodeError');
  });
});

describe('KeyUpdate: its one byte before its value (RFC 8446 §4.6.3)', () => {
  /** The `side`'s first KeyUpdate, the first record under its application keys, replaced by `message`. */
  function keyUpdateAbort(side: 'client' | 'server', message: Uint8Array) {
    const secret = side === 'client' ? 'client_application_traffic_secret_0' : 'server_application_traffic_secret_0';
    const edit: FlightEdit = (bytes, p) =>
      editProtectedHandshake(bytes, { suite: suiteNamed(p.server.info.cipherSuite), secret: announcedSecret(p.events(side), secret) }, replacing('key_update', message));
    const pair = tamperedPair(clientConfig(), serverConfig(), side, side === 'client' ? 2 : 1, edit).run();
    (side === 'client' ? pair.client : pair.server).updateKeys(false);
    const result = runUntilAbort(pair);
    expect(result.side).toBe(side === 'client' ? 'server' : 'client');
    return result;
  }

  it.each(['client', 'server'] as const)('the %s peer gets decode_error for a two-byte KeyUpdate, even with request_update 5', (side) => {
    const result = keyUpdateAbort(side, handshakeMessage(KEY_UPDATE, Uint8Array.of(5, 0)));
    expectAbort(result, 'decode_error', { protectedFor: result.peer }, 'DecodeError');
  });

  it.each(['client', 'server'] as const)('the %s peer gets decode_error for an empty KeyUpdate', (side) => {
    const result = keyUpdateAbort(side, handshakeMessage(KEY_UPDATE, new Uint8Array(0)));
    expectAbort(result, 'decode_error', { protectedFor: result.peer }, 'DecodeError');
  });

  it.each(['client', 'server'] as const)('the %s peer gets illegal_parameter for a one-byte KeyUpdate with request_update 5', (side) => {
    const result = keyUpdateAbort(side, handshakeMessage(KEY_UPDATE, Uint8Array.of(5)));
    expectAbort(result, 'illegal_parameter', { protectedFor: result.peer }, 'IllegalParameter');
  });
});

describe('fixed-length fields and bounded vectors: length before meaning', () => {
  it('the server sends decode_error for a legacy_session_id of 33 bytes (§4.1.2: <0..32>)', () => {
    expectAbort(feedServer(record(0x16, helloWith((h) => (h.legacySessionId = new Uint8Array(33))))), 'decode_error', { plaintext: true });
  });

  it('the client sends decode_error for a legacy_session_id_echo of 33 bytes (§4.1.3: <0..32>)', () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, legacySessionIdEcho: new Uint8Array(33) })));
    expectAbort(result, 'decode_error', { plaintext: true }, 'DecodeError');
  });

  it('the server sends decode_error for a ClientHello that ends inside its 32-byte random', () => {
    const full = helloWith(() => {});
    expectAbort(feedServer(record(0x16, handshakeMessage(CLIENT_HELLO, full.subarray(4, 4 + 2 + 20)))), 'decode_error', { plaintext: true });
  });

  it.each([
    ['max_fragment_length', 1, [5, 0], [5]],
    ['record_size_limit', 28, [0, 16, 0], [0, 16]],
    ['heartbeat', 15, [3, 3], [3]],
  ])('the server sends decode_error for a %s body one byte too long, illegal_parameter for the bad value alone', (_, type, tooLong, badValue) => {
    const withBody = (body: number[]) => helloWith((h) => h.extensions.unshift(ext(type, body)));
    expectAbort(feedServer(record(0x16, withBody(tooLong))), 'decode_error', { plaintext: true }, 'DecodeError');
    expectAbort(feedServer(record(0x16, withBody(badValue))), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });

  it.each([
    ['decode_error', 'DecodeError', [0, 16, 0]],
    ['illegal_parameter', 'IllegalParameter', [0, 16]],
  ] as const)('the client sends %s for a record_size_limit in EncryptedExtensions of %j (one byte too long, or below 64 alone)', (alert, reason, body) => {
    const edit = protectedEdit('server', (ms) =>
      ms.map((m) => (m.kind === 'encrypted_extensions' ? { ...m, extensions: m.extensions.map((e) => (e.type === 28 ? ext(28, body) : e)) } : m)),
    );
    const result = clientAbort(edit, { clientHello: { recordSizeLimit: 2 ** 14 + 1 } }, { recordSizeLimit: 4096 });
    expectAbort(result, alert, { protectedFor: result.peer }, reason);
  });

  it('the server sends decode_error, not illegal_parameter, for a duplicate extension in a ClientHello with bytes left over', () => {
    const hello = helloWith((h) => h.extensions.unshift(ext(0x4000, []), ext(0x4000, [])));
    const trailing = handshakeMessage(CLIENT_HELLO, concat(hello.subarray(4), Uint8Array.of(0)));
    expectAbort(feedServer(record(0x16, trailing)), 'decode_error', { plaintext: true }, 'DecodeError');
  });

  it('the server sends decode_error, not the illegal_parameter of an empty key_exchange, for a ClientHello with bytes left over', () => {
    const hello = helloWith((h) => (h.extensions = h.extensions.map((e) => (e.type === 51 ? ext(51, [0, 4, 0x00, 0x1d, 0, 0]) : e))));
    expectAbort(feedServer(record(0x16, hello)), 'illegal_parameter', { plaintext: true }, 'BadKeyShare');
    const trailing = handshakeMessage(CLIENT_HELLO, concat(hello.subarray(4), Uint8Array.of(0)));
    expectAbort(feedServer(record(0x16, trailing)), 'decode_error', { plaintext: true }, 'DecodeError');
  });

  it('the client sends decode_error for an empty cookie in a HelloRetryRequest (§4.2.2: <1..2^16-1>)', () => {
    const result = clientAbort(hrrEdit((hrr) => ({ ...hrr, extensions: [...hrr.extensions, ext(44, [0, 0])] })), ...HRR_CONFIGS);
    expectAbort(result, 'decode_error', { plaintext: true }, 'DecodeError');
  });

  it('the client sends decode_error for a NewSessionTicket with an empty ticket (§4.6.1: <1..2^16-1>)', () => {
    const tickets = { count: 1, key: new Uint8Array(32).fill(9) };
    const pair = tamperedPair(clientConfig(), serverConfig({ tickets }), 'server', 1, (bytes, p) =>
      editProtectedHandshake(bytes, { suite: suiteNamed(p.server.info.cipherSuite), secret: announcedSecret(p.events('server'), 'server_application_traffic_secret_0') }, (ms) =>
        ms.map((m) => (m.kind === 'new_session_ticket' ? { ...m, ticket: new Uint8Array(0) } : m)),
      ),
    );
    const result = runUntilAbort(pair);
    expect(result.side).toBe('client');
    expectAbort(result, 'decode_error', { protectedFor: result.peer }, 'DecodeError');
  });

  it.each([31, 33])('the server sends decode_error for a PSK binder of %i bytes (31: under <32..255>; 33: not SHA-256 length), not decrypt_error (as OpenSSL)', (length) => {
    const configs = scenarioConfigs('resumption', nobleProvider, 12);
    const pair = new InMemoryPair(configs.client, configs.server, {
      tamper: ({ from, bytes }) =>
        from === 'client'
          ? editPlaintextHandshake(bytes, (ms) =>
              ms.map((m) => {
                if (m.kind !== 'client_hello') return m;
                const psk = m.extensions.at(-1)!;
                const offered = preSharedKeyClientHello.parse(psk.data);
                const binders = offered.binders.map(() => new Uint8Array(length));
                return { ...m, extensions: [...m.extensions.slice(0, -1), { type: psk.type, data: preSharedKeyClientHello.encode({ ...offered, binders }) }] };
              }),
            )
          : bytes,
    });
    pair.step('client');
    const alerts = pair.events('server').filter((e) => e.type === 'alert' && e.direction === 'out');
    expect(alerts).toEqual([expect.objectContaining({ description: 'decode_error', reason: 'DecodeError' })]);
    expect(hex(pair.server.takeOutput())).toBe('15030300020232');
  });
});

describe('a victim stays put after the alert', () => {
  it('a server that refused an oversized header ignores the body that follows', () => {
    const victim = Connection.server(serverConfig());
    victim.receive(record(0x16, header(CLIENT_HELLO, DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH + 1)));
    victim.takeEvents();
    victim.takeOutput();
    victim.receive(record(0x16, new Uint8Array(2 ** 14)));
    expect(victim.takeEvents()).toEqual([]);
    expect(victim.takeOutput()).toHaveLength(0);
  });
});
