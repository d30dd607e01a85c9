// Our client against an odd or malicious server, case by case as BoringSSL's runner (ssl/test/runner)
// names its TLS 1.3 client tests; tlsfuzzer has no client scripts. Each edit of an otherwise honest server
// flight gets the alert RFC 8446 names. Cases covered elsewhere (test/handshake/bad-input, hello-retry,
// conformance; server-hello.test.ts here) are not repeated.
import { describe, expect, it } from 'vitest';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { editPlaintextHandshake, type EditedMessages } from '../../src/testing/tamper.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { clientAbort, clientConfig, expectAbort, ext, protectedEdit, runUntilAbort, serverConfig, serverHelloEdit, tamperedPair, type FlightEdit } from '../handshake/abort-harness.js';

/** An edit of the EncryptedExtensions in the server's first flight. */
const encryptedExtensions = (edit: (extensions: ReturnType<typeof ext>[]) => ReturnType<typeof ext>[]): FlightEdit =>
  protectedEdit('server', (ms) => ms.map((m) => (m.kind === 'encrypted_extensions' ? { ...m, extensions: edit(m.extensions) } : m)));

describe('EncryptedExtensions', () => {
  it('"UnknownExtension-Client-TLS13": an extension we never sent is unsupported_extension (§4.2)', () => {
    const result = clientAbort(encryptedExtensions((list) => [...list, ext(0x1234, [])]));
    expectAbort(result, 'unsupported_extension', { protectedFor: result.peer });
  });

  it('"UnsolicitedServerNameAck-TLS13": server_name when we sent none is unsupported_extension (§4.2)', () => {
    const result = clientAbort(encryptedExtensions((list) => [...list, ext(ExtensionType.server_name, [])]), { serverName: undefined });
    expectAbort(result, 'unsupported_extension', { protectedFor: result.peer });
  });

  it('"ServerNameExtensionClient-TLS13" with a body: the acknowledgement is empty (RFC 6066 §3), so decode_error', () => {
    const result = clientAbort(encryptedExtensions((list) => [...list.filter((e) => e.type !== ExtensionType.server_name), ext(ExtensionType.server_name, [0, 0])]));
    expectAbort(result, 'decode_error', { protectedFor: result.peer });
  });

  it('"ALPNClient-EmptyProtocolName-TLS13": an empty protocol name is decode_error (RFC 7301 §3.1: ProtocolName<1..2^8-1>)', () => {
    const result = clientAbort(encryptedExtensions((list) => [...list, ext(ExtensionType.application_layer_protocol_negotiation, [0, 1, 0])]), { alpnProtocols: ['h2'] });
    expectAbort(result, 'decode_error', { protectedFor: result.peer });
  });

  it('"ALPNClient-Mismatch-TLS13": a protocol we did not offer is illegal_parameter', () => {
    const result = clientAbort(encryptedExtensions((list) => [...list, ext(ExtensionType.application_layer_protocol_negotiation, [0, 3, 2, 0x68, 0x33])]), { alpnProtocols: ['h2'] });
    expectAbort(result, 'illegal_parameter', { protectedFor: result.peer });
  });
});

describe('CertificateRequest in the handshake', () => {
  const withRequest = (edit: (m: Extract<HandshakeMessage, { kind: 'certificate_request' }>) => HandshakeMessage) =>
    protectedEdit('server', (ms) => ms.map((m) => (m.kind === 'certificate_request' ? edit(m) : m)));
  const asked = { clientAuth: 'optional' as const, trust: clientConfig().trust };

  it('"RequestContextInHandshake-TLS13": a non-empty certificate_request_context is decode_error (§4.3.2: "SHALL be zero length"; certificate-context.test.ts)', () => {
    const result = runUntilAbort(tamperedPair(clientConfig(), serverConfig(asked), 'server', 0, withRequest((m) => ({ ...m, context: Uint8Array.of(1) }))));
    expect(result.side).toBe('client');
    expectAbort(result, 'decode_error', { protectedFor: result.peer });
  });

  it.each([
    ['beside an unknown extension (ignored, §4.3.2): missing_extension (§4.3.2: "MUST be specified")', [ext(0x1234, [])], 'missing_extension'],
    ['and nothing else: decode_error, the vector is extensions<2..2^16-1> (§4.3.2, §6.2)', [], 'decode_error'],
  ] as const)('without signature_algorithms, %s', (_, others, alert) => {
    const edit = withRequest((m) => ({ ...m, extensions: [...m.extensions.filter((e) => e.type !== ExtensionType.signature_algorithms), ...others] }));
    const result = runUntilAbort(tamperedPair(clientConfig(), serverConfig(asked), 'server', 0, edit));
    expect(result.side).toBe('client');
    expectAbort(result, alert, { protectedFor: result.peer });
  });
});

