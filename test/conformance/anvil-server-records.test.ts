// TLS-Anvil's tests shared by client and server (tls-attacker/TLS-Anvil, TLS-Testsuite, suite/tests/both),
// replayed against our server: both/tls13/rfc8446 RecordProtocol, AlertProtocol, KeyUpdate,
// both/tls13/statemachine/ClientServerStateMachine, and both/lengthfield (a length field of the client's
// ClientHello, its extensions, or its Finished, one off). Each case is "Class#method → TLS-Anvil's
// expectation; ours". TlsLengthfieldTest.validateLengthTest wants the workflow to fail with a fatal alert.
// Length field cases named "Class: field" stand for extension classes whose method names were not read.
import { describe, expect, it } from 'vitest';
import { flipBit, splitRecords } from '../../src/testing/tamper.js';
import { CipherSuite, ContentType, ExtensionType, NamedGroup, PskKeyExchangeMode, SignatureScheme } from '../../src/wire/enums.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { ClientHello, Extension } from '../../src/wire/types.js';
import { ext, record, u16 } from '../handshake/abort-harness.js';
import { helloWithPsk, ScriptedClient, ticketPsk, type Answer } from './scripted-client.js';

const { change_cipher_spec: CHANGE_CIPHER_SPEC, alert: ALERT, handshake: HANDSHAKE, application_data: APPLICATION_DATA } = ContentType;
const { TLS_AES_128_GCM_SHA256 } = CipherSuite;
const ED25519 = SignatureScheme.ed25519;
const TICKET_KEY = new Uint8Array(32).fill(0x42);
const TICKETS = { tickets: { count: 1, key: TICKET_KEY } };

function extensions(client: ScriptedClient): Extension[] {
  return [
    client.keyShare(NamedGroup.x25519),
    ext(ExtensionType.supported_groups, [0, 2, 0, NamedGroup.x25519]),
    ext(ExtensionType.supported_versions, [2, 3, 4]),
    ext(ExtensionType.signature_algorithms, [0, 2, ED25519 >> 8, ED25519 & 0xff]),
    ext(ExtensionType.psk_key_exchange_modes, [1, PskKeyExchangeMode.psk_dhe_ke]),
  ];
}

