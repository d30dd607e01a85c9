import { describe, expect, it } from 'vitest';
import { MAX_CIPHERTEXT_LENGTH } from '../../src/record/header.js';
import { deprotect, isValidChangeCipherSpec, RecordReader, type RawRecord } from '../../src/record/reader.js';
import { concat, fromHex, hex } from '../../src/wire/bytes.js';
import { ContentType } from '../../src/wire/enums.js';
import { expectTlsError, nodeSealRecord, plaintextRecord, protection, rfcRecord, serverHandshakeKeys } from './helpers.js';

function readAll(reader: RecordReader): RawRecord[] {
  const records: RawRecord[] = [];
  for (let r = reader.next(); r !== undefined; r = reader.next()) records.push(r);
  return records;
}

describe('RecordReader', () => {
  const serverHello = rfcRecord('server', 'send handshake record', 0).record;
  const flight = rfcRecord('server', 'send handshake record', 1).record;
  const stream = concat(serverHello, flight);

  it('frames the RFC 8448 server records delivered one byte at a time', () => {
    const reader = new RecordReader(() => MAX_CIPHERTEXT_LENGTH);
    const records: RawRecord[] = [];
    for (const byte of stream) {
      reader.push(Uint8Array.of(byte));
      records.push(...readAll(reader));
    }
    expect(records.map((r) => hex(r.raw))).toEqual([hex(serverHello), hex(flight)]);
    expect(records.map((r) => [r.type, r.version, r.fragment.length])).toEqual([
      [ContentType.handshake, 0x0303, serverHello.length - 5],
      [ContentType.application_data, 0x0303, flight.length - 5],
    ]);
    expect(reader.buffered).toBe(0);
  });

  it('frames records from chunks that cut across headers and bodies', () => {
    const reader = new RecordReader(() => MAX_CIPHERTEXT_LENGTH);
    const records: RawRecord[] = [];
    for (const [from, to] of [[0, 3], [3, 97], [97, 300], [300, stream.length]] as const) {
      reader.push(stream.subarray(from, to));
      records.push(...readAll(reader));
    }
    expect(records.map((r) => hex(r.raw))).toEqual([hex(serverHello), hex(flight)]);
  });

  it('returns nothing until a record is complete', () => {
    const reader = new RecordReader();
    reader.push(serverHello.subarray(0, serverHello.length - 1));
    expect(reader.next()).toBeUndefined();
    expect(reader.buffered).toBe(serverHello.length - 1);
  });

  it('accepts a plaintext record of 2^14 bytes and rejects 2^14 + 1 with record_overflow from the header alone', () => {
    const reader = new RecordReader();
    reader.push(plaintextRecord(ContentType.handshake, new Uint8Array(2 ** 14)));
    expect(reader.next()?.fragment.length).toBe(2 ** 14);
    reader.push(Uint8Array.of(22, 3, 3, 0x40, 0x01));
    expectTlsError(() => reader.next(), 'RecordOverflow', 'record_overflow');
  });

  it('accepts a ciphertext of 2^14 + 256 bytes and rejects 2^14 + 257 with record_overflow', () => {
    const reader = new RecordReader(() => MAX_CIPHERTEXT_LENGTH);
    reader.push(concat(Uint8Array.of(23, 3, 3, 0x41, 0x00), new Uint8Array(2 ** 14 + 256)));
    expect(reader.next()?.fragment.length).toBe(2 ** 14 + 256);
    reader.push(Uint8Array.of(23, 3, 3, 0x41, 0x01));
    expectTlsError(() => reader.next(), 'RecordOverflow', 'record_overflow');
  });

  it('rejects an unknown content type with unexpected_message', () => {
    const reader = new RecordReader();
    reader.push(Uint8Array.of(24, 3, 3, 0, 1, 0));
    expectTlsError(() => reader.next(), 'UnexpectedMessage', 'unexpected_message');
  });

  it('ignores legacy_record_version on plaintext records, reporting it for traces', () => {
    const reader = new RecordReader();
    reader.push(plaintextRecord(ContentType.handshake, fromHex('01'), 0x0301));
    reader.push(plaintextRecord(ContentType.handshake, fromHex('02'), 0x0a0a));
    expect(readAll(reader).map((r) => r.version)).toEqual([0x0301, 0x0a0a]);
  });
});

describe('deprotect', () => {
  const raw = (bytes: Uint8Array): RawRecord => {
    const reader = new RecordReader(() => MAX_CIPHERTEXT_LENGTH);
    reader.push(bytes);
    return reader.next()!;
  };
  const flight = rfcRecord('server', 'send handshake record', 1);

  it('opens a protected record and reports the inner content type', () => {
    const result = deprotect(raw(flight.record), protection(serverHandshakeKeys));
    expect(result.contentType).toBe(ContentType.handshake);
    expect(result.protected).toBe(true);
    expect(hex(result.content)).toBe(hex(flight.payload));
  });

  it('passes plaintext records through before keys are installed', () => {
    const result = deprotect(raw(plaintextRecord(ContentType.alert, fromHex('0228'))), null);
    expect(result).toEqual({ contentType: ContentType.alert, content: fromHex('0228'), protected: false });
  });

  it('passes a plaintext ChangeCipherSpec through even when protection is on', () => {
    const result = deprotect(raw(plaintextRecord(ContentType.change_cipher_spec, fromHex('01'))), protection(serverHandshakeKeys));
    expect(result).toEqual({ contentType: ContentType.change_cipher_spec, content: fromHex('01'), protected: false });
  });

  it('rejects a plaintext handshake record once protection is on', () => {
    const record = raw(plaintextRecord(ContentType.handshake, fromHex('14000000')));
    expectTlsError(() => deprotect(record, protection(serverHandshakeKeys)), 'UnexpectedMessage', 'unexpected_message');
  });

  it('rejects application data before any keys', () => {
    expectTlsError(() => deprotect(raw(flight.record), null), 'UnexpectedMessage', 'unexpected_message');
  });

  it('rejects a protected record whose legacy_record_version is not 0x0303', () => {
    const record = Uint8Array.from(flight.record);
    record[2] = 0x01;
    expectTlsError(() => deprotect(raw(record), protection(serverHandshakeKeys)), 'DecodeError', 'decode_error');
  });

  it('rejects a change_cipher_spec hidden inside a protected record', () => {
    const record = nodeSealRecord(serverHandshakeKeys, 0n, fromHex('01 14'));
    expectTlsError(() => deprotect(raw(record), protection(serverHandshakeKeys)), 'UnexpectedChangeCipherSpec', 'unexpected_message');
  });

  it('rejects an unknown inner content type', () => {
    const record = nodeSealRecord(serverHandshakeKeys, 0n, fromHex('01 63'));
    expectTlsError(() => deprotect(raw(record), protection(serverHandshakeKeys)), 'UnexpectedMessage', 'unexpected_message');
  });
});

describe('isValidChangeCipherSpec', () => {
  it('accepts the single byte 0x01 and nothing else', () => {
    expect(isValidChangeCipherSpec(fromHex('01'))).toBe(true);
    expect(isValidChangeCipherSpec(fromHex('02'))).toBe(false);
    expect(isValidChangeCipherSpec(fromHex('0101'))).toBe(false);
    expect(isValidChangeCipherSpec(new Uint8Array(0))).toBe(false);
  });
});
