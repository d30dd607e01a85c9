// BoringSSL's BoGo tests (ssl/test/runner) in which the shim is the TLS 1.3 server and the runner's client
// sends a ClientHello BoGo bends (a ProtocolBugs field), replayed against our server: the ClientHello, the
// HelloRetryRequest and the second ClientHello, the session id, key_share, ChangeCipherSpec, duplicate
// extensions, SNI, ALPN and version negotiation. Each case is named as BoGo names the test and grouped by the Go
// function that adds it (addTLS13HandshakeTests in tls13_tests.go, addExtensionTests in extension_tests.go,
// addVersionNegotiationTests and its neighbours in version_tests.go); it states what BoGo expects (shouldFail,
// expectedError / expectedLocalError) and checks our exact answer. docs/bogo-server.md lists every server test
// read, and why some are not replayed or answered otherwise.
import { describe, expect, it } from 'vitest';
import { MAX_CONSECUTIVE_EMPTY_RECORDS } from '../../src/record/layer.js';
import { splitRecords } from '../../src/testing/tamper.js';
import { utf8 } from '../../src/wire/bytes.js';
import { CipherSuite, ContentType, ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshake } from '../../src/wire/messages.js';
import type { ClientHello, Extension, HandshakeMessage } from '../../src/wire/types.js';
import { alpnOffer, EXT, expectAbort, ext, feedServer, helloWith, keyShare, p256Public, record, replacingExtension, shareEntry, u16, withoutExtension, x25519Public } from '../handshake/abort-harness.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { expectRefused, kinds, messageOf, runnerExtensions } from './bogo-server-harness.js';
import { codePointList, ScriptedClient } from './scripted-client.js';

const { handshake: HANDSHAKE, change_cipher_spec: CHANGE_CIPHER_SPEC } = ContentType;
const { x25519: X25519, secp256r1: P256, secp384r1: P384, secp521r1: P521 } = NamedGroup;
const { TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256 } = CipherSuite;

const serve = (edit: (h: ClientHello) => void, config: Partial<ServerConfig> = {}, recordVersion = 0x0303) => feedServer(record(HANDSHAKE, helloWith(edit), recordVersion), config);
const refuses = (result: ReturnType<typeof feedServer>, alert: Parameters<typeof expectAbort>[1]) => expectAbort(result, alert, { plaintext: true });

/** The server's first message and the content types of its records; no alert, still open. */
function answered(result: ReturnType<typeof feedServer>): { first: HandshakeMessage; records: number[] } {
  expect(result.events.filter((e) => e.type === 'alert')).toEqual([]);
  expect(result.victim.isClosed).toBe(false);
  const records = splitRecords(result.output);
  return { first: decodeHandshake(records[0]!.fragment), records: records.map((r) => r.type) };
}

function serverHello(result: ReturnType<typeof feedServer>) {
  const { first } = answered(result);
  if (first.kind !== 'server_hello') throw new Error(`answered with ${first.kind}`);
  return first;
}

const chosenGroup = (extensions: Extension[]) => X.bodyOf(X.keyShareServerHello, X.findExtension(extensions, ExtensionType.key_share)!).group;
/** A ClientHello1 with an empty key_share (BoGo's DefaultCurves: []), answered by a HelloRetryRequest for X25519. */
function retried(seed: string, config: Partial<ServerConfig> = {}, groups?: number[]) {
  const client = new ScriptedClient(config, seed);
  const retry = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { shares: [], ...(groups ? { groups } : {}) }));
  expect(kinds(retry)).toEqual(['hello_retry_request']);
  const hrr = retry.messages[0]!;
  if (hrr.kind !== 'hello_retry_request') throw new Error(hrr.kind);
  expect(X.bodyOf(X.keyShareHelloRetryRequest, X.findExtension(hrr.extensions, ExtensionType.key_share)!)).toBe(X25519);
  return client;
}