function throughServerFlight(seed = 'anvil records') {
  const client = new ScriptedClient(TICKETS, seed);
  const flight = client.hello([TLS_AES_128_GCM_SHA256], extensions(client));
  expect(flight.messages.map((m) => m.kind)).toEqual(['server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
  return client;
}

function connected(seed?: string) {
  const client = throughServerFlight(seed);
  const afterFinished = client.finish();
  expect(afterFinished.alerts).toEqual([]);
  expect(client.server.isConnected).toBe(true);
  return { client, afterFinished };
}

function expectRefused(client: ScriptedClient, answer: Answer, alert: string): void {
  expect(answer.alerts).toEqual([alert]);
  expect(client.server.isClosed).toBe(true);
}

/** Validator.socketClosed: the server closed; it answers a received fatal alert with nothing (§6.2). */
function expectClosedSilently(client: ScriptedClient, answer: Answer): void {
  expect(answer.alerts).toEqual([]);
  expect(client.server.isClosed).toBe(true);
}

describe('both/tls13/rfc8446/RecordProtocol', () => {
  it('#invalidRecordContentType (the ClientHello in a record of type 0xff) → unexpected_message; ours: unexpected_message', () => {
    const client = new ScriptedClient();
    const hello: ClientHello = { kind: 'client_hello', legacyVersion: 0x0303, random: new Uint8Array(32), legacySessionId: new Uint8Array(0), cipherSuites: [TLS_AES_128_GCM_SHA256], legacyCompressionMethods: Uint8Array.of(0), extensions: extensions(client) };
    expectRefused(client, client.sendRaw(record(0xff, encodeHandshake(hello))), 'unexpected_message');
  });

  it('#invalidRecordContentTypeAfterEncryption (the protected Finished with outer type 0xff) → unexpected_message; ours: unexpected_message', () => {
    const client = throughServerFlight();
    // TLS-Attacker sets the header's type after sealing: the protected Finished behind opaque_type 0xff.
    const sealed = client.seal(HANDSHAKE, client.finishedMessage());
    sealed[0] = 0xff;
    expectRefused(client, client.sendRaw(sealed), 'unexpected_message');
  });

  it.each([
    ['#invalidAuthTag (the last tag byte flipped)', -1],
    ['#invalidCiphertext (the first ciphertext byte flipped)', 5],
  ])('%s, application data → bad_record_mac; ours: bad_record_mac', (_, at) => {
    const { client } = connected();
    const sealed = client.seal(APPLICATION_DATA, new Uint8Array(60));
    const index = at < 0 ? sealed.length + at : at;
    expectRefused(client, client.sendRaw(flipBit(sealed, index, 2)), 'bad_record_mac');
  });

  it('#sendRecordWithPlaintextOver2pow14 (2^14 + 1 bytes of data) → record_overflow; ours: record_overflow', () => {
    const { client } = connected();
    expectRefused(client, client.sendSealed(APPLICATION_DATA, new Uint8Array(2 ** 14 + 1)), 'record_overflow');
  });

  it('#sendRecordWithCiphertextOver2pow14plus256 (a record of 2^14 + 257 bytes) → record_overflow; ours: record_overflow', () => {
    const { client } = connected();
    expectRefused(client, client.sendRaw(record(APPLICATION_DATA, new Uint8Array(2 ** 14 + 257))), 'record_overflow');
  });

  it.each([
    ['handshake, protected', (c: ScriptedClient) => c.sendSealed(HANDSHAKE, new Uint8Array(0))],
    ['alert, protected', (c: ScriptedClient) => c.sendSealed(ALERT, new Uint8Array(0))],
    ['handshake, plaintext', (c: ScriptedClient) => c.sendRaw(record(HANDSHAKE, new Uint8Array(0)))],
    ['alert, plaintext', (c: ScriptedClient) => c.sendRaw(record(ALERT, new Uint8Array(0)))],
    ['change_cipher_spec, plaintext', (c: ScriptedClient) => c.sendRaw(record(CHANGE_CIPHER_SPEC, new Uint8Array(0)))],
  ])('#sendEmptyRecord (%s, after the handshake) → a fatal alert (§5.1, §5.4); ours: unexpected_message', (_, send) => {
    const { client } = connected();
    expectRefused(client, send(client), 'unexpected_message');
  });

  it('#sendZeroLengthApplicationRecord → no alert, still open (§5.4 allows it); ours: the same', () => {
    const { client } = connected();
    expect(client.sendSealed(APPLICATION_DATA, new Uint8Array(0)).alerts).toEqual([]);
    expect(client.server.isConnected).toBe(true);
  });

  it('#sendEncryptedHandshakeRecordWithNoNonZeroOctet (four zero bytes in place of the Finished) → unexpected_message (§5.4); ours: unexpected_message', () => {
    const client = throughServerFlight();
    expectRefused(client, client.sendSealed(0, new Uint8Array(0), 3), 'unexpected_message');
  });

  it('#sendEncryptedAppRecordWithNoNonZeroOctet → unexpected_message (§5.4); ours: unexpected_message', () => {
    const { client } = connected();
    expectRefused(client, client.sendSealed(0, new Uint8Array(0), 3), 'unexpected_message');
  });
});

describe('both/tls13/statemachine/ClientServerStateMachine', () => {
  it('#sendEmptyRecordFinished (an empty protected application_data record instead of the Finished) → a fatal alert; ours: unexpected_message', () => {
    const client = throughServerFlight();
    expectRefused(client, client.sendSealed(APPLICATION_DATA, new Uint8Array(0)), 'unexpected_message');
  });
});

describe('both/tls13/rfc8446/AlertProtocol', () => {
  const FATAL_ONLY = [['handshake_failure', 40], ['bad_record_mac', 20], ['decode_error', 50], ['illegal_parameter', 47], ['internal_error', 80]] as const;

  it.each(FATAL_ONLY)('#treatsFatalAlertsAsFatalHandshake (%s at warning level, in place of the Finished) → closed; ours: closed, no answer', (_, description) => {
    const client = throughServerFlight();
    expectClosedSilently(client, client.sendSealed(ALERT, Uint8Array.of(1, description)));
  });

  it.each(FATAL_ONLY)('#treatsFatalAlertsAsFatalPostHandshake (%s at warning level) → closed; ours: closed, no answer', (_, description) => {
    const { client } = connected();
    expectClosedSilently(client, client.sendSealed(ALERT, Uint8Array.of(1, description)));
  });

  it.each([
    ['#treatsUnknownWarningAlertsAsFatalHandshake', false],
    ['#treatsUnknownFatalAlertsAsFatalHandshake', false],
    ['#treatsUnknownWarningAlertsAsFatalPostHandshake', true],
    ['#treatsUnknownFatalAlertsAsFatalPostHandshake', true],
  ])('%s (description 200; TLS-Anvil sends level fatal in both) → closed; ours: closed, no answer', (_, afterHandshake) => {
    const client = afterHandshake ? connected().client : throughServerFlight();
    expectClosedSilently(client, client.sendSealed(ALERT, Uint8Array.of(2, 200)));
  });

  // Not TLS-Anvil's (it sends level 2 for both): the unknown description at warning level, as the test's name says.
  it('an unknown description (200) at warning level after the handshake → closed (§6: unknown alerts are errors); ours: closed, no answer', () => {
    const { client } = connected();
    expectClosedSilently(client, client.sendSealed(ALERT, Uint8Array.of(1, 200)));
  });
});

describe('both/tls13/rfc8446/KeyUpdate', () => {
  it('#sendKeyUpdateBeforeFinished → unexpected_message (§4.6.3); ours: unexpected_message', () => {
    const client = throughServerFlight();
    expectRefused(client, client.sendSealed(HANDSHAKE, Uint8Array.of(24, 0, 0, 1, 1)), 'unexpected_message');
  });

  it('#sendUnknownRequestMode (3) → illegal_parameter; ours: illegal_parameter', () => {
    const { client } = connected();
    expectRefused(client, client.sendSealed(HANDSHAKE, Uint8Array.of(24, 0, 0, 1, 3)), 'illegal_parameter');
  });

  it('#respondsWithValidKeyUpdate, #appDataUnderNewKeysSucceeds → a KeyUpdate(update_not_requested) back, then data under our new keys read; ours: the same', () => {
    const { client } = connected();
    const answer = client.keyUpdate(1);
    expect(answer.alerts).toEqual([]);
    expect(answer.messages).toEqual([{ kind: 'key_update', requestUpdate: 0 }]);
    client.server.takeEvents();
    expect(client.send(new TextEncoder().encode('after the update')).alerts).toEqual([]);
    expect(client.server.takeEvents()).toContainEqual(expect.objectContaining({ type: 'data', data: new TextEncoder().encode('after the update') }));
    expect(client.server.isConnected).toBe(true);
  });
});

describe('both/lengthfield (TLS 1.3, at the server): one length field one off', () => {
  const alpn = (...ids: string[]) => {
    const list = ids.flatMap((id) => [id.length, ...new TextEncoder().encode(id)]);
    return ext(ExtensionType.application_layer_protocol_negotiation, [...u16(list.length), ...list]);
  };

  /** The ClientHello TLS-Attacker's length field tests start from (ALPN and padding added), encoded. */
  function encodedHello(client: ScriptedClient, psk?: { held: ReturnType<ScriptedClient['held']> }): Uint8Array {
    const hello: ClientHello = {
      kind: 'client_hello',
      legacyVersion: 0x0303,
      random: new Uint8Array(32).fill(1),
      legacySessionId: new Uint8Array(32).fill(2),
      cipherSuites: [TLS_AES_128_GCM_SHA256],
      legacyCompressionMethods: Uint8Array.of(0),
      extensions: [...extensions(client), alpn('h2', 'http/1.1'), ext(ExtensionType.padding, new Uint8Array(16))],
    };
    return psk ? helloWithPsk(hello, ticketPsk(psk.held), psk.held.suite) : encodeHandshake(hello);
  }

  /** Where each length field of an encoded ClientHello sits: offset, size in bytes. */
  function lengthFields(hello: Uint8Array): Map<string, { at: number; size: number }> {
    const fields = new Map<string, { at: number; size: number }>();
    const read = (at: number, size: number) => (size === 1 ? hello[at]! : (hello[at]! << 8) | hello[at + 1]!);
    fields.set('Hello#helloLengthTLS13', { at: 1, size: 3 });
    let at = 4 + 2 + 32;
    fields.set('Hello#helloSessionIdLengthTLS13', { at, size: 1 });
    at += 1 + read(at, 1);
    fields.set('Hello#clientHelloCipherSuitesLengthTLS13', { at, size: 2 });
    at += 2 + read(at, 2);
    fields.set('Hello#clientHelloCompressionLengthTLS13', { at, size: 1 });
    at += 1 + read(at, 1);
    fields.set('Hello#helloExtensionsLengthTLS13', { at, size: 2 });
    at += 2;
    const inner: Record<number, [string, string, number]> = {
      [ExtensionType.key_share]: ['KeyShareExtension#keyShareExtensionLength', 'KeyShareExtension#keyShareEntryListLength', 2],
      [ExtensionType.supported_versions]: ['SupportedVersionsExtension: extension length', 'SupportedVersionsExtension: versions list length', 1],
      [ExtensionType.signature_algorithms]: ['SignatureAndHashAlgorithmsExtension: extension length', 'SignatureAndHashAlgorithmsExtension: list length', 2],
      [ExtensionType.psk_key_exchange_modes]: ['PSKKeyExchangeModesExtension: extension length', 'PSKKeyExchangeModesExtension: modes list length', 1],
      [ExtensionType.application_layer_protocol_negotiation]: ['ALPNExtension: extension length', 'ALPNExtension: protocol list length', 2],
      [ExtensionType.padding]: ['PaddingExtension: extension length', '', 0],
      [ExtensionType.supported_groups]: ['(supported_groups extension length)', '(supported_groups list length)', 2],
      [ExtensionType.pre_shared_key]: ['PreSharedKeyExtension#preSharedKeyExtensionLength', 'PreSharedKeyExtension#preSharedKeyExtensionIdentityListLength', 2],
    };
    while (at < hello.length) {
      const type = read(at, 2);
      const length = read(at + 2, 2);
      const [outer, list, size] = inner[type]!;
      fields.set(outer, { at: at + 2, size: 2 });
      if (size) fields.set(list, { at: at + 4, size });
      if (type === ExtensionType.pre_shared_key) fields.set('PreSharedKeyExtension#preSharedKeyExtensionBinderListLength', { at: at + 6 + read(at + 4, 2), size: 2 });
      at += 4 + length;
    }
    return fields;
  }

  /** `hello` with the field at `at` (big-endian, `size` bytes) changed by `delta`. */
  function shifted(hello: Uint8Array, { at, size }: { at: number; size: number }, delta: number): Uint8Array {
    const copy = hello.slice();
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + copy[at + i]!;
    value += delta;
    for (let i = size - 1; i >= 0; i--, value = Math.floor(value / 256)) copy[at + i] = value % 256;
    return copy;
  }

  // TLS-Anvil's deltas: the session id length +1, every other length -1.
  const deltaOf = (name: string) => (name === 'Hello#helloSessionIdLengthTLS13' ? 1 : -1);

  it('the control: the unaltered ClientHello is answered', () => {
    const client = new ScriptedClient(TICKETS, 'anvil lengths');
    // Straight to the server: the scripted client did not keep this hand-encoded ClientHello in its transcript.
    client.server.receive(record(HANDSHAKE, encodedHello(client)));
    const first = splitRecords(client.server.takeOutput())[0]!;
    expect([first.type, first.fragment[0]]).toEqual([HANDSHAKE, 2]);
    expect(client.server.isClosed).toBe(false);
  });

  const names = lengthFields(encodedHello(new ScriptedClient(TICKETS, 'anvil lengths'))).keys();
  it.each([...names])('%s → fails with a fatal alert; ours: decode_error', (name) => {
    const client = new ScriptedClient(TICKETS, 'anvil lengths');
    const hello = encodedHello(client);
    expectRefused(client, client.sendRaw(record(HANDSHAKE, shifted(hello, lengthFields(hello).get(name)!, deltaOf(name)))), 'decode_error');
  });

  it.each(['PreSharedKeyExtension#preSharedKeyExtensionLength', 'PreSharedKeyExtension#preSharedKeyExtensionIdentityListLength', 'PreSharedKeyExtension#preSharedKeyExtensionBinderListLength'])(
    '%s (resuming a ticket) → fails with a fatal alert; ours: decode_error',
    (name) => {
      const { client: first, afterFinished } = connected('anvil psk lengths');
      const ticket = afterFinished.messages.find((m) => m.kind === 'new_session_ticket');
      if (ticket?.kind !== 'new_session_ticket') throw new Error('no ticket');
      const client = new ScriptedClient(TICKETS, 'anvil psk lengths 2');
      const hello = encodedHello(client, { held: first.held(ticket) });
      expectRefused(client, client.sendRaw(record(HANDSHAKE, shifted(hello, lengthFields(hello).get(name)!, -1))), 'decode_error');
    },
  );

  it('Finished#finishedLengthTLS13 (the header one byte short) → a fatal alert; ours: decode_error', () => {
    const client = throughServerFlight();
    const finished = client.finishedMessage();
    expectRefused(client, client.sendSealed(HANDSHAKE, shifted(finished, { at: 1, size: 3 }, -1)), 'decode_error');
  });
});
