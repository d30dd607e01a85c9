// Test support for the wire codec: RFC 8448 handshake messages and an assertion for TlsError reasons.
import { expect } from 'vitest';
import { findValue, loadRfc8448Section, type Rfc8448SectionNumber } from '../../src/testing/rfc8448.js';
import { fromHex } from '../../src/wire/bytes.js';
import type { AlertName } from '../../src/wire/enums.js';
import { TlsError, type Reason } from '../../src/wire/errors.js';

/** A handshake message (with header) as RFC 8448 prints it, e.g. (3, 'server', 'Certificate'). */
export function rfcMessage(
  section: Rfc8448SectionNumber,
  actor: 'client' | 'server',
  name: string,
  occurrence = 0,
): Uint8Array {
  const article = /^[AEIOU]/.test(name) ? 'an' : 'a';
  return findValue(loadRfc8448Section(section), actor, `construct ${article} ${name} handshake message`, name, occurrence);
}

/** Any RFC 8448 value, e.g. (3, 'client', 'create an ephemeral x25519 key pair', 'public key'). */
export function rfcValue(section: Rfc8448SectionNumber, actor: 'client' | 'server', action: string, label: string, occurrence = 0): Uint8Array {
  return findValue(loadRfc8448Section(section), actor, action, label, occurrence);
}

/** Runs `fn` and expects a TlsError with this reason and alert. */
export function expectTlsError(fn: () => unknown, reason: Reason, alert: AlertName): TlsError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a TlsError').toBeInstanceOf(TlsError);
  const err = caught as TlsError;
  expect(err.reason).toBe(reason);
  expect(err.alert).toBe(alert);
  return err;
}

/** Hex with whitespace, prefixed by its own length as a big-endian integer of `bytes` bytes. */
export function withLength(bytes: number, hexBody: string): string {
  const length = fromHex(hexBody).length;
  return length.toString(16).padStart(2 * bytes, '0') + hexBody.replace(/\s+/g, '');
}
