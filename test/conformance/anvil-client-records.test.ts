// TLS-Anvil's client tests of the record layer, alerts, KeyUpdate and tickets, replayed against our client
// (docs/tls-anvil.md): client/tls13/rfc8446/RecordLayer and NewSessionTicket, the rfc8701 ticket test, and
// the client side of both/tls13/rfc8446 (RecordProtocol, AlertProtocol, KeyUpdate, D5_SecurityRestrictions,
// HappyFlow, ComplianceRequirements). The malicious server is anvil-server.ts.
import { describe, expect, it } from 'vitest';
import { concat } from '../../src/wire/bytes.js';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { handshakeMessage, record } from '../handshake/abort-harness.js';
import { alert, CLOSED, CONTINUES, FATAL, ours, replay, type AnvilCase } from './anvil-harness.js';
import { ALERT, APPLICATION_DATA, CHANGE_CIPHER_SPEC, HANDSHAKE, ScriptedServer } from './anvil-server.js';

/** After the whole handshake, `then` under the server's application keys. */
function afterHandshake(then: (server: ScriptedServer) => Uint8Array[], client = {}) {
  const server = new ScriptedServer(client);
  server.handshake();
  return server.deliver(...then(server));
}

/** The ServerHello, then the encrypted flight as `records` seals it (given the four messages, encoded in order). */
function flightRecords(records: (server: ScriptedServer, messages: { ee: Uint8Array; certificate: Uint8Array; cv: Uint8Array; finished: Uint8Array }) => Uint8Array[]) {
  const server = new ScriptedServer();
  const hello = server.serverHello();
  const messages = { ee: server.encryptedExtensions(), certificate: server.certificate(), cv: server.certificateVerify(), finished: server.finished() };
  return server.deliver(hello, ...records(server, messages));
}

/** Every byte of one record's TLSCiphertext with `edit` applied to the fragment (the header stays). */
const editFragment = (sealed: Uint8Array, edit: (fragment: Uint8Array) => void) => {
  const copy = sealed.slice();
  edit(copy.subarray(5));
  return copy;
};

describe('client/tls13/rfc8446/RecordLayer', () => {
  replay([
    {
      id: 'RecordLayer#zeroLengthRecord_ServerHello',
      expected: FATAL,
      ours: 'unexpected_message',
      run: () => {
        const server = new ScriptedServer();
        return server.deliver(record(HANDSHAKE, new Uint8Array(0)), server.serverHello(), server.protect(...server.authentication()));
      },
    },
    {
      id: 'RecordLayer#zeroLengthRecord_Finished',
      expected: FATAL,
      ours: 'unexpected_message',
      run: () => flightRecords((s, m) => [s.protect(m.ee, m.certificate, m.cv), s.seal(HANDSHAKE, new Uint8Array(0))]),
    },
    ...[0, 10, 40, 90].map((description): AnvilCase => ({
      id: `RecordLayer#interleaveRecords[warning alert ${description}]`,
      expected: FATAL,
      ours: 'unexpected_message',
      run: () => flightRecords((s, m) => [s.seal(HANDSHAKE, m.ee), s.seal(HANDSHAKE, m.certificate.subarray(0, 20)), s.seal(ALERT, Uint8Array.of(1, description)), s.protect(m.certificate.subarray(20), m.cv, m.finished)]),
    })),
    ...(['ee', 'certificate', 'cv'] as const).map((before): AnvilCase => ({
      id: `RecordLayer#sendEmptyZeroLengthRecords[before ${before}]`,
      expected: FATAL,
      ours: 'unexpected_message',
      run: () =>
        flightRecords((s, m) => {
          const order = ['ee', 'certificate', 'cv', 'finished'] as const;
          const at = order.indexOf(before);
          return [...(at > 0 ? [s.protect(...order.slice(0, at).map((k) => m[k]))] : []), s.seal(HANDSHAKE, new Uint8Array(0)), s.protect(...order.slice(at).map((k) => m[k]))];
        }),
    })),
    {
      id: 'RecordLayer#incompleteCertVerifyBeforeFinished',
      expected: FATAL,
      ours: 'continues',
      // The Finished's 36 bytes read as the next bytes of the CertificateVerify, which announced 68: we wait for
      // the rest, as the bytes allow. The handshake cannot complete; src/node's handshake timeout ends it.
      divergence: 'the input is a prefix of a valid flight: no alert is due before more bytes or a timeout',
      run: () => flightRecords((s, m) => [s.protect(m.ee, m.certificate), s.seal(HANDSHAKE, m.cv.subarray(0, 15)), s.seal(HANDSHAKE, m.finished)]),
    },
  ]);
});

