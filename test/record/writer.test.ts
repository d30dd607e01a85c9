import { describe, expect, it } from 'vitest';
import type { RecordTrace } from '../../src/record/header.js';
import { RecordWriter } from '../../src/record/writer.js';
import { concat, fromHex, hex } from '../../src/wire/bytes.js';
import { AlertDescription, AlertLevel, ContentType } from '../../src/wire/enums.js';
import { findValue } from '../../src/testing/rfc8448.js';
import { nodeOpenRecord, protection, rfcRecord, s3, serverApplicationKeys, serverHandshakeKeys } from './helpers.js';

/** Splits concatenated records by their length fields (independently of the code under test). */
function splitRecords(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const end = at + 5 + ((bytes[at + 3]! << 8) | bytes[at + 4]!);
    out.push(bytes.subarray(at, end));
    at = end;
  }
  return out;
}

describe('RecordWriter', () => {
  it('writes the RFC 8448 ClientHello record with legacy_record_version 0x0301', () => {
    const clientHello = findValue(s3, 'client', 'construct a ClientHello', 'ClientHello');
    const writer = new RecordWriter();
    writer.handshake(clientHello, { legacyRecordVersion: 0x0301 });
    expect(hex(writer.take())).toBe(hex(rfcRecord('client', 'send handshake record').record));
  });

  it('writes the RFC 8448 ServerHello record with 0x0303 by default', () => {
    const serverHello = findValue(s3, 'server', 'construct a ServerHello', 'ServerHello');
    const writer = new RecordWriter();
    writer.handshake(serverHello);
    expect(hex(writer.take())).toBe(hex(rfcRecord('server', 'send handshake record', 0).record));
  });

  it('seals the RFC 8448 server flight under handshake keys', () => {
    const flight = rfcRecord('server', 'send handshake record', 1);
    const writer = new RecordWriter();
    writer.setProtection(protection(serverHandshakeKeys));
    writer.handshake(flight.payload);
    expect(hex(writer.take())).toBe(hex(flight.record));
  });

  it('fragments 40000 bytes of plaintext into records of 16384, 16384 and 7232 bytes', () => {
    const data = Uint8Array.from({ length: 40000 }, (_, i) => i & 0xff);
    const writer = new RecordWriter();
    writer.handshake(data);
    const records = writer.takeRecords();
    expect(records.map((r) => r.length - 5)).toEqual([16384, 16384, 7232]);
    expect(hex(concat(...records.map((r) => r.subarray(5))))).toBe(hex(data));
    expect(writer.pendingBytes).toBe(0);
  });

  it('fragments 40000 bytes of protected data into three records whose inner plaintext stays within 2^14 + 1', () => {
    const data = Uint8Array.from({ length: 40000 }, (_, i) => (i * 7) & 0xff);
    const writer = new RecordWriter();
    writer.setProtection(protection(serverApplicationKeys));
    writer.applicationData(data);
    const records = splitRecords(writer.take());
    expect(records.map((r) => r.length - 5)).toEqual([16384 + 1 + 16, 16384 + 1 + 16, 7232 + 1 + 16]);
    const inner = records.map((r, i) => nodeOpenRecord(serverApplicationKeys, BigInt(i), r));
    expect(inner.every((p) => p[p.length - 1] === ContentType.application_data)).toBe(true);
    expect(hex(concat(...inner.map((p) => p.subarray(0, p.length - 1))))).toBe(hex(data));
  });

  it('counts the content type and padding in the record size limit (RFC 8449)', () => {
    const writer = new RecordWriter({ recordSizeLimit: 100, padding: () => 50 });
    writer.setProtection(protection(serverApplicationKeys));
    writer.applicationData(new Uint8Array(250).fill(0x55));
    const inner = writer.takeRecords().map((r, i) => hex(nodeOpenRecord(serverApplicationKeys, BigInt(i), r)));
    // Content of 99, 99 and 52 bytes; the asked-for 50 bytes of padding shrink to 0, 0 and 47 to fit 100.
    expect(inner).toEqual(['55'.repeat(99) + '17', '55'.repeat(99) + '17', '55'.repeat(52) + '17' + '00'.repeat(47)]);
  });

  it('puts a write that fits in one record, and splits one a byte longer (RFC 8446 §5.1, RFC 8449 §4)', () => {
    const plain = new RecordWriter();
    for (const length of [16384, 16385]) plain.handshake(new Uint8Array(length).fill(0x16));
    expect(plain.takeRecords().map((r) => r.length - 5)).toEqual([16384, 16384, 1]);
    const writer = new RecordWriter({ recordSizeLimit: 100 });
    writer.setProtection(protection(serverApplicationKeys));
    for (const length of [99, 100]) writer.applicationData(new Uint8Array(length).fill(0x55));
    const inner = writer.takeRecords().map((r, i) => hex(nodeOpenRecord(serverApplicationKeys, BigInt(i), r)));
    expect(inner).toEqual(['55'.repeat(99) + '17', '55'.repeat(99) + '17', '5517']);
  });

  it('pads protected records as the policy asks, and never plaintext records', () => {
    const seen: [number, number][] = [];
    const writer = new RecordWriter({
      padding: (type, length) => {
        seen.push([type, length]);
        return 10;
      },
    });
    writer.handshake(fromHex('0800000100'));
    expect(writer.take().length).toBe(5 + 5);
    writer.setProtection(protection(serverApplicationKeys));
    writer.alert(AlertLevel.warning, AlertDescription.close_notify);
    const inner = nodeOpenRecord(serverApplicationKeys, 0n, writer.take());
    expect(hex(inner)).toBe('0100' + '15' + '00'.repeat(10));
    expect(seen).toEqual([[ContentType.alert, 2]]);
  });

  it('writes a plaintext alert of exactly two bytes', () => {
    const writer = new RecordWriter();
    writer.alert(AlertLevel.fatal, AlertDescription.handshake_failure);
    expect(hex(writer.take())).toBe('150303000202' + '28');
  });

  it('writes the ChangeCipherSpec in the clear even under protection', () => {
    const writer = new RecordWriter();
    writer.setProtection(protection(serverApplicationKeys));
    writer.changeCipherSpec();
    expect(hex(writer.take())).toBe('140303000101');
  });

  it('makes every ChangeCipherSpec record afresh: what a caller or a hook does to one does not reach the next', () => {
    // An attacker-controlled hook and caller overwrite everything they are handed.
    const seen: RecordTrace[] = [];
    const first = new RecordWriter({ onRecord: (trace) => void (seen.push(trace), trace.content.fill(0xee), trace.raw.fill(0xee)) });
    first.changeCipherSpec();
    first.take().fill(0xee);
    expect(seen.map((t) => t.contentType)).toEqual([ContentType.change_cipher_spec]);
    for (const writer of [new RecordWriter(), new RecordWriter({ onRecord: () => {} })]) {
      writer.changeCipherSpec();
      const record = writer.take();
      expect(hex(record)).toBe('140303000101');
      record.fill(0xee);
    }
    const again = new RecordWriter();
    again.changeCipherSpec();
    expect(hex(again.take())).toBe('140303000101');
  });

  it('shows a hook the ChangeCipherSpec content as it is in the record', () => {
    const seen: RecordTrace[] = [];
    const writer = new RecordWriter({ onRecord: (trace) => void seen.push(trace) });
    writer.changeCipherSpec();
    expect(seen.map((t) => [hex(t.content), hex(t.raw)])).toEqual([['01', '140303000101']]);
  });

  it('matches the RFC 8448 server application data and alert records after the ticket', () => {
    const writer = new RecordWriter();
    writer.setProtection(protection(serverApplicationKeys));
    writer.handshake(rfcRecord('server', 'send handshake record', 2).payload);
    writer.applicationData(rfcRecord('server', 'send application_data record').payload);
    writer.alert(AlertLevel.warning, AlertDescription.close_notify);
    const records = writer.takeRecords();
    expect(hex(records[1]!)).toBe(hex(rfcRecord('server', 'send application_data record').record));
    expect(hex(records[2]!)).toBe(hex(rfcRecord('server', 'send alert record').record));
  });

  it('shows every record to the trace hook with its real content type', () => {
    const traces: RecordTrace[] = [];
    const writer = new RecordWriter({ onRecord: (r) => traces.push(r) });
    writer.handshake(fromHex('0800000100'));
    writer.setProtection(protection(serverApplicationKeys));
    writer.applicationData(fromHex('aabb'));
    const records = writer.takeRecords();
    expect(traces.map((t) => [t.direction, t.contentType, t.protected, hex(t.content), hex(t.raw)])).toEqual([
      ['out', ContentType.handshake, false, '0800000100', hex(records[0]!)],
      ['out', ContentType.application_data, true, 'aabb', hex(records[1]!)],
    ]);
  });

  it('refuses zero-length handshake data, unprotected application data and 0x0301 under protection', () => {
    const writer = new RecordWriter();
    expect(() => writer.handshake(new Uint8Array(0))).toThrow(/zero-length/);
    expect(() => writer.applicationData(fromHex('00'))).toThrow(/write keys/);
    writer.setProtection(protection(serverApplicationKeys));
    expect(() => writer.handshake(fromHex('14000000'), { legacyRecordVersion: 0x0301 })).toThrow(/0x0301/);
  });

  it('sends nothing for zero bytes of application data', () => {
    const writer = new RecordWriter();
    writer.setProtection(protection(serverApplicationKeys));
    writer.applicationData(new Uint8Array(0));
    expect(writer.take().length).toBe(0);
  });

  it('rejects a record size limit outside [64, 2^14 + 1]', () => {
    expect(() => new RecordWriter({ recordSizeLimit: 63 })).toThrow(/record size limit/);
    expect(() => new RecordWriter({ recordSizeLimit: 2 ** 14 + 2 })).toThrow(/record size limit/);
  });
});