describe('addTLS13HandshakeTests: the ClientHello (tls13_tests.go)', () => {
  it('MissingKeyShare-Server-TLS13 (no key_share) → MISSING_KEY_SHARE, "remote error: missing extension"; ours: missing_extension (§9.2)', () => {
    refuses(serve(withoutExtension(EXT.key_share)), 'missing_extension');
  });

  it('DuplicateKeyShares-TLS13 (two X25519 KeyShareEntry) → DUPLICATE_KEY_SHARE; ours: illegal_parameter (§4.2.8)', () => {
    refuses(serve(replacingExtension(ext(EXT.key_share, [...u16(2 * 36), ...shareEntry(X25519, x25519Public()), ...shareEntry(X25519, x25519Public())]))), 'illegal_parameter');
  });

  it('the control: two shares of different groups are answered with the first one we support', () => {
    const hello = serverHello(
      serve((h) => {
        replacingExtension(codePointList(EXT.supported_groups, [X25519, P256]))(h);
        replacingExtension(ext(EXT.key_share, [...u16(36 + 69), ...shareEntry(X25519, x25519Public()), ...shareEntry(P256, p256Public())]))(h);
      }),
    );
    expect(chosenGroup(hello.extensions)).toBe(X25519);
  });

  it('TrailingKeyShareData-TLS13 (a byte after the KeyShareEntry list) → DECODE_ERROR; ours: decode_error', () => {
    const share = keyShare(X25519, x25519Public()).data;
    refuses(serve(replacingExtension(ext(EXT.key_share, [...share, 0]))), 'decode_error');
  });

  it.each([
    ['EmptySessionID-TLS13', 0],
    ['Server-ShortSessionID-TLS13', 16],
    ['Server-FullSessionID-TLS13', 32],
  ])('%s (legacy_session_id of %i bytes) → echoed; ours: echoed', (_, length) => {
    const id = Uint8Array.from({ length }, (_, i) => i + 1);
    expect(serverHello(serve((h) => void (h.legacySessionId = id))).legacySessionIdEcho).toEqual(id);
  });

  // EmptySessionID-TLS13 also pins BoringSSL's choice to send the compatibility ChangeCipherSpec always. RFC 8446
  // App. D.4 ties it to the client's wish (a non-empty session id, "middlebox compatibility mode"); we follow that.
  it('EmptySessionID-TLS13, the ChangeCipherSpec → BoringSSL always sends one; ours: only for a client that asked with a session id (App. D.4)', () => {
    expect(answered(serve((h) => void (h.legacySessionId = new Uint8Array(0)))).records).not.toContain(CHANGE_CIPHER_SPEC);
    expect(answered(serve((h) => void (h.legacySessionId = new Uint8Array(32).fill(1)))).records.slice(0, 2)).toEqual([HANDSHAKE, CHANGE_CIPHER_SPEC]);
  });

  it('Server-TooLongSessionID-TLS13 (33 bytes) → CLIENTHELLO_PARSE_FAILED, "remote error: error decoding message"; ours: decode_error (§4.1.2: <0..32>)', () => {
    refuses(serve((h) => void (h.legacySessionId = new Uint8Array(33))), 'decode_error');
  });

  it('SkipChangeCipherSpec-Server-TLS13 (a session id, no ChangeCipherSpec from the client) → a handshake; ours: the same', () => {
    const client = new ScriptedClient({}, 'bogo skip ccs');
    const flight = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client));
    expect(flight.alerts).toEqual([]);
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.isConnected).toBe(true);
  });
});