describe('both/tls13/rfc8446/RecordProtocol (client side)', () => {
  const big = (n: number) => new Uint8Array(n).fill(0x41);
  replay([
    {
      id: 'RecordProtocol#invalidRecordContentType',
      expected: alert('unexpected_message'),
      ours: 'unexpected_message',
      run: () => {
        const server = new ScriptedServer();
        const hello = server.serverHello();
        hello[0] = 0xff;
        return server.deliver(hello, server.protect(...server.authentication()));
      },
    },
    {
      id: 'RecordProtocol#invalidRecordContentTypeAfterEncryption',
      expected: alert('unexpected_message'),
      ours: 'unexpected_message',
      run: () =>
        flightRecords((s, m) => {
          const first = s.protect(m.ee, m.certificate, m.cv);
          const finished = s.seal(HANDSHAKE, m.finished);
          finished[0] = 0xff;
          return [first, finished];
        }),
    },
    ...[0, 15].map((at): AnvilCase => ({
      id: `RecordProtocol#invalidAuthTag[tag byte ${at}]`,
      expected: alert('bad_record_mac'),
      ours: 'bad_record_mac',
      run: () => afterHandshake((s) => [editFragment(s.seal(APPLICATION_DATA, big(10)), (f) => (f[f.length - 16 + at]! ^= 0x80))]),
    })),
    { id: 'RecordProtocol#invalidCiphertext', expected: alert('bad_record_mac'), ours: 'bad_record_mac', run: () => afterHandshake((s) => [editFragment(s.seal(APPLICATION_DATA, big(60)), (f) => (f[3]! ^= 0x01))]) },
    { id: 'RecordProtocol#sendRecordWithPlaintextOver2pow14', expected: alert('record_overflow'), ours: 'record_overflow', run: () => afterHandshake((s) => [s.seal(APPLICATION_DATA, big(2 ** 14 + 1))]) },
    {
      id: 'RecordProtocol#sendRecordWithCiphertextOver2pow14plus256',
      expected: alert('record_overflow'),
      ours: 'record_overflow',
      run: () => afterHandshake((s) => [s.seal(APPLICATION_DATA, big(2 ** 14 + 257))]),
    },
    {
      // Ours to add: the header alone announcing 2^14 + 257 bytes is refused before any of them is buffered (§5.2).
      id: 'RecordProtocol#sendRecordWithCiphertextOver2pow14plus256[the header alone]',
      expected: alert('record_overflow'),
      ours: 'record_overflow',
      run: () => afterHandshake(() => [Uint8Array.of(APPLICATION_DATA, 3, 3, (2 ** 14 + 257) >> 8, (2 ** 14 + 257) & 0xff)]),
    },
    // An ApplicationMessage of no bytes in a record whose header names another type (TLS-Anvil sets the header's type).
    ...[CHANGE_CIPHER_SPEC, ALERT, HANDSHAKE].map((type): AnvilCase => ({
      id: `RecordProtocol#sendEmptyRecord[outer type ${type}]`,
      expected: FATAL,
      ours: 'unexpected_message',
      run: () =>
        afterHandshake((s) => {
          const sealed = s.seal(APPLICATION_DATA, new Uint8Array(0));
          sealed[0] = type;
          return [sealed];
        }),
    })),
    // The other reading: a protected record whose inner type is that type, with no content (§5.4: zero-length fragments).
    ...[CHANGE_CIPHER_SPEC, ALERT, HANDSHAKE].map((type): AnvilCase => ({
      id: `RecordProtocol#sendEmptyRecord[inner type ${type}]`,
      expected: FATAL,
      ours: 'unexpected_message',
      run: () => afterHandshake((s) => [s.seal(type, new Uint8Array(0))]),
    })),
    { id: 'RecordProtocol#sendZeroLengthApplicationRecord', expected: CONTINUES, ours: 'continues', run: () => afterHandshake((s) => [s.seal(APPLICATION_DATA, new Uint8Array(0))]) },
    {
      id: 'RecordProtocol#sendEncryptedHandshakeRecordWithNoNonZeroOctet',
      expected: alert('unexpected_message'),
      ours: 'unexpected_message',
      // TLSInnerPlaintext of four zero bytes: no content type at all (§5.4).
      run: () => flightRecords((s, m) => [s.protect(m.ee, m.certificate, m.cv), s.seal(0, new Uint8Array(0), 3)]),
    },
    { id: 'RecordProtocol#sendEncryptedAppRecordWithNoNonZeroOctet', expected: alert('unexpected_message'), ours: 'unexpected_message', run: () => afterHandshake((s) => [s.seal(0, new Uint8Array(0), 3)]) },
    {
      id: 'D5_SecurityRestrictions#invalidRecordVersion_ssl30[record version 0x0203]',
      expected: FATAL,
      ours: 'continues',
      // App. D.5: "SHOULD NOT accept any records with a version less than 0x0300 (but may inadvertently do so if the
      // record version number is ignored completely)"; §5.1: legacy_record_version "MUST be ignored for all purposes".
      divergence: 'plaintext legacy_record_version is ignored (§5.1), as docs/robustness.md decided',
      run: () => {
        const server = new ScriptedServer();
        const hello = server.serverHello();
        hello.set([0x02, 0x03], 1);
        return server.deliver(hello, server.protect(...server.authentication()));
      },
    },
  ]);

  it.each([1, 100, 2 ** 14 - 2000])('RecordProtocol#acceptsOptionalPadding[%i bytes] → the handshake completes; ours: it does', (padding) => {
    const server = new ScriptedServer();
    const result = server.deliver(server.serverHello(), server.seal(HANDSHAKE, concat(...server.authentication()), padding));
    expect(ours(result)).toBe('continues');
    expect(result.victim.isConnected).toBe(true);
  });

  it('RecordProtocol#checkMinimumRecordProtocolVersions → no record below 0x0300; ours: ClientHello record 0x0301, the others 0x0303', () => {
    const server = new ScriptedServer();
    server.handshake();
    expect(server.clientRecords.length).toBeGreaterThan(1);
    expect(server.clientRecords.every((r) => r.version >= 0x0300)).toBe(true);
    expect(server.clientRecords.slice(1).every((r) => r.version === 0x0303)).toBe(true);
  });
});