describe('HelloRetryRequest', () => {
  // Our client sends an x25519 share; a server that prefers secp256r1 asks for it.
  const retrying = { groups: [NamedGroup.secp256r1, NamedGroup.x25519], helloRetryForPreferredGroup: true };
  const clientOffer = { keyShareGroups: [NamedGroup.x25519], groups: [NamedGroup.x25519, NamedGroup.secp256r1] };
  const hrrEdit = (edit: (extensions: ReturnType<typeof ext>[]) => ReturnType<typeof ext>[]): FlightEdit => (bytes) =>
    editPlaintextHandshake(bytes, (ms) => ms.map((m) => (m.kind === 'hello_retry_request' ? { ...m, extensions: edit(m.extensions) } : m)));
  const abortOnRetry = (edit: FlightEdit) => {
    const result = runUntilAbort(tamperedPair(clientConfig(clientOffer), serverConfig(retrying), 'server', 0, edit));
    expect(result.side).toBe('client');
    return result;
  };

  it('the control: the retry completes', () => {
    const pair = tamperedPair(clientConfig(clientOffer), serverConfig(retrying), 'server', 0, (bytes) => bytes).run();
    expect(pair.client.isConnected && pair.client.info.group === 'secp256r1').toBe(true);
  });

  it('"UnknownExtensionInHelloRetryRequest" ("HelloRetryRequest-Unknown"): unsupported_extension (§4.1.4, §4.2)', () => {
    expectAbort(abortOnRetry(hrrEdit((list) => [...list, ext(0x1234, [])])), 'unsupported_extension', { plaintext: true });
  });

  it('"HelloRetryRequest-DuplicateCookie": the same extension twice is illegal_parameter (§4.2)', () => {
    const cookie = ext(ExtensionType.cookie, X.cookie.encode(Uint8Array.of(1, 2)));
    expectAbort(abortOnRetry(hrrEdit((list) => [...list, cookie, cookie])), 'illegal_parameter', { plaintext: true });
  });

  it('"HelloRetryRequest-EmptyCookie": decode_error (§4.2.2: cookie<1..2^16-1>)', () => {
    expectAbort(abortOnRetry(hrrEdit((list) => [...list, ext(ExtensionType.cookie, [0, 0])])), 'decode_error', { plaintext: true });
  });

  // BoringSSL's "PartialServerHelloWithHelloRetryRequest" (EXCESS_HANDSHAKE_DATA): the server's next message can
  // only answer our ClientHello2, so handshake bytes behind the HelloRetryRequest in its record came too early.
  it.each([
    ['the first bytes of a ServerHello', (hrr: Uint8Array) => hrr.subarray(0, 10)],
    ['a whole second HelloRetryRequest', (hrr: Uint8Array) => hrr],
  ])('"PartialServerHelloWithHelloRetryRequest": %s in the record of the HelloRetryRequest is unexpected_message', (_, behind) => {
    const edit: FlightEdit = (bytes) => editPlaintextHandshake(bytes, (ms) => ms.flatMap((m): EditedMessages => (m.kind === 'hello_retry_request' ? [m, behind(encodeHandshake(m))] : [m])));
    expectAbort(abortOnRetry(edit), 'unexpected_message', { plaintext: true }, 'UnexpectedMessage');
  });

  // §4.1.4: "The value of selected_version in the HelloRetryRequest "supported_versions" extension MUST be retained
  // in the ServerHello, and a client MUST abort the handshake with an "illegal_parameter" alert if the value changes."
  it('"SecondServerHelloNoVersion-TLS13": a ServerHello after the HelloRetryRequest without supported_versions is illegal_parameter', () => {
    const edit = serverHelloEdit((sh) => ({ ...sh, extensions: sh.extensions.filter((e) => e.type !== ExtensionType.supported_versions) }));
    const result = runUntilAbort(tamperedPair(clientConfig(clientOffer), serverConfig(retrying), 'server', 1, edit));
    expect(result.side).toBe('client');
    expectAbort(result, 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });

  it('"HelloRetryRequestVersionMismatch": supported_versions selecting TLS 1.2 is illegal_parameter (§4.2.1)', () => {
    const edit = hrrEdit((list) => list.map((e) => (e.type === ExtensionType.supported_versions ? ext(e.type, [3, 3]) : e)));
    expectAbort(abortOnRetry(edit), 'illegal_parameter', { plaintext: true });
  });
});

describe('resumption', () => {
  const tickets = { count: 1, key: new Uint8Array(32).fill(9) };
  const ticket = (() => {
    const first = new InMemoryPair(clientConfig(), serverConfig({ tickets })).run();
    const event = first.events('client').find((e) => e.type === 'session-ticket');
    if (event?.type !== 'session-ticket') throw new Error('no ticket');
    return event.ticket as SessionTicket;
  })();
  const resumingAbort = (edit: FlightEdit) => {
    const result = runUntilAbort(tamperedPair(clientConfig({ resumption: { ticket } }), serverConfig({ tickets }), 'server', 0, edit));
    expect(result.side).toBe('client');
    return result;
  };

  it('the control: the ticket resumes', () => {
    const pair = new InMemoryPair(clientConfig({ resumption: { ticket } }), serverConfig({ tickets })).run();
    expect(pair.client.isConnected && pair.client.info.resumed).toBe(true);
  });

  // psk_dhe_ke requires a key_share from the server (§4.2.9): without one the ServerHello lacks an extension the
  // mode makes mandatory, missing_extension, as BoringSSL (MISSING_KEY_SHARE) and rustls answer.
  it('"NegotiatePSKResumption-TLS13": our ticket accepted without a key_share (we offered psk_dhe_ke only) is missing_extension', () => {
    const edit = serverHelloEdit((sh) => ({ ...sh, extensions: sh.extensions.filter((e) => e.type !== ExtensionType.key_share) }));
    expectAbort(resumingAbort(edit), 'missing_extension', { plaintext: true }, 'MissingExtension');
  });

  it('"TLS13-InvalidPSKIdentity": a selected_identity past the one we offered is illegal_parameter (§4.2.11)', () => {
    const edit = serverHelloEdit((sh) => ({ ...sh, extensions: sh.extensions.map((e) => (e.type === ExtensionType.pre_shared_key ? ext(e.type, X.preSharedKeyServerHello.encode(1)) : e)) }));
    expectAbort(resumingAbort(edit), 'illegal_parameter', { plaintext: true });
  });

  it('"TLS13-PSK-CipherMismatch"-like: a suite of another hash than the ticket\'s, with the PSK, is illegal_parameter (§4.2.11)', () => {
    const edit = serverHelloEdit((sh) => ({ ...sh, cipherSuite: 0x1302 }));
    const result = runUntilAbort(tamperedPair(clientConfig({ resumption: { ticket }, cipherSuites: [0x1301, 0x1302] }), serverConfig({ tickets }), 'server', 0, edit));
    expect(result.side).toBe('client');
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });
});

// BoringSSL's "EarlyDataWithoutResume-Client-TLS13": a server that does not resume our ticket (no pre_shared_key
// in its ServerHello) has no 0-RTT to accept, so early_data in its EncryptedExtensions answers an offer that
// no longer stands: unsupported_extension (§4.2), as BoringSSL answers (UNEXPECTED_EXTENSION). Accepting it for
// another PSK than the ticket, or in another suite, stays illegal_parameter (§4.2.10, accepted-early-data tests).
describe('0-RTT', () => {
  const tickets = { count: 1, key: new Uint8Array(32).fill(5), maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() };
  const ticket = (() => {
    const event = new InMemoryPair(clientConfig(), serverConfig({ tickets })).run().events('client').find((e) => e.type === 'session-ticket');
    if (event?.type !== 'session-ticket') throw new Error('no ticket');
    return event.ticket as SessionTicket;
  })();
  const offering = clientConfig({ resumption: { ticket, earlyData: Uint8Array.of(1, 2, 3) } });
  // Another ticket key: the ticket does not open, and the server answers with a full handshake.
  const declining = serverConfig({ tickets: { ...tickets, key: new Uint8Array(32).fill(6), antiReplay: new SingleUseTickets() } });

  it('the control: a server that declines the ticket rejects the 0-RTT data, and we connect', () => {
    const pair = new InMemoryPair(offering, declining).run();
    expect(pair.client.isConnected && pair.client.info.earlyData === 'rejected' && !pair.client.info.resumed).toBe(true);
  });

  it('"EarlyDataWithoutResume-Client-TLS13": early_data in EncryptedExtensions without resuming is unsupported_extension', () => {
    const result = runUntilAbort(tamperedPair(offering, declining, 'server', 0, encryptedExtensions((list) => [...list, ext(ExtensionType.early_data, [])])));
    expect(result.side).toBe('client');
    expectAbort(result, 'unsupported_extension', { protectedFor: result.peer }, 'UnsolicitedExtension');
    expect(result.victim.info.earlyData).not.toBe('accepted');
  });
});
