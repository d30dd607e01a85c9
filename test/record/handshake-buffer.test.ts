import { describe, expect, it } from 'vitest';
import { HandshakeBuffer, type HandshakeMessage } from '../../src/record/handshake-buffer.js';
import { concat, hex } from '../../src/wire/bytes.js';
import { HandshakeType } from '../../src/wire/enums.js';
import { findValue } from '../../src/testing/rfc8448.js';
import { expectTlsError, handshakeMessage, s3 } from './helpers.js';

function drain(buffer: HandshakeBuffer): HandshakeMessage[] {
  const out: HandshakeMessage[] = [];
  for (let m = buffer.next(); m !== undefined; m = buffer.next()) out.push(m);
  return out;
}

describe('HandshakeBuffer', () => {
  const messages = ['EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished'].map((label) =>
    findValue(s3, 'server', `${label} handshake message`, label),
  );
  const flight = concat(...messages);

  it('splits the RFC 8448 server flight (four messages in one record) into its messages', () => {
    const buffer = new HandshakeBuffer();
    buffer.push(flight);
    const out = drain(buffer);
    expect(out.map((m) => m.msgType)).toEqual([
      HandshakeType.encrypted_extensions,
      HandshakeType.certificate,
      HandshakeType.certificate_verify,
      HandshakeType.finished,
    ]);
    expect(out.map((m) => hex(m.raw))).toEqual(messages.map(hex));
    expect(out.map((m) => hex(m.body))).toEqual(messages.map((m) => hex(m.subarray(4))));
    expect(buffer.hasPartialMessage()).toBe(false);
  });

  it('returns views of the record, not copies, when a message lies within one record', () => {
    const buffer = new HandshakeBuffer();
    buffer.push(flight);
    const first = buffer.next()!;
    expect(first.raw.buffer).toBe(flight.buffer);
    expect(first.raw.byteOffset).toBe(flight.byteOffset);
  });

  it('reassembles a message spanning three records, showing the partial message until it is whole', () => {
    const certificate = messages[1]!;
    const buffer = new HandshakeBuffer();
    buffer.push(certificate.subarray(0, 2));
    expect(buffer.next()).toBeUndefined();
    expect(buffer.hasPartialMessage()).toBe(true);
    buffer.push(certificate.subarray(2, 200));
    expect(buffer.next()).toBeUndefined();
    buffer.push(certificate.subarray(200));
    const message = buffer.next()!;
    expect(message.msgType).toBe(HandshakeType.certificate);
    expect(hex(message.raw)).toBe(hex(certificate));
    expect(buffer.hasPartialMessage()).toBe(false);
  });

  it('reassembles the flight delivered one byte per record', () => {
    const buffer = new HandshakeBuffer();
    const out: HandshakeMessage[] = [];
    for (const byte of flight) {
      buffer.push(Uint8Array.of(byte));
      out.push(...drain(buffer));
    }
    expect(out.map((m) => hex(m.raw))).toEqual(messages.map(hex));
  });

  it('counts a whole message not yet taken as buffered, since a key change must not follow it', () => {
    const buffer = new HandshakeBuffer();
    buffer.push(concat(messages[0]!, messages[1]!));
    buffer.next();
    expect(buffer.hasPartialMessage()).toBe(true);
  });

  it('accepts an empty-bodied message', () => {
    const buffer = new HandshakeBuffer();
    buffer.push(handshakeMessage(HandshakeType.end_of_early_data, new Uint8Array(0)));
    expect(drain(buffer).map((m) => [m.msgType, m.body.length])).toEqual([[HandshakeType.end_of_early_data, 0]]);
  });

  it('rejects a message longer than the configured maximum as soon as its header arrives', () => {
    const buffer = new HandshakeBuffer(100);
    buffer.push(handshakeMessage(HandshakeType.certificate, new Uint8Array(100)));
    expect(buffer.next()?.body.length).toBe(100);
    buffer.push(Uint8Array.of(HandshakeType.certificate, 0, 0, 101));
    expectTlsError(() => buffer.next(), 'HandshakeMessageTooLong', 'illegal_parameter');
  });

  it('holds a ClientHello to its own maximum and every other message to the general one', () => {
    const buffer = new HandshakeBuffer(100, 200);
    buffer.push(handshakeMessage(HandshakeType.client_hello, new Uint8Array(200)));
    expect(buffer.next()?.body.length).toBe(200);
    buffer.push(Uint8Array.of(HandshakeType.client_hello, 0, 0, 201));
    expectTlsError(() => buffer.next(), 'HandshakeMessageTooLong', 'illegal_parameter');
    const other = new HandshakeBuffer(100, 200);
    other.push(Uint8Array.of(HandshakeType.certificate, 0, 0, 101));
    expectTlsError(() => other.next(), 'HandshakeMessageTooLong', 'illegal_parameter');
  });

  it.each([
    ['a Finished', HandshakeType.finished, 48],
    ['a KeyUpdate', HandshakeType.key_update, 1],
    ['an EndOfEarlyData', HandshakeType.end_of_early_data, 0],
  ])('refuses %s header longer than its syntax allows with decode_error, under any cap', (_, msgType, longest) => {
    const buffer = new HandshakeBuffer(1 << 20);
    buffer.push(Uint8Array.of(msgType, 0, 0, longest + 1));
    expectTlsError(() => buffer.next(), 'DecodeError', 'decode_error');
  });

  it('rejects a 16 MiB length by default', () => {
    const buffer = new HandshakeBuffer();
    buffer.push(Uint8Array.of(HandshakeType.certificate, 0xff, 0xff, 0xff));
    expectTlsError(() => buffer.next(), 'HandshakeMessageTooLong', 'illegal_parameter');
  });
});