describe('both/tls13/rfc8446/AlertProtocol (client side)', () => {
  /** The server's flight up to (not including) its Finished, then `alert` under its handshake keys. */
  const beforeFinished = (level: number, description: number) => {
    const server = new ScriptedServer();
    const hello = server.serverHello();
    return server.deliver(hello, server.protect(server.encryptedExtensions(), server.certificate(), server.certificateVerify()), server.seal(ALERT, Uint8Array.of(level, description)));
  };
  const postHandshake = (level: number, description: number) => afterHandshake((s) => [s.seal(ALERT, Uint8Array.of(level, description))]);
  /** §6.2's alerts, which are fatal whatever level they come with (isMeantToBeFatalLevel). */
  const FATAL_ALERTS = [10, 20, 22, 40, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 70, 71, 80, 86, 109, 110, 112, 113, 115, 116, 120];
  const closes = (id: string, run: () => ReturnType<typeof beforeFinished>): AnvilCase => ({ id, expected: CLOSED, ours: 'closed', run });
  replay([
    ...FATAL_ALERTS.map((d) => closes(`AlertProtocol#treatsFatalAlertsAsFatalHandshake[warning ${d}]`, () => beforeFinished(1, d))),
    ...FATAL_ALERTS.map((d) => closes(`AlertProtocol#treatsFatalAlertsAsFatalPostHandshake[warning ${d}]`, () => postHandshake(1, d))),
    // TLS-Anvil's code sends level fatal for the "warning" tests too; we play both levels.
    ...[1, 2].map((level) => closes(`AlertProtocol#treatsUnknownWarningAlertsAsFatalHandshake[level ${level}, 200]`, () => beforeFinished(level, 200))),
    ...[1, 2].map((level) => closes(`AlertProtocol#treatsUnknownWarningAlertsAsFatalPostHandshake[level ${level}, 200]`, () => postHandshake(level, 200))),
    closes('AlertProtocol#treatsUnknownFatalAlertsAsFatalHandshake', () => beforeFinished(2, 200)),
    closes('AlertProtocol#treatsUnknownFatalAlertsAsFatalPostHandshake', () => postHandshake(2, 200)),
  ]);
});

