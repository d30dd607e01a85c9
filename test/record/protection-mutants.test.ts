// Behaviour of RecordProtection that the RFC 8448 replays do not reach: found by mutation testing
// (docs/mutation.md). Each test names the rule; the ones on the nonce check §5.3 for sequence numbers far
// beyond what a test can send, so they call the private nonce derivation directly.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { RecordProtection, type TrafficKeySource } from '../../src/record/protection.js';
import { hex } from '../../src/wire/bytes.js';
import { ContentType } from '../../src/wire/enums.js';
import { expectTlsError, nodeSealRecord, nonceFor, protection, rfcRecord, serverApplicationKeys, serverHandshakeKeys } from './helpers.js';

const keys = serverApplicationKeys;
const derivedNonce = (p: RecordProtection, sequence: number): Uint8Array => p['nonceFor'](sequence);

describe('RecordProtection nonce (RFC 8446 §5.3)', () => {
  it('XORs all four low bytes of the sequence number into the last four bytes of the IV', () => {
    expect(hex(derivedNonce(protection(keys), 0x01020304))).toBe(hex(nonceFor(keys.iv, 0x01020304n)));
  });

  it('XORs the sequence number above 2^32 into bytes 4 to 7 of the IV', () => {
    const sequence = 0x1f0e0d * 2 ** 32 + 0x0a0b0c0d;
    expect(hex(derivedNonce(protection(keys), sequence))).toBe(hex(nonceFor(keys.iv, BigInt(sequence))));
  });

  it('keeps its own copy of the IV: the caller reusing its array afterwards changes no record', () => {
    const iv = keys.iv.slice();
    const sender = new RecordProtection(nobleProvider, 'AES-128-GCM', keys.key, iv);
    iv.fill(0);
    const data = rfcRecord('server', 'send application_data record');
    sender.seal(ContentType.handshake, rfcRecord('server', 'send handshake record', 2).payload);
    expect(hex(sender.seal(ContentType.application_data, data.payload))).toBe(hex(data.record));
  });

  it('derivedOnFirstRecord asks its source once, at the first record, and seals the RFC 8448 records with what it gave', () => {
    const lent: Uint8Array[] = [];
    const source: TrafficKeySource = {
      deriveKeys(iv) {
        lent.push(iv);
        iv.set(keys.iv);
        return keys.key.slice();
      },
    };
    const sender = RecordProtection.derivedOnFirstRecord(nobleProvider, 'AES-128-GCM', source);
    expect(lent).toHaveLength(0);
    const data = rfcRecord('server', 'send application_data record');
    const ticket = rfcRecord('server', 'send handshake record', 2);
    expect(hex(sender.seal(ContentType.handshake, ticket.payload))).toBe(hex(ticket.record));
    expect(lent).toHaveLength(1);
    // The lent IV memory is wiped once read, and what the source does with it later changes no nonce.
    expect(lent[0]!.every((b) => b === 0)).toBe(true);
    lent[0]!.fill(0xff);
    try {
      expect(hex(sender.seal(ContentType.application_data, data.payload))).toBe(hex(data.record));
      expect(lent).toHaveLength(1);
    } finally {
      lent[0]!.fill(0);
    }
  });

  it('derivedOnFirstRecord opens too: the first open derives the keys, and the nonce counts from 0', () => {
    const source: TrafficKeySource = { deriveKeys: (iv) => (iv.set(keys.iv), keys.key.slice()) };
    const receiver = RecordProtection.derivedOnFirstRecord(nobleProvider, 'AES-128-GCM', source);
    const record = nodeSealRecord(keys, 0n, Uint8Array.of(1, 2, ContentType.application_data));
    expect(hex(receiver.open(record).content)).toBe('0102');
    expect(hex(receiver.open(nodeSealRecord(keys, 1n, Uint8Array.of(3, ContentType.application_data))).content)).toBe('03');
  });

  it('derivedOnFirstRecord refuses a key of the wrong length from its source', () => {
    const source: TrafficKeySource = { deriveKeys: () => new Uint8Array(32) };
    expect(() => RecordProtection.derivedOnFirstRecord(nobleProvider, 'AES-128-GCM', source).seal(ContentType.application_data, new Uint8Array(1))).toThrow(/16-byte key, got 32/);
  });
});

describe('RecordProtection.seal padding', () => {
  it('refuses a negative padding length', () => {
    expect(() => protection(keys).seal(ContentType.application_data, new Uint8Array(3), -1)).toThrow(/invalid padding length -1/);
  });

  it('refuses a fractional padding length', () => {
    expect(() => protection(keys).seal(ContentType.application_data, new Uint8Array(3), 1.5)).toThrow(/invalid padding length 1.5/);
  });
});

describe('RecordProtection.open framing', () => {
  it('rejects a record whose length field is larger than the bytes that follow as decode_error, before any AEAD work', () => {
    const record = nodeSealRecord(keys, 0n, Uint8Array.of(1, 2, ContentType.application_data));
    const error = expectTlsError(() => protection(keys).open(record.subarray(0, record.length - 1)), 'DecodeError', 'decode_error');
    expect(error.detail).toMatch(/length field/);
  });

  it('rejects a record shorter than its 5-byte header as decode_error', () => {
    expectTlsError(() => protection(keys).open(Uint8Array.of(23, 3, 3, 0)), 'DecodeError', 'decode_error');
  });

  it('rejects a record whose length field is smaller than the bytes that follow as decode_error', () => {
    const record = nodeSealRecord(keys, 0n, Uint8Array.of(1, 2, ContentType.application_data));
    const padded = new Uint8Array(record.length + 1);
    padded.set(record);
    expectTlsError(() => protection(keys).open(padded), 'DecodeError', 'decode_error');
  });
});

describe('RecordProtection error details say what was wrong', () => {
  it('names AEAD authentication for a forged tag', () => {
    const record = nodeSealRecord(keys, 0n, Uint8Array.of(1, ContentType.application_data));
    record[record.length - 1]! ^= 1;
    expect(expectTlsError(() => protection(keys).open(record), 'BadRecordMac', 'bad_record_mac').detail).toMatch(/AEAD authentication/);
  });

  it('names the inner plaintext length for an oversized record', () => {
    const inner = new Uint8Array(2 ** 14 + 2);
    inner[inner.length - 1] = ContentType.application_data;
    const error = expectTlsError(() => protection(keys).open(nodeSealRecord(keys, 0n, inner)), 'RecordOverflow', 'record_overflow');
    expect(error.detail).toMatch(/16386 bytes/);
  });

  it('names the missing content type for an all-zero inner plaintext', () => {
    const error = expectTlsError(() => protection(keys).open(nodeSealRecord(keys, 0n, new Uint8Array(4))), 'EmptyRecord', 'unexpected_message');
    expect(error.detail).toMatch(/content type/);
  });

  it('names the record cap when the sequence number limit is reached', () => {
    const sender = protection(serverHandshakeKeys, 1);
    sender.seal(ContentType.handshake, Uint8Array.of(1));
    const error = expectTlsError(() => sender.seal(ContentType.handshake, Uint8Array.of(1)), 'ResourceLimit', 'internal_error');
    expect(error.detail).toMatch(/limit of 1 records/);
  });
});
