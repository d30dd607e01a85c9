// Behaviour of RecordLayer that the first mutation run (docs/mutation.md) found untested: the plaintext-alert
// window's record filter, the rejected-0-RTT skip budget (RFC 8446 §4.2.10), the record_size_limit we
// announced (RFC 8449 §4), the plaintext length limit when reading returns to plaintext, and the error details.
import { describe, expect, it } from 'vitest';
import { RecordLayer } from '../../src/record/layer.js';
import { concat, fromHex } from '../../src/wire/bytes.js';
import { AlertDescription, AlertLevel, ContentType, HandshakeType } from '../../src/wire/enums.js';
import {
  expectTlsError,
  handshakeMessage,
  nodeSealRecord,
  plaintextRecord,
  protection,
  serverApplicationKeys,
  serverHandshakeKeys,
} from './helpers.js';

const finished = handshakeMessage(HandshakeType.finished, new Uint8Array(32).fill(0xab));
const ccs = plaintextRecord(ContentType.change_cipher_spec, Uint8Array.of(1));
/** A protected record of `content` with its inner type, sealed by node:crypto. */
const sealed = (keys: typeof serverHandshakeKeys, sequence: bigint, content: Uint8Array, type: number) =>
  nodeSealRecord(keys, sequence, concat(content, Uint8Array.of(type)));