describe('addTLS13HandshakeTests: HelloRetryRequest and the second ClientHello (tls13_tests.go)', () => {
  it('SendHelloRetryRequest-TLS13 (an empty key_share) → a HelloRetryRequest, then X25519; ours: the same', () => {
    const client = retried('bogo hrr');
    const flight = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client));
    expect(flight.alerts).toEqual([]);
    expect(chosenGroup(messageOf(flight, 'server_hello').extensions)).toBe(X25519);
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.isConnected).toBe(true);
  });

  // BoringSSL always asks for its most preferred group; RFC 8446 §4.2.8 lets the server take any offered share
  // of a group it supports ("If the server selects an (EC)DHE group and the client did not offer a compatible
  // key_share ... HelloRetryRequest"). rustls's config.json disables the test for the same reason. Ours does
  // BoringSSL's with helloRetryForPreferredGroup.
  it('SendHelloRetryRequest-2-TLS13 (a P-384 share; groups X25519, P-384) → BoringSSL retries for X25519; ours: P-384 at once, X25519 after a retry with helloRetryForPreferredGroup', () => {
    const shared = (config: Partial<ServerConfig>) => {
      const client = new ScriptedClient({ groups: [X25519, P384], ...config }, 'bogo hrr 2');
      return { client, answer: client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { shares: [P384], groups: [X25519, P384] })) };
    };
    const { answer } = shared({});
    expect(chosenGroup(messageOf(answer, 'server_hello').extensions)).toBe(P384);
    const { client, answer: retry } = shared({ helloRetryForPreferredGroup: true });
    expect(kinds(retry)).toEqual(['hello_retry_request']);
    const flight = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { shares: [X25519], groups: [X25519, P384] }));
    expect(flight.alerts).toEqual([]);
    expect(chosenGroup(messageOf(flight, 'server_hello').extensions)).toBe(X25519);
  });

  it('SecondClientHelloMissingKeyShare-TLS13 (ClientHello2 without a share) → MISSING_KEY_SHARE; ours: illegal_parameter (§4.1.2)', () => {
    const client = retried('bogo hrr no share');
    expectRefused(client, client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { shares: [] })), 'illegal_parameter');
  });

  it('SecondClientHelloWrongCurve-TLS13 (ClientHello2 shares P-521, not the X25519 asked for) → WRONG_CURVE; ours: illegal_parameter (§4.2.8)', () => {
    const client = retried('bogo hrr wrong curve', { groups: [X25519, P521] }, [X25519, P521]);
    expectRefused(client, client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { shares: [P521], groups: [X25519, P521] })), 'illegal_parameter');
  });

  it('SecondClientHelloWrongCurve-TLS13, the control: ClientHello2 with the X25519 share asked for is answered', () => {
    const client = retried('bogo hrr right curve', { groups: [X25519, P521] }, [X25519, P521]);
    expect(client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { groups: [X25519, P521] })).alerts).toEqual([]);
  });
});

describe('addTLS13HandshakeTests: ChangeCipherSpec (tls13_tests.go)', () => {
  const ccs = record(CHANGE_CIPHER_SPEC, Uint8Array.of(1));

  // BoringSSL counts consecutive empty and ChangeCipherSpec records and stops after 32 (TOO_MANY_EMPTY_FRAGMENTS),
  // bounding the work a peer can cause without progress; we keep the same bound (RFC 8446 §5 asks a receiver to
  // drop a ChangeCipherSpec, and says nothing of how many).
  it('TooManyChangeCipherSpec-Server-TLS13 (33 ChangeCipherSpec records) → TOO_MANY_EMPTY_FRAGMENTS; ours: unexpected_message at the 33rd (MAX_CONSECUTIVE_EMPTY_RECORDS)', () => {
    const client = new ScriptedClient({}, 'bogo many ccs');
    expect(client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client)).alerts).toEqual([]);
    for (let i = 0; i < MAX_CONSECUTIVE_EMPTY_RECORDS; i++) expect(client.sendRaw(ccs).alerts).toEqual([]);
    expectRefused(client, client.sendRaw(ccs), 'unexpected_message');
  });

  it('TooManyChangeCipherSpec-Server-TLS13, the control: 32 ChangeCipherSpec records are dropped and the handshake completes', () => {
    const client = new ScriptedClient({}, 'bogo ccs x32');
    expect(client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client)).alerts).toEqual([]);
    for (let i = 0; i < MAX_CONSECUTIVE_EMPTY_RECORDS; i++) expect(client.sendRaw(ccs).alerts).toEqual([]);
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.isConnected).toBe(true);
  });
});

describe('addTLS13CipherPreferenceTests (tls13_tests.go)', () => {
  // BoringSSL honours the client's order when it has AES hardware and prefers ChaCha20 otherwise; we take
  // our own order (RFC 8446 §4.1.1 leaves the choice to the server).
  it.each([
    ['TLS13-CipherPreference-Server-ChaCha20-AES', [TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256]],
    ['TLS13-CipherPreference-Server-AES-ChaCha20', [TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256]],
  ])('%s → BoringSSL: by AES hardware; ours: our first suite the client offered, TLS_AES_128_GCM_SHA256', (_, suites) => {
    expect(serverHello(serve((h) => void (h.cipherSuites = suites))).cipherSuite).toBe(TLS_AES_128_GCM_SHA256);
  });
});

