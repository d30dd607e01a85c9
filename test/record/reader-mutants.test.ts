// The record reader's errors name what was wrong, so a trace or a failure report points at the byte that
// broke the rule. Found by mutation testing (docs/mutation.md): the suite checked reasons and alerts only.
import { describe, expect, it } from 'vitest';
import { MAX_CIPHERTEXT_LENGTH } from '../../src/record/header.js';
import { deprotect, RecordReader, type RawRecord } from '../../src/record/reader.js';
import { fromHex } from '../../src/wire/bytes.js';
import { ContentType } from '../../src/wire/enums.js';
import { expectTlsError, nodeSealRecord, plaintextRecord, protection, rfcRecord, serverHandshakeKeys } from './helpers.js';

function framed(bytes: Uint8Array): RawRecord {
  const reader = new RecordReader(() => MAX_CIPHERTEXT_LENGTH);
  reader.push(bytes);
  return reader.next()!;
}

const keys = () => protection(serverHandshakeKeys);

describe('RecordReader error details', () => {
  it('names the unknown content type of a record header', () => {
    const reader = new RecordReader();
    reader.push(fromHex('63 0303 0001 00'));
    expect(expectTlsError(() => reader.next(), 'UnexpectedMessage', 'unexpected_message').detail).toMatch(/unknown content type/);
  });

  it('names the length field and the limit it exceeds', () => {
    const reader = new RecordReader();
    reader.push(fromHex('16 0303 4001'));
    expect(expectTlsError(() => reader.next(), 'RecordOverflow', 'record_overflow').detail).toMatch(/record length 16385 exceeds 16384/);
  });
});

describe('deprotect error details', () => {
  it('says application data came before any keys', () => {
    const record = framed(rfcRecord('server', 'send handshake record', 1).record);
    expect(expectTlsError(() => deprotect(record, null), 'UnexpectedMessage', 'unexpected_message').detail).toMatch(/before any keys/);
  });

  it('names the plaintext content type received after keys were installed', () => {
    const record = framed(plaintextRecord(ContentType.alert, fromHex('0100')));
    const error = expectTlsError(() => deprotect(record, keys()), 'UnexpectedMessage', 'unexpected_message');
    expect(error.detail).toMatch(/plaintext alert record received after keys were installed/);
  });

  it('prints a wrong legacy_record_version as four hex digits', () => {
    const bytes = Uint8Array.from(rfcRecord('server', 'send handshake record', 1).record);
    bytes[1] = 0x00;
    bytes[2] = 0x01;
    const error = expectTlsError(() => deprotect(framed(bytes), keys()), 'DecodeError', 'decode_error');
    expect(error.detail).toMatch(/legacy_record_version 0x0001, not 0x0303/);
  });

  it('says a change_cipher_spec was found inside a protected record', () => {
    const record = framed(nodeSealRecord(serverHandshakeKeys, 0n, fromHex('01 14')));
    const error = expectTlsError(() => deprotect(record, keys()), 'UnexpectedChangeCipherSpec', 'unexpected_message');
    expect(error.detail).toMatch(/protected change_cipher_spec/);
  });

  it('names the unknown inner content type of a protected record', () => {
    const record = framed(nodeSealRecord(serverHandshakeKeys, 0n, fromHex('01 63')));
    const error = expectTlsError(() => deprotect(record, keys()), 'UnexpectedMessage', 'unexpected_message');
    expect(error.detail).toMatch(/protected record of unknown content type/);
  });
});
