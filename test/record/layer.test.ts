import { describe, expect, it } from 'vitest';
import type { RecordTrace } from '../../src/record/header.js';
import { MAX_CONSECUTIVE_EMPTY_RECORDS, RecordLayer, type IncomingItem } from '../../src/record/layer.js';
import { RecordWriter } from '../../src/record/writer.js';
import { concat, fromHex, hex } from '../../src/wire/bytes.js';
import { AlertDescription, AlertLevel, ContentType, HandshakeType } from '../../src/wire/enums.js';
import { findValue } from '../../src/testing/rfc8448.js';
import {
  expectTlsError,
  handshakeMessage,
  nodeSealRecord,
  plaintextRecord,
  protection,
  rfcRecord,
  s3,
  serverApplicationKeys,
  serverHandshakeKeys,
} from './helpers.js';

/** What a client's handshake layer would do with the RFC 8448 §3 server stream: install keys after ServerHello and Finished. */
function clientDriver(layer: RecordLayer) {
  const items: IncomingItem[] = [];
  return {
    items,
    pull() {
      for (let item = layer.next(); item !== undefined; item = layer.next()) {
        items.push(item);
        if (item.kind === 'handshake' && item.msgType === HandshakeType.server_hello) layer.setReadProtection(protection(serverHandshakeKeys));
        if (item.kind === 'handshake' && item.msgType === HandshakeType.finished) layer.setReadProtection(protection(serverApplicationKeys));
      }
    },
  };
}

const serverStream = concat(
  rfcRecord('server', 'send handshake record', 0).record,
  rfcRecord('server', 'send handshake record', 1).record,
  rfcRecord('server', 'send handshake record', 2).record,
  rfcRecord('server', 'send application_data record').record,
  rfcRecord('server', 'send alert record').record,
);

const expectedServerItems = [
  ['handshake', hex(findValue(s3, 'server', 'ServerHello handshake message', 'ServerHello'))],
  ['handshake', hex(findValue(s3, 'server', 'EncryptedExtensions handshake message', 'EncryptedExtensions'))],
  ['handshake', hex(findValue(s3, 'server', 'Certificate handshake message', 'Certificate'))],
  ['handshake', hex(findValue(s3, 'server', 'CertificateVerify handshake message', 'CertificateVerify'))],
  ['handshake', hex(findValue(s3, 'server', 'construct a Finished handshake message', 'Finished'))],
  ['handshake', hex(findValue(s3, 'server', 'NewSessionTicket handshake message', 'NewSessionTicket'))],
  ['application_data', hex(rfcRecord('server', 'send application_data record').payload)],
  ['alert', '0100'],
];

function summarize(items: IncomingItem[]): [string, string][] {
  return items.map((item) => {
    switch (item.kind) {
      case 'handshake':
        return [item.kind, hex(item.raw)];
      case 'application_data':
        return [item.kind, hex(item.data)];
      case 'alert':
        return [item.kind, hex(Uint8Array.of(item.level, item.description))];
      case 'change_cipher_spec':
        return [item.kind, ''];
    }
  });
}