describe('addExtensionTests: TLS-TLS13 server cases (extension_tests.go)', () => {
  // The runner's DuplicateExtension bug puts an empty extension 0xffff at the start and at the end.
  // RFC 8446 §4.2 forbids two extensions of a type in a block and names no alert; BoringSSL sends decode_error,
  // we send illegal_parameter (§6.2: "a field ... inconsistent with other fields"), as for a duplicate pre_shared_key.
  it('DuplicateExtensionServer-TLS-TLS13 (extension 0xffff twice) → "remote error: error decoding message"; ours: illegal_parameter (§4.2)', () => {
    const result = serve((h) => {
      h.extensions.unshift(ext(0xffff, []));
      h.extensions.push(ext(0xffff, []));
    });
    refuses(result, 'illegal_parameter');
  });

  it('ServerNameExtensionServer-TLS-TLS13 (SNI example.com) → the name seen, acknowledged; ours: the same (RFC 6066 §3)', () => {
    const sni = utf8.encode('example.com');
    const client = new ScriptedClient({}, 'bogo sni');
    const body = [0, sni.length + 3, 0, ...u16(sni.length), ...sni];
    const flight = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { more: [ext(ExtensionType.server_name, body)] }));
    const encrypted = messageOf(flight, 'encrypted_extensions');
    expect(X.findExtension(encrypted.extensions, ExtensionType.server_name)?.data).toEqual(new Uint8Array(0));
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.info.serverName).toBe('example.com');
  });

  it('ServerNameExtensionServer-NoACK-TLS-TLS13 → the name seen, not acknowledged; ours: with serverFlight.serverNameAck false', () => {
    const sni = utf8.encode('example.com');
    const client = new ScriptedClient({ serverFlight: { serverNameAck: false } }, 'bogo sni no ack');
    const flight = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { more: [ext(ExtensionType.server_name, [0, sni.length + 3, 0, ...u16(sni.length), ...sni])] }));
    const encrypted = messageOf(flight, 'encrypted_extensions');
    expect(X.findExtension(encrypted.extensions, ExtensionType.server_name)).toBeUndefined();
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.info.serverName).toBe('example.com');
  });

  const alpnOf = (result: ReturnType<typeof feedServer>) => {
    serverHello(result);
    return result.victim.info.alpn;
  };

  it('ALPNServer-TLS-TLS13 (foo, bar, baz offered; the shim selects foo) → foo; ours: foo', () => {
    const client = new ScriptedClient({ alpnProtocols: ['foo'] }, 'bogo alpn');
    const flight = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { more: [alpnOffer('foo', 'bar', 'baz')] }));
    const encrypted = messageOf(flight, 'encrypted_extensions');
    expect(X.bodyOf(X.alpn, X.findExtension(encrypted.extensions, ExtensionType.application_layer_protocol_negotiation)!)).toEqual(['foo']);
  });

  it('ALPNServer-Decline-TLS-TLS13 (the shim declines to choose) → no ALPN, a handshake; ours: a server without alpnProtocols', () => {
    expect(alpnOf(serve((h) => void h.extensions.unshift(alpnOffer('foo', 'bar', 'baz'))))).toBeUndefined();
  });

  it('ALPNServer-Reject-TLS-TLS13 (the shim speaks none) → NO_APPLICATION_PROTOCOL, "remote error: no application protocol"; ours: no_application_protocol (RFC 7301 §3.2)', () => {
    refuses(serve((h) => void h.extensions.unshift(alpnOffer('foo', 'bar', 'baz')), { alpnProtocols: ['qux'] }), 'no_application_protocol');
  });

  it('ALPNServer-EmptyProtocolName-TLS-TLS13 (foo, "", baz) → PARSE_TLSEXT; ours: decode_error (RFC 7301 §3.1: ProtocolName<1..2^8-1>)', () => {
    refuses(serve((h) => void h.extensions.unshift(ext(EXT.alpn, [0, 9, 3, ...utf8.encode('foo'), 0, 3, ...utf8.encode('baz')])), { alpnProtocols: ['foo'] }), 'decode_error');
  });
});

