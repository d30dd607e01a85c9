import { describe, expect, it } from 'vitest';
import { RecordProtection } from '../../src/record/protection.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { fromHex, hex } from '../../src/wire/bytes.js';
import { ContentType } from '../../src/wire/enums.js';
import {
  expectTlsError,
  nodeOpenRecord,
  nodeSealRecord,
  protection,
  rfcKeys,
  rfcRecord,
  serverApplicationKeys,
  serverHandshakeKeys,
} from './helpers.js';

describe('RecordProtection against RFC 8448 §3', () => {
  const flight = rfcRecord('server', 'send handshake record', 1);

  it('seals the server EncryptedExtensions..Finished flight to exactly the RFC record', () => {
    const sealed = protection(serverHandshakeKeys).seal(ContentType.handshake, flight.payload);
    expect(hex(sealed)).toBe(hex(flight.record));
  });

  it('opens the RFC server handshake record to its handshake plaintext', () => {
    const opened = protection(serverHandshakeKeys).open(flight.record);
    expect(opened.contentType).toBe(ContentType.handshake);
    expect(hex(opened.content)).toBe(hex(flight.payload));
  });

  it('seals the client Finished under the client handshake keys', () => {
    const keys = rfcKeys('server', 'derive read traffic keys for handshake data');
    const finished = rfcRecord('client', 'send handshake record', 1);
    expect(hex(protection(keys).seal(ContentType.handshake, finished.payload))).toBe(hex(finished.record));
  });

  it('advances the sequence number: NewSessionTicket, application data and alert use 0, 1 and 2', () => {
    const writer = protection(serverApplicationKeys);
    const ticket = rfcRecord('server', 'send handshake record', 2);
    const data = rfcRecord('server', 'send application_data record');
    const alert = rfcRecord('server', 'send alert record');
    expect(hex(writer.seal(ContentType.handshake, ticket.payload))).toBe(hex(ticket.record));
    expect(hex(writer.seal(ContentType.application_data, data.payload))).toBe(hex(data.record));
    expect(hex(writer.seal(ContentType.alert, alert.payload))).toBe(hex(alert.record));
    expect(writer.sequenceNumber).toBe(3);

    const reader = protection(serverApplicationKeys);
    expect(reader.open(ticket.record).contentType).toBe(ContentType.handshake);
    expect(reader.open(data.record)).toEqual({ contentType: ContentType.application_data, content: data.payload, protected: true });
    expect(reader.open(alert.record)).toEqual({ contentType: ContentType.alert, content: alert.payload, protected: true });
  });
});

describe('RecordProtection', () => {
  const keys = serverApplicationKeys;
  const content = fromHex('0102030405');

  it('hides the content type and padding: the wire type is 23 and node:crypto finds content || type || zeros', () => {
    const record = protection(keys).seal(ContentType.handshake, content, 7);
    expect(Array.from(record.subarray(0, 5))).toEqual([23, 3, 3, 0, 5 + 1 + 7 + 16]);
    expect(hex(nodeOpenRecord(keys, 0n, record))).toBe('0102030405' + '16' + '00'.repeat(7));
  });

  it('strips padding when opening, keeping zero bytes that belong to the content', () => {
    const record = nodeSealRecord(keys, 0n, fromHex('00ff00 17 0000000000'));
    expect(protection(keys).open(record)).toEqual({ contentType: ContentType.application_data, content: fromHex('00ff00'), protected: true });
  });

  it('encrypts the same content differently in consecutive records, with nonces iv XOR 0 and iv XOR 1', () => {
    const sender = protection(keys);
    const first = sender.seal(ContentType.application_data, content);
    const second = sender.seal(ContentType.application_data, content);
    expect(hex(first)).not.toBe(hex(second));
    expect(hex(first)).toBe(hex(nodeSealRecord(keys, 0n, fromHex('0102030405 17'))));
    expect(hex(second)).toBe(hex(nodeSealRecord(keys, 1n, fromHex('0102030405 17'))));
  });

  it('decrypts records only in order', () => {
    const sender = protection(keys);
    sender.seal(ContentType.application_data, content);
    const second = sender.seal(ContentType.application_data, content);
    expectTlsError(() => protection(keys).open(second), 'BadRecordMac', 'bad_record_mac');
  });

  it('rejects a record with a flipped tag bit as bad_record_mac', () => {
    const record = protection(keys).seal(ContentType.application_data, content);
    record[record.length - 1]! ^= 0x01;
    expectTlsError(() => protection(keys).open(record), 'BadRecordMac', 'bad_record_mac');
  });

  it('rejects a record whose header (the additional data) was altered', () => {
    const record = protection(keys).seal(ContentType.application_data, content);
    record[2] = 0x01;
    expectTlsError(() => protection(keys).open(record), 'BadRecordMac', 'bad_record_mac');
  });

  it('rejects an all-zero inner plaintext with unexpected_message', () => {
    expectTlsError(() => protection(keys).open(nodeSealRecord(keys, 0n, new Uint8Array(10))), 'EmptyRecord', 'unexpected_message');
  });

  it('rejects an inner plaintext of 2^14 + 2 bytes with record_overflow', () => {
    const inner = new Uint8Array(2 ** 14 + 2);
    inner[0] = ContentType.application_data;
    expectTlsError(() => protection(keys).open(nodeSealRecord(keys, 0n, inner)), 'RecordOverflow', 'record_overflow');
  });

  it('accepts an inner plaintext of exactly 2^14 + 1 bytes', () => {
    const inner = new Uint8Array(2 ** 14 + 1);
    inner[2 ** 14] = ContentType.application_data;
    expect(protection(keys).open(nodeSealRecord(keys, 0n, inner)).content.length).toBe(2 ** 14);
  });

  it('refuses to seal more than 2^14 + 1 bytes of inner plaintext', () => {
    expect(() => protection(keys).seal(ContentType.application_data, new Uint8Array(2 ** 14), 1)).toThrow(/2\^14 \+ 1/);
  });

  it('stops with ResourceLimit instead of reusing a nonce when the record cap is reached', () => {
    const sender = protection(keys, 2);
    sender.seal(ContentType.application_data, content);
    sender.seal(ContentType.application_data, content);
    expectTlsError(() => sender.seal(ContentType.application_data, content), 'ResourceLimit', 'internal_error');
  });

  it('rejects a key that is not the AEAD\'s length when made, not at the first record', () => {
    expect(() => new RecordProtection(nobleProvider, 'AES-128-GCM', new Uint8Array(32), keys.iv)).toThrow(/16-byte key, got 32/);
    expect(() => new RecordProtection(nobleProvider, 'AES-256-GCM', keys.key, keys.iv)).toThrow(/32-byte key, got 16/);
  });

  it('rejects an IV that is not 12 bytes', () => {
    expect(() => new RecordProtection({ aeadKeyLength: () => 16, createAead: () => ({ seal: (n) => n, sealInto: () => {}, open: (n) => n }) }, 'AES-128-GCM', keys.key, new Uint8Array(8))).toThrow(/12 bytes/);
  });
});
