// TLS-Anvil's server tests (tls-attacker/TLS-Anvil, TLS-Testsuite) that go past the first flight, replayed
// against our server with the hand-written client of scripted-client.ts: full handshakes it inspects
// (server/tls13/rfc8446 Certificate, CertificateVerify, EncryptedExtensions, HelloRetryRequest,
// NewSessionTicket, RecordLayer), what a client sends wrongly after the ServerHello (both/tls13/rfc8446
// Finished, RecordLayer, server/tls13/statemachine/StateMachine), PSK offers (PreSharedKey) and 0-RTT
// (EarlyData). Each case is "Class#method → TLS-Anvil's expectation; ours". docs/tls-anvil-server.md lists
// them all.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { certifiedPublicKey, checkCertificateVerify } from '../../src/handshake/signatures.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { scenarioConfigs } from '../../src/testing/fuzz/scenarios.js';
import { flipBit, joinRecords, splitRecords } from '../../src/testing/tamper.js';
import { CipherSuite, ContentType, ExtensionType, NamedGroup, PskKeyExchangeMode, SignatureScheme } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import type { ClientHello, Extension, HandshakeMessage, NewSessionTicket } from '../../src/wire/types.js';
import { expectClosedForGood, ext, handshakeMessage, record, runUntilAbort, server as serverIdentity } from '../handshake/abort-harness.js';
import { helloWithPsk, ScriptedClient, ticketPsk, type Answer, type HeldTicket } from './scripted-client.js';

const { change_cipher_spec: CHANGE_CIPHER_SPEC, alert: ALERT, handshake: HANDSHAKE, application_data: APPLICATION_DATA } = ContentType;
const { TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 } = CipherSuite;
const ED25519 = SignatureScheme.ed25519;
const TICKET_KEY = new Uint8Array(32).fill(0x42);

const kinds = (messages: HandshakeMessage[]) => messages.map((m) => m.kind);
const tickets = (answer: Answer) => answer.messages.filter((m): m is NewSessionTicket => m.kind === 'new_session_ticket');
const modesExtension = (...modes: number[]) => ext(ExtensionType.psk_key_exchange_modes, [modes.length, ...modes]);

/** TLS-Attacker's default TLS 1.3 ClientHello, as far as our server looks: X25519, Ed25519, psk_dhe_ke. */
function extensions(client: ScriptedClient, options: { modes?: number[]; keyShare?: boolean; more?: Extension[] } = {}): Extension[] {
  const { modes = [PskKeyExchangeMode.psk_dhe_ke], keyShare = true, more = [] } = options;
  return [
    ...(keyShare ? [client.keyShare(NamedGroup.x25519), ext(ExtensionType.supported_groups, [0, 2, 0, NamedGroup.x25519])] : []),
    ext(ExtensionType.supported_versions, [2, 3, 4]),
    ext(ExtensionType.signature_algorithms, [0, 2, ED25519 >> 8, ED25519 & 0xff]),
    modesExtension(...modes),
    ...more,
  ];
}

const ticketing = (extra: Partial<NonNullable<ServerConfig['tickets']>> = {}): Partial<ServerConfig> => ({ tickets: { count: 2, key: TICKET_KEY, ...extra } });

