// BoGo's TLS client tests of addKeyUpdateTests (boringssl ssl/test/runner/key_update_tests.go) and the record-layer
// cases of addBasicTests (runner.go: empty records, warning alerts, KeyUpdates, record sizes), replayed against our
// client after a whole handshake with the scripted server (anvil-server.ts, docs/bogo.md). The DTLS cases of the
// same functions (ACKs, epochs) have no counterpart in TLS.
import { describe, expect } from 'vitest';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { fails, replay, SUCCEEDS, type BogoCase } from './bogo-harness.js';
import { ALERT, APPLICATION_DATA, HANDSHAKE, ScriptedServer } from './anvil-server.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const keyUpdate = (request: number) => encodeHandshake({ kind: 'key_update', requestUpdate: request });
const UPDATE_NOT_REQUESTED = 0;
const UPDATE_REQUESTED = 1;
const kinds = (messages: HandshakeMessage[]) => messages.map((m) => m.kind);

/** After the handshake, `count` KeyUpdates with `request`, each followed by the server's next keys (§7.2), then data. */
function keyUpdates(server: ScriptedServer, count: number, request: number) {
  server.handshake();
  const records: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    records.push(server.seal(HANDSHAKE, keyUpdate(request)));
    server.nextKeys();
  }
  return server.deliver(...records, server.seal(APPLICATION_DATA, utf8('after the updates')));
}

describe('addKeyUpdateTests', () => {
  replay([
    {
      name: 'KeyUpdate-ToClient',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const server = new ScriptedServer();
        const result = keyUpdates(server, 10, UPDATE_NOT_REQUESTED);
        // Nothing asked of us: no KeyUpdate of ours (§4.6.3).
        expect(kinds(server.clientMessages)).toEqual(['finished']);
        return result;
      },
      check: ({ events }) => expect(events).toContainEqual({ type: 'data', data: utf8('after the updates') }),
    },
    {
      name: 'KeyUpdate-FromClient',
      expected: SUCCEEDS,
      ours: 'continues',
      // -key-update: the shim sends an unsolicited KeyUpdate, then its data under the next keys.
      run: () => {
        const server = new ScriptedServer();
        server.handshake();
        server.client.updateKeys();
        server.client.write(utf8('after our update'));
        const result = server.deliver(server.seal(APPLICATION_DATA, utf8('reply')));
        expect(server.clientMessages.at(-1)).toEqual({ kind: 'key_update', requestUpdate: UPDATE_NOT_REQUESTED });
        return result;
      },
      check: ({ events }) => expect(events).toContainEqual({ type: 'data', data: utf8('reply') }),
    },
    // §4.6.3: "If an implementation receives any other value, it MUST terminate the connection with an "illegal_parameter" alert."
    { name: 'KeyUpdate-InvalidRequestMode', expected: fails(':DECODE_ERROR:'), ours: 'illegal_parameter', run: () => keyUpdates(new ScriptedServer(), 1, 42) },
    {
      name: 'KeyUpdate-Requested',
      expected: SUCCEEDS,
      ours: 'continues',
      // Five requests in a row: every KeyUpdate of ours answers one (RejectUnsolicitedKeyUpdate), update_not_requested (§4.6.3).
      run: () => {
        const server = new ScriptedServer();
        const result = keyUpdates(server, 5, UPDATE_REQUESTED);
        const ours = server.clientMessages.slice(1);
        expect(ours.length).toBeGreaterThanOrEqual(1);
        expect(ours.length).toBeLessThanOrEqual(5);
        expect(ours.every((m) => m.kind === 'key_update' && m.requestUpdate === UPDATE_NOT_REQUESTED)).toBe(true);
        return result;
      },
      check: ({ events }) => expect(events).toContainEqual({ type: 'data', data: utf8('after the updates') }),
    },
  ]);
});

/** The runner's doExchange after the handshake: `before` (records it sends first), then its test message. */
function exchange(before: (server: ScriptedServer) => Uint8Array[], message = utf8('test message'), padding = 0) {
  const server = new ScriptedServer();
  server.handshake();
  return server.deliver(...before(server), server.seal(APPLICATION_DATA, message, padding));
}
const times = (count: number, make: () => Uint8Array) => Array.from({ length: count }, make);
const WARNING = 1;
const UNEXPECTED_MESSAGE = 10;
const USER_CANCELED = 90;
const alerts = (count: number, level: number, description: number) => (server: ScriptedServer) => times(count, () => server.seal(ALERT, Uint8Array.of(level, description)));
const emptyRecords = (count: number) => (server: ScriptedServer) => times(count, () => server.seal(APPLICATION_DATA, new Uint8Array(0)));
const delivered = (message: Uint8Array) => ({ events }: { events: unknown[] }) => expect(events).toContainEqual({ type: 'data', data: message });
const TEST_MESSAGE = utf8('test message');

