// The handshake buffer's size limit error names the message, its length and the limit (found by
// mutation testing, docs/mutation.md: the suite checked the reason only).
import { describe, expect, it } from 'vitest';
import { HandshakeBuffer } from '../../src/record/handshake-buffer.js';
import { fromHex } from '../../src/wire/bytes.js';
import { expectTlsError } from './helpers.js';

describe('HandshakeBuffer limit error', () => {
  it('names the message type, its declared length and our limit', () => {
    const buffer = new HandshakeBuffer(100);
    buffer.push(fromHex('0b 000065'));
    const error = expectTlsError(() => buffer.next(), 'HandshakeMessageTooLong', 'illegal_parameter');
    expect(error.detail).toMatch(/^certificate\b.*message of 101 bytes exceeds our limit of 100$/i);
  });
});