describe('RecordLayer on the RFC 8448 §3 server stream', () => {
  it('yields every server message, the application data and the close_notify when given all bytes at once', () => {
    const layer = new RecordLayer();
    const driver = clientDriver(layer);
    layer.receive(serverStream);
    driver.pull();
    expect(summarize(driver.items)).toEqual(expectedServerItems);
  });

  it('yields the same items when the bytes arrive one at a time', () => {
    const layer = new RecordLayer();
    const driver = clientDriver(layer);
    for (const byte of serverStream) {
      layer.receive(Uint8Array.of(byte));
      driver.pull();
    }
    expect(summarize(driver.items)).toEqual(expectedServerItems);
  });

  it('shows each incoming record to the hook with its inner content type', () => {
    const traces: RecordTrace[] = [];
    const layer = new RecordLayer({ onRecord: (t) => traces.push(t) });
    const driver = clientDriver(layer);
    layer.receive(serverStream);
    driver.pull();
    expect(traces.map((t) => [t.direction, t.contentType, t.protected, t.raw.length])).toEqual([
      ['in', ContentType.handshake, false, 95],
      ['in', ContentType.handshake, true, 679],
      ['in', ContentType.handshake, true, 227],
      ['in', ContentType.application_data, true, 72],
      ['in', ContentType.alert, true, 24],
    ]);
  });

  it('fails with HandshakeSpansKeyChange when ServerHello and the next message share a record', () => {
    const serverHello = findValue(s3, 'server', 'ServerHello handshake message', 'ServerHello');
    const layer = new RecordLayer();
    layer.receive(plaintextRecord(ContentType.handshake, concat(serverHello, handshakeMessage(HandshakeType.encrypted_extensions, fromHex('0000')))));
    expect(layer.next()?.kind).toBe('handshake');
    expect(layer.hasPartialMessage()).toBe(true);
    expectTlsError(() => layer.setReadProtection(protection(serverHandshakeKeys)), 'HandshakeSpansKeyChange', 'unexpected_message');
  });

  it('fails with HandshakeSpansKeyChange when only part of the next message is buffered', () => {
    const serverHello = findValue(s3, 'server', 'ServerHello handshake message', 'ServerHello');
    const layer = new RecordLayer();
    layer.receive(plaintextRecord(ContentType.handshake, concat(serverHello, fromHex('0800'))));
    expect(layer.next()?.kind).toBe('handshake');
    expect(layer.next()).toBeUndefined();
    expect(layer.hasPartialMessage()).toBe(true);
    expectTlsError(() => layer.setReadProtection(protection(serverHandshakeKeys)), 'HandshakeSpansKeyChange', 'unexpected_message');
  });
});