describe('RecordLayer: the plaintext-alert window reads nothing else in plaintext (RFC 8446 §5, §7.3)', () => {
  const windowLayer = () => {
    const layer = new RecordLayer({ plaintextAlertsUnderFirstReadKeys: true });
    layer.setReadProtection(protection(serverHandshakeKeys));
    return layer;
  };

  it('refuses a plaintext 2-byte handshake record in the window, as any plaintext record under keys', () => {
    const layer = windowLayer();
    layer.receive(plaintextRecord(ContentType.handshake, fromHex('0228')));
    expect(expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message').detail).toMatch(/plaintext handshake record received after keys/);
  });

  it('refuses a plaintext alert record of 3 bytes in the window as plaintext under keys, not as a malformed alert', () => {
    const layer = windowLayer();
    layer.receive(plaintextRecord(ContentType.alert, fromHex('022800')));
    expect(expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message').detail).toMatch(/plaintext alert record received after keys/);
  });

  it('keeps the window open across a plaintext ChangeCipherSpec, which opens nothing under the keys', () => {
    const layer = windowLayer();
    layer.receive(concat(ccs, plaintextRecord(ContentType.alert, Uint8Array.of(AlertLevel.fatal, AlertDescription.decode_error))));
    expect(layer.next()).toEqual({ kind: 'change_cipher_spec' });
    expect(layer.next()).toEqual({ kind: 'alert', level: AlertLevel.fatal, description: AlertDescription.decode_error });
  });
});

describe('RecordLayer: skipping the early data of a rejected 0-RTT attempt (RFC 8446 §4.2.10)', () => {
  // Early data the server cannot read: sealed under keys it does not have (here the application keys).
  const early = (sequence: bigint) => sealed(serverApplicationKeys, sequence, fromHex('6561726c79'), ContentType.application_data);
  const earlyLength = early(0n).length - 5;
  /** What skipping charges for one early record: the most payload it could carry, without type byte and tag (RFC 8446 §4.2.10). */
  const charged = earlyLength - 1 - 16;

  it('skips records that fail to decrypt while the budget lasts, then reads the first record that opens', () => {
    const layer = new RecordLayer();
    layer.setReadProtection(protection(serverHandshakeKeys));
    layer.skipEarlyData(2 * charged);
    layer.receive(concat(early(0n), early(1n), sealed(serverHandshakeKeys, 0n, finished, ContentType.handshake)));
    expect(layer.next()).toMatchObject({ kind: 'handshake', msgType: HandshakeType.finished });
  });

  it('fails with bad_record_mac once the unreadable records exceed the budget by one byte', () => {
    const layer = new RecordLayer();
    layer.setReadProtection(protection(serverHandshakeKeys));
    layer.skipEarlyData(2 * charged - 1);
    layer.receive(concat(early(0n), early(1n)));
    expect(expectTlsError(() => layer.next(), 'BadRecordMac', 'bad_record_mac').detail).toMatch(/more unreadable records than the rejected 0-RTT data can explain/);
  });

  it('skips nothing without a budget: an unreadable record is bad_record_mac at once', () => {
    const layer = new RecordLayer();
    layer.setReadProtection(protection(serverHandshakeKeys));
    layer.receive(early(0n));
    expectTlsError(() => layer.next(), 'BadRecordMac', 'bad_record_mac');
  });

  it('stops skipping for good once a record has been read normally', () => {
    const layer = new RecordLayer();
    layer.setReadProtection(protection(serverHandshakeKeys));
    layer.skipEarlyData(10 * earlyLength);
    layer.receive(concat(early(0n), sealed(serverHandshakeKeys, 0n, finished, ContentType.handshake), early(1n)));
    expect(layer.next()).toMatchObject({ kind: 'handshake', msgType: HandshakeType.finished });
    expectTlsError(() => layer.next(), 'BadRecordMac', 'bad_record_mac');
  });

  it('keeps skipping across a ChangeCipherSpec, which is not a record read under the keys', () => {
    const layer = new RecordLayer();
    layer.setReadProtection(protection(serverHandshakeKeys));
    layer.skipEarlyData(10 * earlyLength);
    layer.receive(concat(early(0n), ccs, early(1n), sealed(serverHandshakeKeys, 0n, finished, ContentType.handshake)));
    expect(layer.next()).toEqual({ kind: 'change_cipher_spec' });
    expect(layer.next()).toMatchObject({ kind: 'handshake', msgType: HandshakeType.finished });
  });

  it('does not swallow a record that opens but is malformed: only bad_record_mac is skipped', () => {
    const layer = new RecordLayer();
    layer.setReadProtection(protection(serverHandshakeKeys));
    layer.skipEarlyData(10 * earlyLength);
    layer.receive(nodeSealRecord(serverHandshakeKeys, 0n, new Uint8Array(8)));
    expectTlsError(() => layer.next(), 'EmptyRecord', 'unexpected_message');
  });

  it('after a HelloRetryRequest (plaintext reads), skips application_data records but still reads the new ClientHello', () => {
    const layer = new RecordLayer();
    layer.skipEarlyData(10 * earlyLength);
    layer.receive(concat(early(0n), early(1n), plaintextRecord(ContentType.handshake, finished)));
    expect(layer.next()).toMatchObject({ kind: 'handshake', msgType: HandshakeType.finished });
  });

  // BoGo's SkipEarlyData-HRR with an honest client's full-size 0-RTT record: it is TLSCiphertext (§5.2).
  it('after a HelloRetryRequest, skips an application_data record of 2^14 + 256 bytes; a handshake record over 2^14 is still record_overflow', () => {
    const layer = new RecordLayer();
    layer.skipEarlyData(2 ** 14 + 256);
    layer.receive(concat(plaintextRecord(ContentType.application_data, new Uint8Array(2 ** 14 + 256)), plaintextRecord(ContentType.handshake, finished)));
    expect(layer.next()).toMatchObject({ kind: 'handshake', msgType: HandshakeType.finished });
    layer.skipEarlyData(2 ** 14 + 256);
    layer.receive(plaintextRecord(ContentType.handshake, new Uint8Array(2 ** 14 + 1)));
    expectTlsError(() => layer.next(), 'RecordOverflow', 'record_overflow');
  });

  it('after a HelloRetryRequest, fails once the skipped plaintext application_data exceeds the budget', () => {
    const layer = new RecordLayer();
    layer.skipEarlyData(charged - 1);
    layer.receive(early(0n));
    expectTlsError(() => layer.next(), 'BadRecordMac', 'bad_record_mac');
  });

  it('after a HelloRetryRequest, ends skipping when the budget is used up exactly: the next application_data is refused', () => {
    const layer = new RecordLayer();
    layer.skipEarlyData(charged);
    layer.receive(concat(early(0n), early(1n)));
    expect(expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message').detail).toMatch(/before any keys/);
  });
});

describe('RecordLayer: limits on what it reads', () => {
  it('refuses a protected record whose inner plaintext exceeds the record_size_limit we announced (RFC 8449 §4), and takes one at the limit', () => {
    const layer = new RecordLayer();
    layer.setReadProtection(protection(serverApplicationKeys));
    layer.readRecordSizeLimit = 100;
    layer.receive(sealed(serverApplicationKeys, 0n, new Uint8Array(99).fill(7), ContentType.application_data));
    expect(layer.next()).toMatchObject({ kind: 'application_data', data: new Uint8Array(99).fill(7) });
    layer.receive(sealed(serverApplicationKeys, 1n, new Uint8Array(100).fill(7), ContentType.application_data));
    const error = expectTlsError(() => layer.next(), 'RecordOverflow', 'record_overflow');
    expect(error.detail).toBe('a record of 101 bytes exceeds our record_size_limit of 100');
  });

  it('limits records to 2^14 bytes again when reading returns to plaintext', () => {
    const layer = new RecordLayer();
    layer.setReadProtection(protection(serverHandshakeKeys));
    layer.setReadProtection(null);
    layer.receive(Uint8Array.of(ContentType.handshake, 3, 3, 0x40, 0x01));
    expectTlsError(() => layer.next(), 'RecordOverflow', 'record_overflow');
  });

  it('never counts application data with content as an empty record, however many arrive in a row', () => {
    const layer = new RecordLayer();
    layer.setReadProtection(protection(serverApplicationKeys));
    const count = 40;
    for (let i = 0; i < count; i++) layer.receive(sealed(serverApplicationKeys, BigInt(i), fromHex('61'), ContentType.application_data));
    for (let i = 0; i < count; i++) expect(layer.next()).toEqual({ kind: 'application_data', data: fromHex('61') });
  });
});

describe('RecordLayer error details say what was wrong', () => {
  it('names the buffered handshake bytes when keys change mid-message (RFC 8446 §5.1)', () => {
    const layer = new RecordLayer();
    layer.receive(plaintextRecord(ContentType.handshake, finished.subarray(0, 10)));
    expect(layer.next()).toBeUndefined();
    const error = expectTlsError(() => layer.setReadProtection(protection(serverHandshakeKeys)), 'HandshakeSpansKeyChange', 'unexpected_message');
    expect(error.detail).toMatch(/handshake bytes are buffered across a change of read keys/);
  });

  it('names a record of another type inside a fragmented handshake message', () => {
    const layer = new RecordLayer();
    layer.receive(concat(plaintextRecord(ContentType.handshake, finished.subarray(0, 10)), ccs));
    expect(expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message').detail).toMatch(/another type arrived inside a fragmented handshake message/);
  });

  it('names a zero-length handshake fragment and a zero-length alert fragment', () => {
    const handshake = new RecordLayer();
    handshake.receive(plaintextRecord(ContentType.handshake, new Uint8Array(0)));
    expect(expectTlsError(() => handshake.next(), 'EmptyRecord', 'unexpected_message').detail).toMatch(/zero-length handshake fragment/);
    const alert = new RecordLayer();
    alert.receive(plaintextRecord(ContentType.alert, new Uint8Array(0)));
    expect(expectTlsError(() => alert.next(), 'EmptyRecord', 'unexpected_message').detail).toMatch(/zero-length alert fragment/);
  });

  it('gives the length of an alert record that is not 2 bytes', () => {
    const layer = new RecordLayer();
    layer.receive(plaintextRecord(ContentType.alert, fromHex('022800')));
    expect(expectTlsError(() => layer.next(), 'DecodeError', 'decode_error').detail).toMatch(/alert record of 3 bytes, expected 2/);
  });

  it('says a ChangeCipherSpec must be the single byte 0x01', () => {
    const layer = new RecordLayer();
    layer.receive(plaintextRecord(ContentType.change_cipher_spec, Uint8Array.of(2)));
    expect(expectTlsError(() => layer.next(), 'UnexpectedChangeCipherSpec', 'unexpected_message').detail).toMatch(/single byte 0x01/);
  });

  it('gives the cap on consecutive records without content', () => {
    const layer = new RecordLayer();
    for (let i = 0; i <= 32; i++) layer.receive(ccs);
    for (let i = 0; i < 32; i++) layer.next();
    expect(expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message').detail).toBe('more than 32 consecutive records without content');
  });
});