describe('addVersionNegotiationTests, addMinimumVersionTests, addRecordVersionTests (version_tests.go)', () => {
  const versions = (...list: number[]) => ext(EXT.supported_versions, [list.length * 2, ...list.flatMap(u16)]);

  it('VersionNegotiation-Server-TLS13-TLS13-TLS, -Server2- → TLS 1.3, the first record at 0x0303; ours: the same', () => {
    const result = serve(() => {});
    expect(X.findExtension(serverHello(result).extensions, ExtensionType.supported_versions)!.data).toEqual(Uint8Array.of(3, 4));
    expect(splitRecords(result.output)[0]!.version).toBe(0x0303);
  });

  it.each([
    ['VersionNegotiationExtension-TLS13-TLS (0x1111, TLS 1.3, 0x2222)', [0x1111, 0x0304, 0x2222], 0x0303],
    ['IgnoreClientVersionOrder (TLS 1.2, TLS 1.3)', [0x0303, 0x0304], 0x0303],
    ['VersionTolerance-TLS13 (legacy_version 0x0400 beside supported_versions)', [0x0304], 0x0400],
  ])('%s → TLS 1.3; ours: TLS 1.3 (§4.2.1: supported_versions alone decides)', (_, list, legacyVersion) => {
    const hello = serverHello(
      serve((h) => {
        h.legacyVersion = legacyVersion;
        replacingExtension(versions(...list))(h);
      }),
    );
    expect(X.findExtension(hello.extensions, ExtensionType.supported_versions)!.data).toEqual(Uint8Array.of(3, 4));
  });

  it.each([
    ['NoSupportedVersions (only 0x1111)', (h: ClientHello) => replacingExtension(versions(0x1111))(h)],
    ['MinimumVersion-Server-TLS13-TLS12-TLS, Downgrade-TLS12-Server-TLS (only TLS 1.2)', (h: ClientHello) => replacingExtension(versions(0x0303))(h)],
    ['Downgrade-TLS11-Server-TLS (only TLS 1.1)', (h: ClientHello) => replacingExtension(versions(0x0302))(h)],
    ['VersionTooLow (legacy_version 0x0200, no supported_versions)', (h: ClientHello) => ((h.legacyVersion = 0x0200), withoutExtension(EXT.supported_versions)(h))],
    ['NoSSL3-Server (legacy_version 0x0300, no supported_versions)', (h: ClientHello) => ((h.legacyVersion = 0x0300), withoutExtension(EXT.supported_versions)(h))],
  ])('%s → UNSUPPORTED_PROTOCOL, protocol version not supported; ours: protocol_version', (_, edit) => {
    refuses(serve(edit), 'protocol_version');
  });

  // These expect a TLS 1.2 handshake from a server that has TLS 1.2; ours has only TLS 1.3 and refuses a
  // ClientHello without supported_versions (§4.2.1, App. D).
  it.each([
    ['ClientHelloVersionTooHigh (legacy_version 0x0304, no supported_versions)', 0x0304],
    ['MinorVersionTolerance (0x03ff, no supported_versions)', 0x03ff],
    ['MajorVersionTolerance (0x0400, no supported_versions)', 0x0400],
  ])('%s → TLS 1.2; ours (no TLS 1.2): protocol_version', (_, legacyVersion) => {
    refuses(
      serve((h) => {
        h.legacyVersion = legacyVersion;
        withoutExtension(EXT.supported_versions)(h);
      }),
      'protocol_version',
    );
  });

  it('LooseInitialRecordVersion-TLS13 (the ClientHello record at 0x03ff) → a handshake; ours: the same (§5.1: ignored)', () => {
    serverHello(serve(() => {}, {}, 0x03ff));
  });

  // BoringSSL wants a record version of major 3 (WRONG_VERSION_NUMBER); RFC 8446 §5.1: legacy_record_version
  // "MUST be ignored for all purposes" (rustls's config.json disables CheckRecordVersion-*: "we don't look at
  // record version").
  it('GarbageInitialRecordVersion-TLS13 (the ClientHello record at 0xffff) → WRONG_VERSION_NUMBER; ours: answered (§5.1)', () => {
    serverHello(serve(() => {}, {}, 0xffff));
  });
});