describe('RecordLayer', () => {
  const ccs = (value: number) => plaintextRecord(ContentType.change_cipher_spec, Uint8Array.of(value));
  const finished = handshakeMessage(HandshakeType.finished, new Uint8Array(32).fill(0xab));

  it('reports a ChangeCipherSpec of 0x01, also between encrypted records', () => {
    const layer = new RecordLayer();
    layer.receive(ccs(1));
    expect(layer.next()).toEqual({ kind: 'change_cipher_spec' });
    layer.setReadProtection(protection(serverHandshakeKeys));
    layer.receive(ccs(1));
    expect(layer.next()).toEqual({ kind: 'change_cipher_spec' });
  });

  it('rejects a ChangeCipherSpec of 0x02 or of two bytes', () => {
    const layer = new RecordLayer();
    layer.receive(ccs(2));
    expectTlsError(() => layer.next(), 'UnexpectedChangeCipherSpec', 'unexpected_message');
    const other = new RecordLayer();
    other.receive(plaintextRecord(ContentType.change_cipher_spec, fromHex('0101')));
    expectTlsError(() => other.next(), 'UnexpectedChangeCipherSpec', 'unexpected_message');
  });

  it('rejects a zero-length handshake record, plaintext or protected (padding only)', () => {
    const layer = new RecordLayer();
    layer.receive(plaintextRecord(ContentType.handshake, new Uint8Array(0)));
    expectTlsError(() => layer.next(), 'EmptyRecord', 'unexpected_message');
    const protectedLayer = new RecordLayer();
    protectedLayer.setReadProtection(protection(serverHandshakeKeys));
    protectedLayer.receive(nodeSealRecord(serverHandshakeKeys, 0n, fromHex('16 000000')));
    expectTlsError(() => protectedLayer.next(), 'EmptyRecord', 'unexpected_message');
  });

  it('rejects a zero-length alert record', () => {
    const layer = new RecordLayer();
    layer.receive(plaintextRecord(ContentType.alert, new Uint8Array(0)));
    expectTlsError(() => layer.next(), 'EmptyRecord', 'unexpected_message');
  });

  it('rejects an alert record of 3 bytes or of 1 byte with decode_error', () => {
    for (const body of [fromHex('022800'), fromHex('02')]) {
      const layer = new RecordLayer();
      layer.receive(plaintextRecord(ContentType.alert, body));
      expectTlsError(() => layer.next(), 'DecodeError', 'decode_error');
    }
  });

  it('reports an alert with its level and description', () => {
    const layer = new RecordLayer();
    layer.receive(plaintextRecord(ContentType.alert, Uint8Array.of(AlertLevel.fatal, AlertDescription.bad_certificate)));
    expect(layer.next()).toEqual({ kind: 'alert', level: 2, description: 42 });
  });

  it('rejects an alert arriving between the fragments of a handshake message', () => {
    const layer = new RecordLayer();
    layer.receive(plaintextRecord(ContentType.handshake, finished.subarray(0, 10)));
    layer.receive(plaintextRecord(ContentType.alert, fromHex('0100')));
    expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message');
  });

  it('rejects application data arriving between the fragments of a handshake message', () => {
    const sender = new RecordWriter();
    sender.setProtection(protection(serverApplicationKeys));
    sender.handshake(finished.subarray(0, 10));
    sender.applicationData(fromHex('68656c6c6f'));
    const layer = new RecordLayer();
    layer.setReadProtection(protection(serverApplicationKeys));
    layer.receive(sender.take());
    expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message');
  });

  it('rejects a ChangeCipherSpec arriving between the fragments of a handshake message', () => {
    const layer = new RecordLayer();
    layer.receive(plaintextRecord(ContentType.handshake, finished.subarray(0, 10)));
    layer.receive(ccs(1));
    expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message');
  });

  it('passes zero-length application data on, as the RFC allows', () => {
    const layer = new RecordLayer();
    layer.setReadProtection(protection(serverApplicationKeys));
    layer.receive(nodeSealRecord(serverApplicationKeys, 0n, fromHex('17')));
    expect(layer.next()).toEqual({ kind: 'application_data', data: new Uint8Array(0) });
  });

  it(`accepts ${MAX_CONSECUTIVE_EMPTY_RECORDS} consecutive empty records but fails on one more`, () => {
    const layer = new RecordLayer();
    layer.setReadProtection(protection(serverApplicationKeys));
    for (let i = 0; i < MAX_CONSECUTIVE_EMPTY_RECORDS; i++) {
      layer.receive(i % 2 === 0 ? ccs(1) : nodeSealRecord(serverApplicationKeys, BigInt((i - 1) / 2), fromHex('17')));
    }
    for (let i = 0; i < MAX_CONSECUTIVE_EMPTY_RECORDS; i++) expect(layer.next()).toBeDefined();
    layer.receive(ccs(1));
    expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message');
  });

  it('resets the empty-record count when a record carries content', () => {
    const layer = new RecordLayer();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < MAX_CONSECUTIVE_EMPTY_RECORDS; i++) layer.receive(ccs(1));
      layer.receive(plaintextRecord(ContentType.alert, fromHex('0100')));
    }
    const kinds: string[] = [];
    for (let item = layer.next(); item !== undefined; item = layer.next()) kinds.push(item.kind);
    expect(kinds.filter((k) => k === 'alert')).toHaveLength(3);
  });

  it('limits plaintext records to 2^14 bytes and protected ones to 2^14 + 256', () => {
    const layer = new RecordLayer();
    layer.receive(Uint8Array.of(22, 3, 3, 0x40, 0x01));
    expectTlsError(() => layer.next(), 'RecordOverflow', 'record_overflow');

    const protectedLayer = new RecordLayer();
    protectedLayer.setReadProtection(protection(serverApplicationKeys));
    protectedLayer.receive(concat(Uint8Array.of(23, 3, 3, 0x41, 0x00), new Uint8Array(2 ** 14 + 256)));
    expectTlsError(() => protectedLayer.next(), 'BadRecordMac', 'bad_record_mac');
    protectedLayer.receive(Uint8Array.of(23, 3, 3, 0x41, 0x01));
    expectTlsError(() => protectedLayer.next(), 'RecordOverflow', 'record_overflow');
  });

  it('reassembles a 40000-byte handshake message written in padded, protected records', () => {
    const message = handshakeMessage(HandshakeType.certificate, Uint8Array.from({ length: 39996 }, (_, i) => (i * 13) & 0xff));
    const sender = new RecordLayer({ padding: (_type, length) => 300 - (length % 256) });
    sender.setWriteProtection(protection(serverApplicationKeys));
    sender.writer.handshake(message);
    const records = sender.writer.takeRecords();
    expect(records).toHaveLength(3);
    expect(records.every((r) => r[0] === ContentType.application_data)).toBe(true);

    const receiver = new RecordLayer();
    receiver.setReadProtection(protection(serverApplicationKeys));
    for (const record of records) receiver.receive(record);
    const item = receiver.next();
    expect(item?.kind === 'handshake' && hex(item.raw)).toBe(hex(message));
    expect(receiver.next()).toBeUndefined();
  });

  describe('plaintext alerts once read keys are in (RFC 8446 §5, §6, §7.3)', () => {
    const alert = (description: number) => plaintextRecord(ContentType.alert, Uint8Array.of(AlertLevel.fatal, description));
    const closeNotify = plaintextRecord(ContentType.alert, fromHex('0100'));
    const serverSide = () => new RecordLayer({ plaintextAlertsUnderFirstReadKeys: true });

    it('refuses any plaintext alert under read keys by default', () => {
      for (const record of [closeNotify, alert(AlertDescription.illegal_parameter)]) {
        const layer = new RecordLayer();
        layer.setReadProtection(protection(serverHandshakeKeys));
        layer.receive(record);
        expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message');
      }
    });

    it("server: reads a plaintext error alert under its first keys, before anything opened under them", () => {
      const layer = serverSide();
      layer.setReadProtection(protection(serverHandshakeKeys));
      layer.receive(alert(AlertDescription.illegal_parameter));
      expect(layer.next()).toEqual({ kind: 'alert', level: 2, description: AlertDescription.illegal_parameter });
    });

    it('server: never a plaintext close_notify or user_canceled, even in that window', () => {
      for (const record of [closeNotify, plaintextRecord(ContentType.alert, fromHex('015a'))]) {
        const layer = serverSide();
        layer.setReadProtection(protection(serverHandshakeKeys));
        layer.receive(record);
        expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message');
      }
    });

    it('server: the window closes with the first record opened under the keys', () => {
      const layer = serverSide();
      layer.setReadProtection(protection(serverHandshakeKeys));
      layer.receive(nodeSealRecord(serverHandshakeKeys, 0n, concat(finished, fromHex('16'))));
      expect(layer.next()?.kind).toBe('handshake');
      layer.receive(alert(AlertDescription.illegal_parameter));
      expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message');
    });

    it('server: the window closes for good with the next key change, even with nothing opened yet', () => {
      const layer = serverSide();
      layer.setReadProtection(protection(serverHandshakeKeys));
      layer.setReadProtection(protection(serverApplicationKeys));
      layer.receive(alert(AlertDescription.illegal_parameter));
      expectTlsError(() => layer.next(), 'UnexpectedMessage', 'unexpected_message');
    });

    it('still reads a plaintext alert before any read keys', () => {
      const layer = new RecordLayer();
      layer.receive(closeNotify);
      expect(layer.next()).toEqual({ kind: 'alert', level: 1, description: 0 });
    });
  });

  it('shows outgoing records to the same hook', () => {
    const traces: RecordTrace[] = [];
    const layer = new RecordLayer();
    layer.onRecord = (t) => traces.push(t);
    layer.writer.alert(AlertLevel.fatal, AlertDescription.decode_error);
    expect(traces.map((t) => [t.direction, t.contentType, hex(t.content)])).toEqual([['out', ContentType.alert, '0232']]);
  });
});
