// Shared test support for the record layer: RFC 8448 §3 keys and records, an independent AES-GCM
// from node:crypto for crafting and checking records, and an assertion for TlsError reasons.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { expect } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { RecordProtection } from '../../src/record/protection.js';
import { findValue, loadRfc8448Section } from '../../src/testing/rfc8448.js';
import type { AlertName } from '../../src/wire/enums.js';
import { TlsError, type Reason } from '../../src/wire/errors.js';

export const s3 = loadRfc8448Section(3);

export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
}

/** Keys of RFC 8448 §3, e.g. ('server', 'write traffic keys for handshake data'). */
export function rfcKeys(actor: 'client' | 'server', action: string): TrafficKeys {
  return { key: findValue(s3, actor, action, 'key expanded'), iv: findValue(s3, actor, action, 'iv expanded') };
}

export const serverHandshakeKeys = rfcKeys('server', 'derive write traffic keys for handshake data');
export const serverApplicationKeys = rfcKeys('server', 'derive write traffic keys for application data');

/** The n-th record the actor sends in §3 with the given action, as payload and complete record. */
export function rfcRecord(actor: 'client' | 'server', action: string, occurrence = 0): { payload: Uint8Array; record: Uint8Array } {
  return {
    payload: findValue(s3, actor, action, 'payload', occurrence),
    record: findValue(s3, actor, action, 'complete record', occurrence),
  };
}

export function protection(keys: TrafficKeys, maxRecords?: number): RecordProtection {
  return new RecordProtection(nobleProvider, 'AES-128-GCM', keys.key, keys.iv, maxRecords);
}

/** RFC 8446 §5.3 nonce, computed here with bigint independently of the code under test. */
export function nonceFor(iv: Uint8Array, sequence: bigint): Uint8Array {
  const nonce = Uint8Array.from(iv);
  for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Number((sequence >> BigInt(8 * i)) & 0xffn);
  return nonce;
}

/** A TLSCiphertext sealed by node:crypto around any inner plaintext we like (even invalid ones). */
export function nodeSealRecord(keys: TrafficKeys, sequence: bigint, inner: Uint8Array): Uint8Array {
  const length = inner.length + 16;
  const header = Uint8Array.of(23, 3, 3, length >> 8, length & 0xff);
  const cipher = createCipheriv('aes-128-gcm', keys.key, nonceFor(keys.iv, sequence));
  cipher.setAAD(header);
  return Uint8Array.from(Buffer.concat([header, cipher.update(inner), cipher.final(), cipher.getAuthTag()]));
}

/** The TLSInnerPlaintext of a record, opened by node:crypto. */
export function nodeOpenRecord(keys: TrafficKeys, sequence: bigint, record: Uint8Array): Uint8Array {
  const header = record.subarray(0, 5);
  const body = record.subarray(5, record.length - 16);
  const decipher = createDecipheriv('aes-128-gcm', keys.key, nonceFor(keys.iv, sequence));
  decipher.setAAD(header);
  decipher.setAuthTag(record.subarray(record.length - 16));
  return Uint8Array.from(Buffer.concat([decipher.update(body), decipher.final()]));
}

/** Runs fn and expects a TlsError with this reason and alert. */
export function expectTlsError(fn: () => unknown, reason: Reason, alert: AlertName): TlsError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TlsError);
  const error = caught as TlsError;
  expect({ reason: error.reason, alert: error.alert }).toEqual({ reason, alert });
  return error;
}

export function plaintextRecord(type: number, fragment: Uint8Array, version = 0x0303): Uint8Array {
  const out = new Uint8Array(5 + fragment.length);
  out.set([type, version >> 8, version & 0xff, fragment.length >> 8, fragment.length & 0xff]);
  out.set(fragment, 5);
  return out;
}

/** A handshake message with the 4-byte header of RFC 8446 §4. */
export function handshakeMessage(msgType: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out.set([msgType, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]);
  out.set(body, 4);
  return out;
}