/** SendLargeRecords: one record of `length` bytes of data with `padding` zeros (RecordPadding), past our own limits. */
function largePlaintext(name: string, length: number, padding: number, fits: boolean): BogoCase {
  const message = new Uint8Array(length).fill(0x42);
  // §5.4: "The length MUST NOT exceed 2^14 + 1 octets" for the inner plaintext (content, type byte, padding).
  return fits
    ? { name, expected: SUCCEEDS, ours: 'continues', run: () => exchange(() => [], message, padding), check: delivered(message) }
    : { name, expected: fails(':DATA_LENGTH_TOO_LONG:', 'record_overflow'), ours: 'record_overflow', run: () => exchange(() => [], message, padding) };
}

describe('addBasicTests: the record layer after the handshake (TLS 1.3, the runner default)', () => {
  replay([
    { name: 'SendEmptyRecords-Pass', expected: SUCCEEDS, ours: 'continues', run: () => exchange(emptyRecords(32)), check: delivered(TEST_MESSAGE) },
    // Zero-length application data is allowed (§5.1); 33 in a row pass our cap, MAX_CONSECUTIVE_EMPTY_RECORDS.
    { name: 'SendEmptyRecords', expected: fails(':TOO_MANY_EMPTY_FRAGMENTS:'), ours: 'unexpected_message', run: () => exchange(emptyRecords(33)) },
    {
      name: 'SendWarningAlerts-TLS13',
      expected: fails(':BAD_ALERT:', 'decode_error'),
      ours: 'closed',
      divergence: 'RFC 8446 §6: unexpected_message is an error alert "regardless of the AlertLevel"; the connection ends at the first, and no alert answers an alert',
      run: () => exchange(alerts(4, WARNING, UNEXPECTED_MESSAGE)),
    },
    { name: 'SendUserCanceledAlerts-TLS13', expected: SUCCEEDS, ours: 'continues', run: () => exchange(alerts(4, WARNING, USER_CANCELED)), check: delivered(TEST_MESSAGE) },
    {
      name: 'SendUserCanceledAlerts-TooMany-TLS13',
      expected: fails(':TOO_MANY_WARNING_ALERTS:'),
      ours: 'continues',
      divergence: 'BoringSSL allows 4 warning alerts in a row; we count an ignored user_canceled as a record without content, against the cap of 32 (MAX_CONSECUTIVE_EMPTY_RECORDS)',
      run: () => exchange(alerts(5, WARNING, USER_CANCELED)),
      check: delivered(TEST_MESSAGE),
    },
    // Ours: the cap holds for user_canceled alerts, alone or between empty records (they must not reset the count).
    { name: 'SendUserCanceledAlerts-TooMany-TLS13 (33 alerts)', expected: fails(':TOO_MANY_WARNING_ALERTS:'), ours: 'unexpected_message', run: () => exchange(alerts(33, WARNING, USER_CANCELED)) },
    {
      name: 'SendEmptyRecords (32 empty records, a user_canceled alert, 32 more)',
      expected: fails(':TOO_MANY_EMPTY_FRAGMENTS:'),
      ours: 'unexpected_message',
      run: () => exchange((server) => [...emptyRecords(32)(server), ...alerts(1, WARNING, USER_CANCELED)(server), ...emptyRecords(32)(server)]),
    },
    {
      name: 'SendBogusAlertType',
      expected: fails(':UNKNOWN_ALERT_TYPE:', 'illegal_parameter'),
      ours: 'closed',
      divergence: 'RFC 8446 §6: an error alert (unexpected_message) ends the connection whatever its level, here 0x42',
      run: () => exchange(alerts(1, 0x42, UNEXPECTED_MESSAGE)),
    },
    {
      name: 'TooManyKeyUpdates',
      expected: fails(':TOO_MANY_KEY_UPDATES:'),
      // Our limit, MAX_KEY_UPDATES_WITHOUT_DATA (32), is BoringSSL's.
      ours: 'unexpected_message',
      run: () => keyUpdates(new ScriptedServer(), 33, UPDATE_NOT_REQUESTED),
    },
    largePlaintext('LargePlaintext', 2 ** 14 + 1, 0, false),
    largePlaintext('LargePlaintext-TLS13-Padded-8192-8192', 8192, 8192, true),
    largePlaintext('LargePlaintext-TLS13-Padded-8193-8192', 8192, 8193, false),
    largePlaintext('LargePlaintext-TLS13-Padded-16383-1', 16383, 1, true),
    largePlaintext('LargePlaintext-TLS13-Padded-16384-1', 16384, 1, false),
    // §5.2: a TLSCiphertext over 2^14 + 256 bytes is record_overflow.
    { name: 'LargeCiphertext', expected: fails(':ENCRYPTED_LENGTH_TOO_LONG:'), ours: 'record_overflow', run: () => exchange(() => [], new Uint8Array(2 ** 15).fill(0x42)) },
  ]);
});