/** A ScriptedClient through the server's first flight (ServerHello to Finished). */
function throughServerFlight(config: Partial<ServerConfig> = {}, suites: number[] = [TLS_AES_128_GCM_SHA256], seed = 'anvil') {
  const client = new ScriptedClient(config, seed);
  const flight = client.hello(suites, extensions(client));
  expect(flight.alerts).toEqual([]);
  expect(kinds(flight.messages)).toEqual(['server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
  return { client, flight };
}

/** A full handshake; the tickets it left the client. */
function connected(config: Partial<ServerConfig> = ticketing(), suites?: number[]) {
  const { client, flight } = throughServerFlight(config, suites);
  const afterFinished = client.finish();
  expect(afterFinished.alerts).toEqual([]);
  expect(client.server.isConnected).toBe(true);
  return { client, flight, afterFinished };
}

/** The fatal alert the server sent (and that it closed). */
function expectRefused(client: ScriptedClient, answer: Answer, alert: string): void {
  expect(answer.alerts).toEqual([alert]);
  expect(client.server.isClosed).toBe(true);
}

describe('a full handshake, inspected (server/tls13/rfc8446)', () => {
  it('Certificate#certificateListIsNotEmpty, CertificateVerify#signatureIsValid → a certificate, a valid signature; ours: the same', () => {
    const { client, flight } = throughServerFlight();
    const certificate = flight.messages.find((m) => m.kind === 'certificate')!;
    if (certificate.kind !== 'certificate') throw new Error('no Certificate');
    expect(certificate.entries.length).toBeGreaterThan(0);
    const verify = flight.messages.find((m) => m.kind === 'certificate_verify')!;
    if (verify.kind !== 'certificate_verify') throw new Error('no CertificateVerify');
    expect(verify.scheme).toBe(ED25519);
    const key = certifiedPublicKey(nobleProvider, serverIdentity);
    expect(checkCertificateVerify(nobleProvider, verify.scheme, key, 'server', client.signedTranscriptHash!, verify.signature)).toBe('ok');
    // The check can fail: the same signature over another transcript does not verify.
    expect(checkCertificateVerify(nobleProvider, verify.scheme, key, 'server', flipBit(client.signedTranscriptHash!, 0), verify.signature)).not.toBe('ok');
  });

  it.each([
    ['SignatureAlgorithms#offerLegacySignatureAlgorithms (rsa_pkcs1_sha1 first)', 0x0201],
    ['rfc8701/ClientInitiatedExtensionPoints#advertiseGreaseSignatureAlgorithms (0x0a0a first)', 0x0a0a],
  ])('%s → a TLS 1.3 scheme, not the first one, signs; ours: Ed25519', (_, first) => {
    const client = new ScriptedClient({}, 'anvil schemes');
    const sent = extensions(client).map((e) => (e.type === ExtensionType.signature_algorithms ? ext(e.type, [0, 4, first >> 8, first & 0xff, ED25519 >> 8, ED25519 & 0xff]) : e));
    const flight = client.hello([TLS_AES_128_GCM_SHA256], sent);
    const verify = flight.messages.find((m) => m.kind === 'certificate_verify');
    if (verify?.kind !== 'certificate_verify') throw new Error('no CertificateVerify');
    expect(verify.scheme).toBe(ED25519);
  });

  it('EncryptedExtensions#includedInvalidExtensions → only extensions allowed in EncryptedExtensions (§4.2); ours: none at all here', () => {
    const { flight } = throughServerFlight();
    const encrypted = flight.messages[1]!;
    if (encrypted.kind !== 'encrypted_extensions') throw new Error(encrypted.kind);
    expect(encrypted.extensions).toEqual([]);
  });

  it('RecordLayer#checkRecordProtocolVersion → every record but ChangeCipherSpec at 0x0303; ours: every record at 0x0303', () => {
    const { client, server } = scenarioConfigs('1rtt', nobleProvider, 5);
    const versions: number[] = [];
    const pair = new InMemoryPair(client, server, {
      tamper: ({ from, bytes }) => {
        if (from === 'server') versions.push(...splitRecords(bytes).map((r) => r.version));
        return bytes;
      },
    });
    pair.run();
    expect(pair.server.isConnected).toBe(true);
    expect(versions.length).toBeGreaterThan(2);
    expect(new Set(versions)).toEqual(new Set([0x0303]));
  });

  it('NewSessionTicket#newSessionTicketsAreValid → lifetime at most 604800 s, a fresh ticket_age_add each; ours: the same', () => {
    const issued = tickets(connected(ticketing({ lifetime: 604800 })).afterFinished);
    expect(issued).toHaveLength(2);
    for (const ticket of issued) expect(ticket.lifetime).toBeLessThanOrEqual(604800);
    expect(issued[0]!.ageAdd).not.toBe(issued[1]!.ageAdd);
  });
});

describe('both/tls13/rfc8446/HappyFlow and ComplianceRequirements', () => {
  const GROUPS = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];
  const SUITES = [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256];
  const combinations = SUITES.flatMap((suite) => GROUPS.map((group) => [suite, group] as const));

  it.each(combinations)('HappyFlow#happyFlow (suite %i, group %i) → a handshake without alert; ours: connected, data read', (suite, group) => {
    const client = new ScriptedClient({}, `anvil happy ${suite} ${group}`);
    const flight = client.hello([suite], [client.keyShare(group), ext(ExtensionType.supported_groups, [0, 2, group >> 8, group & 0xff]), ...extensions(client, { keyShare: false })]);
    expect(flight.alerts).toEqual([]);
    expect(kinds(flight.messages)).toEqual(['server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    expect(client.finish().alerts).toEqual([]);
    client.server.takeEvents();
    expect(client.send(Uint8Array.of(1, 2, 3)).alerts).toEqual([]);
    expect(client.server.takeEvents()).toContainEqual(expect.objectContaining({ type: 'data', data: Uint8Array.of(1, 2, 3) }));
  });

  it('ComplianceRequirements#supportsAes128GcmSha256, #supportsSecp256r1 → both taken (§9.1); ours: the same (the cases above)', () => {
    expect(combinations).toContainEqual([TLS_AES_128_GCM_SHA256, NamedGroup.secp256r1]);
  });
});

describe('server/tls13/rfc8446/HelloRetryRequest', () => {
  /** An empty key_share draws a HelloRetryRequest; the second ClientHello shares X25519. */
  function retried(suites: number[]) {
    const client = new ScriptedClient({}, 'anvil hrr');
    const rest = extensions(client).slice(1);
    const retry = client.hello(suites, [ext(ExtensionType.key_share, [0, 0]), ...rest]);
    expect(kinds(retry.messages)).toEqual(['hello_retry_request']);
    const flight = client.hello(suites, extensions(client));
    expect(flight.alerts).toEqual([]);
    expect(client.finish().alerts).toEqual([]);
    return { hrr: retry.messages[0]!, serverHello: flight.messages[0]! };
  }

  it.each([
    ['#selectsSameCipherSuite', [TLS_CHACHA20_POLY1305_SHA256]],
    ['#selectsSameCipherSuiteAllAtOnce', [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256]],
  ])('%s → the ServerHello keeps the HelloRetryRequest\'s suite; ours: the same', (_, suites) => {
    const { hrr, serverHello } = retried(suites);
    if (hrr.kind !== 'hello_retry_request' || serverHello.kind !== 'server_hello') throw new Error('no retry');
    expect(suites).toContain(hrr.cipherSuite);
    expect(serverHello.cipherSuite).toBe(hrr.cipherSuite);
  });

  it('#retainsProtocolVersion → the same supported_versions in both; ours: 0x0304 in both', () => {
    const { hrr, serverHello } = retried([TLS_AES_128_GCM_SHA256]);
    if (hrr.kind !== 'hello_retry_request' || serverHello.kind !== 'server_hello') throw new Error('no retry');
    const version = (extensions: Extension[]) => X.findExtension(extensions, ExtensionType.supported_versions)!.data;
    expect(version(hrr.extensions)).toEqual(Uint8Array.of(3, 4));
    expect(version(serverHello.extensions)).toEqual(version(hrr.extensions));
  });
});

describe('the client\'s second flight, malformed (both/tls13/rfc8446/Finished, server/tls13/rfc8446/RecordLayer)', () => {
  it.each([0, 7, 31])('Finished#verifyFinishedMessageCorrect (verify_data byte %i flipped) → decrypt_error; ours: decrypt_error', (index) => {
    const { client } = throughServerFlight();
    const finished = client.finishedMessage();
    expectRefused(client, client.sendSealed(HANDSHAKE, flipBit(finished, 4 + index, 7)), 'decrypt_error');
  });

  it('RecordLayer#zeroLengthRecord_Finished (a protected handshake record with no content) → unexpected_message (§5.4); ours: unexpected_message', () => {
    const { client } = throughServerFlight();
    expectRefused(client, client.sendSealed(HANDSHAKE, new Uint8Array(0)), 'unexpected_message');
  });

  it.each([
    ['close_notify', 0],
    ['user_canceled', 90],
    ['unexpected_message', 10],
  ])('RecordLayer#interleaveRecords (10 bytes of Finished, a warning %s, the rest) → a fatal alert (§5.1); ours: unexpected_message', (_, description) => {
    const { client } = throughServerFlight();
    const finished = client.finishedMessage();
    expect(client.sendSealed(HANDSHAKE, finished.subarray(0, 10)).alerts).toEqual([]);
    expectRefused(client, client.sendSealed(ALERT, Uint8Array.of(1, description)), 'unexpected_message');
  });
});

describe('server/tls13/statemachine/StateMachine', () => {
  it('#beginWithFinished (a plaintext Finished first) → a fatal alert; ours: unexpected_message', () => {
    const client = new ScriptedClient();
    expectRefused(client, client.sendRaw(record(HANDSHAKE, handshakeMessage(20, new Uint8Array(32)))), 'unexpected_message');
  });

  it.each([
    ['#sendLegacyFlowECDHClientKeyExchange', Uint8Array.of(32, ...new Uint8Array(32).fill(9))],
    ['#sendLegacyFlowDHClientKeyExchange', Uint8Array.of(1, 0, ...new Uint8Array(256).fill(9))],
    ['#sendLegacyFlowRSAClientKeyExchange', Uint8Array.of(1, 0, ...new Uint8Array(256).fill(9))],
  ])('%s (a ClientKeyExchange, type 16, instead of Finished) → a fatal alert; ours: unexpected_message', (_, body) => {
    const { client } = throughServerFlight();
    expectRefused(client, client.sendSealed(HANDSHAKE, handshakeMessage(16, body)), 'unexpected_message');
  });

  it('#sendClientHelloAfterFinishedHandshake → unexpected_message (§4.1.2); ours: unexpected_message', () => {
    const { client } = connected();
    const hello: ClientHello = { kind: 'client_hello', legacyVersion: 0x0303, random: new Uint8Array(32), legacySessionId: new Uint8Array(0), cipherSuites: [TLS_AES_128_GCM_SHA256], legacyCompressionMethods: Uint8Array.of(0), extensions: extensions(client) };
    expectRefused(client, client.sendSealed(HANDSHAKE, encodeHandshake(hello)), 'unexpected_message');
  });

  it('#sendLegacyChangeCipherSpecAfterFinished → a fatal alert (§5); ours: unexpected_message', () => {
    const { client } = connected();
    expectRefused(client, client.sendRaw(record(CHANGE_CIPHER_SPEC, Uint8Array.of(1))), 'unexpected_message');
  });

  it('#sendEncryptedChangeCipherSpec → a fatal alert (§5); ours: unexpected_message', () => {
    const { client } = connected();
    expectRefused(client, client.sendSealed(CHANGE_CIPHER_SPEC, Uint8Array.of(1)), 'unexpected_message');
  });
});

describe('server/tls13/rfc8446/PreSharedKey', () => {
  /** A ticket from a full handshake in `suite`. */
  function heldTicket(suite = TLS_AES_128_GCM_SHA256, config: Partial<ServerConfig> = ticketing()): HeldTicket {
    const { client, afterFinished } = connected(config, [suite]);
    return client.held(tickets(afterFinished)[0]!);
  }

  /** A resuming ClientHello with `held`'s PSK (binder computed), then `edit` on the encoded message. */
  function resumingHello(client: ScriptedClient, held: HeldTicket, options: Parameters<typeof extensions>[1] = {}, suites = [TLS_AES_128_GCM_SHA256]): ClientHello {
    const hello: ClientHello = { kind: 'client_hello', legacyVersion: 0x0303, random: new Uint8Array(32).fill(5), legacySessionId: new Uint8Array(0), cipherSuites: suites, legacyCompressionMethods: Uint8Array.of(0), extensions: extensions(client, options) };
    return decodeHandshake(helloWithPsk(hello, ticketPsk(held), held.suite)) as ClientHello;
  }

  const send = (client: ScriptedClient, hello: ClientHello) => client.sendRaw(record(HANDSHAKE, encodeHandshake(hello)));

  it('the control: the honest resumption is accepted, identity 0, with a key share (#selectedPSKIndexIsWithinOfferedListSize, #respectsKeyExchangeChoicePskDhe)', () => {
    const held = heldTicket();
    const client = new ScriptedClient(ticketing(), 'anvil resume');
    const answer = client.hello([TLS_AES_128_GCM_SHA256], extensions(client), { offer: ticketPsk(held), suite: held.suite });
    expect(answer.alerts).toEqual([]);
    expect(kinds(answer.messages)).toEqual(['server_hello', 'encrypted_extensions', 'finished']);
    const serverHello = answer.messages[0]!;
    if (serverHello.kind !== 'server_hello') throw new Error(serverHello.kind);
    expect(X.bodyOf(X.preSharedKeyServerHello, X.findExtension(serverHello.extensions, ExtensionType.pre_shared_key)!)).toBe(0);
    expect(X.findExtension(serverHello.extensions, ExtensionType.key_share)).toBeDefined();
  });

  it('#isNotLastExtension → illegal_parameter (§4.2.11); ours: illegal_parameter', () => {
    const client = new ScriptedClient(ticketing(), 'anvil psk order');
    const hello = resumingHello(client, heldTicket());
    const psk = hello.extensions.pop()!;
    hello.extensions.splice(hello.extensions.length - 1, 0, psk);
    expectRefused(client, send(client, hello), 'illegal_parameter');
  });

  it('#isLastButDuplicatedExtension → illegal_parameter (§4.2); ours: illegal_parameter', () => {
    const client = new ScriptedClient(ticketing(), 'anvil psk twice');
    const hello = resumingHello(client, heldTicket());
    hello.extensions.splice(hello.extensions.length - 2, 0, hello.extensions.at(-1)!);
    expectRefused(client, send(client, hello), 'illegal_parameter');
  });

  it.each([0, 15, 31])('#invalidBinder (binder byte %i flipped) → a fatal alert; ours: decrypt_error', (index) => {
    const client = new ScriptedClient(ticketing(), 'anvil binder');
    const hello = resumingHello(client, heldTicket());
    const offered = X.preSharedKeyClientHello.parse(hello.extensions.at(-1)!.data);
    const binders = [flipBit(offered.binders[0]!, index, 5)];
    hello.extensions[hello.extensions.length - 1] = { type: ExtensionType.pre_shared_key, data: X.preSharedKeyClientHello.encode({ ...offered, binders }) };
    expectRefused(client, send(client, hello), 'decrypt_error');
  });

  it('#noBinder (an empty binder list) → a fatal alert; ours: decode_error (§4.2.11: binders<33..2^16-1>)', () => {
    const client = new ScriptedClient(ticketing(), 'anvil no binder');
    const hello = resumingHello(client, heldTicket());
    const data = hello.extensions.at(-1)!.data;
    const identitiesLength = (data[0]! << 8) | data[1]!;
    hello.extensions[hello.extensions.length - 1] = { type: ExtensionType.pre_shared_key, data: Uint8Array.of(...data.subarray(0, 2 + identitiesLength), 0, 0) };
    expectRefused(client, send(client, hello), 'decode_error');
  });

  it('#sendPskExtensionWithoutPskKeyExchangeModes → a fatal alert (§4.2.9); ours: missing_extension', () => {
    const client = new ScriptedClient(ticketing(), 'anvil no modes');
    const hello = resumingHello(client, heldTicket());
    hello.extensions = hello.extensions.filter((e) => e.type !== ExtensionType.psk_key_exchange_modes);
    expectRefused(client, send(client, hello), 'missing_extension');
  });

  it('#resumeWithCipherWithDifferentHkdfHash (a SHA-256 ticket, only TLS_AES_256_GCM_SHA384 offered) → the PSK not accepted; ours: a full handshake', () => {
    const held = heldTicket();
    const client = new ScriptedClient(ticketing(), 'anvil other hash');
    const answer = client.hello([TLS_AES_256_GCM_SHA384], extensions(client), { offer: ticketPsk(held), suite: held.suite });
    expect(answer.alerts).toEqual([]);
    expect(kinds(answer.messages)).toEqual(['server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    const serverHello = answer.messages[0]!;
    if (serverHello.kind !== 'server_hello') throw new Error(serverHello.kind);
    expect(serverHello.cipherSuite).toBe(TLS_AES_256_GCM_SHA384);
    expect(X.findExtension(serverHello.extensions, ExtensionType.pre_shared_key)).toBeUndefined();
  });

  it('#respectsKeyExchangeChoicePskOnly (psk_ke, no key_share), a server that allows it → pre_shared_key, no key_share (§4.2.9); ours: the same', () => {
    const config = ticketing({ allowPskWithoutDhe: true });
    const held = heldTicket(TLS_AES_128_GCM_SHA256, config);
    const client = new ScriptedClient(config, 'anvil psk_ke');
    const answer = client.hello([TLS_AES_128_GCM_SHA256], extensions(client, { modes: [PskKeyExchangeMode.psk_ke], keyShare: false }), { offer: ticketPsk(held), suite: held.suite });
    expect(answer.alerts).toEqual([]);
    const serverHello = answer.messages[0]!;
    if (serverHello.kind !== 'server_hello') throw new Error(serverHello.kind);
    expect(X.findExtension(serverHello.extensions, ExtensionType.pre_shared_key)).toBeDefined();
    expect(X.findExtension(serverHello.extensions, ExtensionType.key_share)).toBeUndefined();
    expect(client.finish().alerts).toEqual([]);
  });

  // TLS-Anvil runs this test only against a server its scanner saw resume with psk_ke; ours by default keeps
  // forward secrecy, and with no (EC)DHE to fall back on (no key_share) there is nothing to negotiate.
  it('#respectsKeyExchangeChoicePskOnly, our default (no PSK without (EC)DHE) → not run by TLS-Anvil; ours: handshake_failure', () => {
    const held = heldTicket();
    const client = new ScriptedClient(ticketing(), 'anvil psk_ke default');
    const answer = client.hello([TLS_AES_128_GCM_SHA256], extensions(client, { modes: [PskKeyExchangeMode.psk_ke], keyShare: false }), { offer: ticketPsk(held), suite: held.suite });
    expectRefused(client, answer, 'handshake_failure');
  });
});

describe('server/tls13/rfc8446/EarlyData', () => {
  const EARLY_DATA = ext(ExtensionType.early_data, []);
  const zeroRtt = (extra: Partial<NonNullable<ServerConfig['tickets']>> = {}) => ticketing({ maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets(), ...extra });

  /** A 0-RTT-capable ticket, then a ClientHello resuming it with early_data in `suites`, `legacyVersion`. */
  function offerEarlyData(suites: number[], legacyVersion = 0x0303) {
    const config = zeroRtt();
    const { client: first, afterFinished } = connected(config);
    const held = first.held(tickets(afterFinished)[0]!);
    expect(held.ticket.extensions.map((e) => e.type)).toContain(ExtensionType.early_data);
    const client = new ScriptedClient(config, 'anvil 0rtt');
    return client.helloWithLegacyVersion(legacyVersion, suites, extensions(client, { more: [EARLY_DATA] }), { offer: ticketPsk(held), suite: held.suite });
  }

  const acceptsEarlyData = (answer: Answer) => {
    const encrypted = answer.messages.find((m) => m.kind === 'encrypted_extensions');
    if (encrypted?.kind !== 'encrypted_extensions') throw new Error('no EncryptedExtensions');
    return X.findExtension(encrypted.extensions, ExtensionType.early_data) !== undefined;
  };

  it('#selectedFirstIdentity → early_data accepted only with selected_identity 0; ours: accepted, identity 0', () => {
    const answer = offerEarlyData([TLS_AES_128_GCM_SHA256]);
    expect(acceptsEarlyData(answer)).toBe(true);
    const serverHello = answer.messages[0]!;
    if (serverHello.kind !== 'server_hello') throw new Error(serverHello.kind);
    expect(X.bodyOf(X.preSharedKeyServerHello, X.findExtension(serverHello.extensions, ExtensionType.pre_shared_key)!)).toBe(0);
  });

  it('#cipherSuiteDisparity (the ticket\'s suite not offered, another of its hash) → no early_data; ours: the PSK resumed, 0-RTT declined', () => {
    const answer = offerEarlyData([TLS_CHACHA20_POLY1305_SHA256]);
    expect(answer.alerts).toEqual([]);
    expect(acceptsEarlyData(answer)).toBe(false);
  });

  // §4.2.1: with supported_versions, legacy_version plays no part; the version is TLS 1.3 as the ticket's, so
  // §4.2.10's check ("the TLS version number") holds and 0-RTT may be accepted. TLS-Anvil expects a refusal.
  it('#tlsVersionDisparity (legacy_version 0x0302, supported_versions TLS 1.3) → no early_data; ours: accepted (divergence, §4.2.1)', () => {
    expect(acceptsEarlyData(offerEarlyData([TLS_AES_128_GCM_SHA256], 0x0302))).toBe(true);
  });

  /** The client's first 0-RTT flight with its last record (early data) changed by `edit`. */
  function tamperedEarlyData(edit: (fragment: Uint8Array) => Uint8Array) {
    const { client, server } = scenarioConfigs('0rtt', nobleProvider, 11);
    let first = true;
    const pair = new InMemoryPair(client, server, {
      tamper: ({ from, bytes }) => {
        if (from !== 'client' || !first) return bytes;
        first = false;
        const records = splitRecords(bytes);
        const last = records.at(-1)!;
        expect(last.type).toBe(APPLICATION_DATA);
        return joinRecords([...records.slice(0, -1), { ...last, fragment: edit(last.fragment) }]);
      },
    });
    return pair;
  }

  it('the control: the 0-RTT flight untouched is accepted', () => {
    const pair = tamperedEarlyData((f) => f);
    pair.run();
    expect(pair.server.info.earlyData).toBe('accepted');
  });

  it.each([
    ['#invalidCiphertext (a ciphertext bit flipped)', (f: Uint8Array) => flipBit(f, 0, 3)],
    ['#invalidAuthTag (a tag bit flipped)', (f: Uint8Array) => flipBit(f, f.length - 1, 6)],
  ])('%s → bad_record_mac (§4.2.10, §5.2); ours: bad_record_mac', (_, edit) => {
    // The server has answered the ClientHello before it reads the 0-RTT record: its alert follows its flight,
    // under the server handshake key.
    const result = runUntilAbort(tamperedEarlyData(edit));
    expect(result.side).toBe('server');
    expect(result.events.filter((e) => e.type === 'alert')).toEqual([expect.objectContaining({ direction: 'out', level: 'fatal', description: 'bad_record_mac' })]);
    expect(result.events.some((e) => e.type === 'data')).toBe(false);
    expectClosedForGood(result.victim);
  });
});