describe('both/tls13/rfc8446/KeyUpdate (client side)', () => {
  const keyUpdate = (request: number) => encodeHandshake({ kind: 'key_update', requestUpdate: request });
  replay([
    {
      id: 'KeyUpdate#sendKeyUpdateBeforeFinished',
      expected: alert('unexpected_message'),
      ours: 'unexpected_message',
      run: () => flightRecords((s, m) => [s.protect(m.ee, m.certificate, m.cv, keyUpdate(1))]),
    },
    { id: 'KeyUpdate#sendUnknownRequestMode', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => afterHandshake((s) => [s.seal(HANDSHAKE, keyUpdate(3))]) },
    // Ours to add: a KeyUpdate body of two bytes, where §4.6.3 has one.
    { id: 'KeyUpdate#sendUnknownRequestMode[body of 2 bytes]', expected: FATAL, ours: 'decode_error', run: () => afterHandshake((s) => [s.seal(HANDSHAKE, handshakeMessage(24, Uint8Array.of(1, 1)))]) },
  ]);

  it('KeyUpdate#respondsWithValidKeyUpdate → a KeyUpdate(update_not_requested) under the old keys; ours: sent at once', () => {
    const server = new ScriptedServer();
    server.handshake();
    const result = server.deliver(server.seal(HANDSHAKE, keyUpdate(1)));
    expect(ours(result)).toBe('continues');
    // The scripted server opened it with the client's current application keys: a wrong tag would have thrown.
    expect(server.clientMessages.at(-1)).toEqual({ kind: 'key_update', requestUpdate: 0 });
  });

  it('KeyUpdate#appDataUnderNewKeysSucceeds → no alert, still open; ours: the data is delivered', () => {
    const server = new ScriptedServer();
    server.handshake();
    server.deliver(server.seal(HANDSHAKE, keyUpdate(1)));
    server.nextKeys();
    const result = server.deliver(server.seal(APPLICATION_DATA, Uint8Array.of(1, 2, 3)));
    expect(ours(result)).toBe('continues');
    expect(result.events.filter((e) => e.type === 'data').at(-1)).toMatchObject({ data: Uint8Array.of(1, 2, 3) });
  });
});

describe('NewSessionTicket extensions (client/tls13/rfc8446/NewSessionTicket, rfc8701)', () => {
  const ticketWith = (type: number) =>
    encodeHandshake({ kind: 'new_session_ticket', lifetime: 7200, ageAdd: 1, nonce: Uint8Array.of(0), ticket: Uint8Array.of(1, 2, 3), extensions: [{ type, data: new Uint8Array(25) }] });
  replay([
    { id: 'NewSessionTicket#ignoresUnknownNewSessionTicketExtension[0x4423]', expected: CONTINUES, ours: 'continues', run: () => afterHandshake((s) => [s.seal(HANDSHAKE, ticketWith(0x4423))]) },
    ...[0x0a0a, 0xfafa].map((grease): AnvilCase => ({
      id: `ServerInitiatedExtensionPoints#advertiseGreaseExtensionsInSessionTicket[0x${grease.toString(16)}]`,
      expected: CONTINUES,
      ours: 'continues',
      run: () => afterHandshake((s) => [s.seal(HANDSHAKE, ticketWith(grease))]),
    })),
  ]);
});

describe('both/tls13/rfc8446/HappyFlow and ComplianceRequirements (client side)', () => {
  const cases: Array<[string, { cipherSuites?: number[]; groups?: number[]; keyShareGroups?: number[] }]> = [
    ['HappyFlow#happyFlow[defaults]', {}],
    ['HappyFlow#happyFlow[TLS_AES_256_GCM_SHA384]', { cipherSuites: [CipherSuite.TLS_AES_256_GCM_SHA384] }],
    ['HappyFlow#happyFlow[TLS_CHACHA20_POLY1305_SHA256]', { cipherSuites: [CipherSuite.TLS_CHACHA20_POLY1305_SHA256] }],
    ['HappyFlow#happyFlow[TLS_AES_128_CCM_SHA256]', { cipherSuites: [CipherSuite.TLS_AES_128_CCM_SHA256] }],
    ['HappyFlow#happyFlow[TLS_AES_128_CCM_8_SHA256]', { cipherSuites: [CipherSuite.TLS_AES_128_CCM_8_SHA256] }],
    ['HappyFlow#happyFlow[secp384r1]', { groups: [NamedGroup.secp384r1], keyShareGroups: [NamedGroup.secp384r1] }],
    ['ComplianceRequirements#supportsAes128GcmSha256', { cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256] }],
    ['ComplianceRequirements#supportsSecp256r1', { groups: [NamedGroup.secp256r1], keyShareGroups: [NamedGroup.secp256r1] }],
  ];
  it.each(cases)('%s → completes; ours: connected', (_, client) => {
    const server = new ScriptedServer(client);
    const result = server.handshake();
    expect(ours(result)).toBe('continues');
    expect(result.victim.isConnected).toBe(true);
    expect(server.clientMessages.map((m) => m.kind)).toEqual(['finished']);
  });

});
