// The Reader narrows itself to one length-prefixed vector at a time (open/close) instead of making a
// sub-reader per vector. These tests pin what that must keep: an inner vector never reaches past the vector
// that holds it, a vector is consumed whole, and at every nesting level a message decodes with the same
// alert as before: decode_error for a truncated vector, for trailing bytes and for an over-long length.
import { describe, expect, it } from 'vitest';
import { decodeWhole, fromHex, Reader } from '../../src/wire/bytes.js';
import { TlsError } from '../../src/wire/errors.js';
import { decodeHandshakeBody } from '../../src/wire/messages.js';
import { expectTlsError } from './helpers.js';

/** `content` (hex) behind a big-endian length of `bytes` bytes that claims `delta` bytes more than it holds. */
function prefixed(bytes: number, content: string, delta = 0): string {
  const length = fromHex(content).length + delta;
  return length.toString(16).padStart(2 * bytes, '0') + content.replace(/\s+/g, '');
}

describe('Reader.open and close', () => {
  it('reads a vector, then the bytes after it', () => {
    const r = new Reader(fromHex('02 aabb cc'));
    const outer = r.open(1, 'v');
    expect(r.remaining).toBe(2);
    expect(r.u16()).toBe(0xaabb);
    r.close(outer);
    expect(r.u8()).toBe(0xcc);
    r.end();
  });

  it('stops every read at the end of the open vector, although the buffer holds more', () => {
    const r = new Reader(fromHex('01 aa bbcc'));
    const outer = r.open(1);
    r.u8();
    expectTlsError(() => r.u8(), 'DecodeError', 'decode_error');
    r.close(outer);
    expect(r.u16()).toBe(0xbbcc);
  });

  it('refuses an inner vector longer than the vector holding it, though it fits the buffer', () => {
    // outer<3> = 03 02 aa bb, and bytes after it: the inner length 3 fits the buffer, not the outer vector.
    const r = new Reader(fromHex('03 03 aabb ccdd'));
    r.open(1, 'outer');
    expectTlsError(() => r.vec(1, 'inner'), 'DecodeError', 'decode_error');
    const s = new Reader(fromHex('03 03 aabb ccdd'));
    s.open(1, 'outer');
    expectTlsError(() => s.open(1, 'inner'), 'DecodeError', 'decode_error');
  });

  it('fails close() with decode_error while bytes of the vector are unread', () => {
    const r = new Reader(fromHex('02 aabb'));
    const outer = r.open(1, 'v');
    r.u8();
    expectTlsError(() => r.close(outer), 'DecodeError', 'decode_error');
  });

  it('refuses a truncated length prefix and a length outside [min, max]', () => {
    expectTlsError(() => new Reader(fromHex('00')).open(2), 'DecodeError', 'decode_error');
    expectTlsError(() => new Reader(fromHex('00')).open(1, 'v', 1), 'DecodeError', 'decode_error');
    expectTlsError(() => new Reader(fromHex('03 aabbcc')).open(1, 'v', 0, 2), 'DecodeError', 'decode_error');
    expectTlsError(() => new Reader(fromHex('03 aabb')).open(1, 'v'), 'DecodeError', 'decode_error');
    expectTlsError(() => new Reader(fromHex('03 aabb')).vec(1, 'v'), 'DecodeError', 'decode_error');
  });

  it('names the path of nested vectors in errors', () => {
    const r = new Reader(fromHex('02 01 aa'), 0, 3, undefined, 'msg');
    r.open(1, 'outer');
    r.open(1, 'inner');
    let thrown: unknown;
    try {
      r.u16('value');
    } catch (error) {
      thrown = error;
    }
    expect((thrown as TlsError).message).toMatch(/: msg\.outer\.inner: value needs 2 bytes, 1 left$/);
  });

  it('refuses, as a bug of the codec, a decoder that leaves a vector open', () => {
    // Without the check, the top-level end() would compare against the open vector's end and miss the 'ff' after it.
    expect(() => decodeWhole(fromHex('01 aa ff'), (r) => (r.open(1), r.u8()))).toThrow(/opened and not closed/);
    const closed = (r: Reader) => {
      const outer = r.open(1);
      const value = r.u8();
      r.close(outer);
      return value;
    };
    expect(decodeWhole(fromHex('01 aa'), closed)).toBe(0xaa);
  });
});

describe('one alert per malformation at every nesting level of a ClientHello', () => {
  // extensions { key_share { client_shares { KeyShareEntry { group, key_exchange } } } }, supported_versions after it.
  const VERSIONS = '002b 0003 02 0304';
  type Level = 'extensions' | 'key_share' | 'client_shares' | 'key_exchange';
  interface Fault {
    level: Level;
    /** Added to the level's length prefix. */
    delta?: number;
    /** Bytes appended inside the level's vector (its length counts them). */
    trailing?: string;
  }

  function hello(fault?: Fault): Uint8Array {
    const at = (level: Level) => (fault?.level === level ? fault : { delta: 0, trailing: '' });
    const v = (level: Level, bytes: number, content: string) => prefixed(bytes, content + (at(level).trailing ?? ''), at(level).delta ?? 0);
    const entry = `001d ${v('key_exchange', 2, 'aa'.repeat(32))}`;
    const keyShare = `0033 ${v('key_share', 2, v('client_shares', 2, entry))}`;
    const extensions = v('extensions', 2, `${keyShare} ${VERSIONS}`);
    return fromHex(`0303 ${'00'.repeat(32)} 00 0002 1301 01 00 ${extensions}`);
  }

  it('decodes the unbroken hello', () => {
    const decoded = decodeHandshakeBody(1, hello());
    expect(decoded.kind === 'client_hello' && decoded.extensions.map((e) => e.type)).toEqual([0x33, 0x2b]);
  });

  for (const level of ['extensions', 'key_share', 'client_shares', 'key_exchange'] as const) {
    it(`${level}: a length one byte too long, one too short, and a message cut inside it are decode_error`, () => {
      expectTlsError(() => decodeHandshakeBody(1, hello({ level, delta: 1 })), 'DecodeError', 'decode_error');
      expectTlsError(() => decodeHandshakeBody(1, hello({ level, delta: -1 })), 'DecodeError', 'decode_error');
      expectTlsError(() => decodeHandshakeBody(1, hello({ level, delta: 0x100 })), 'DecodeError', 'decode_error');
      const whole = hello();
      // Offsets inside each level's own bytes: the extensions' length is at 41, key_share's at 45, client_shares'
      // at 47, the entry's group at 49, key_exchange at 53..84, supported_versions at 85..91.
      const cut = { extensions: 88, key_share: 48, client_shares: 50, key_exchange: 70 }[level];
      expectTlsError(() => decodeHandshakeBody(1, whole.subarray(0, cut)), 'DecodeError', 'decode_error');
    });
  }

  for (const level of ['extensions', 'key_share', 'client_shares'] as const) {
    it(`${level}: a trailing byte inside it is decode_error`, () => {
      expectTlsError(() => decodeHandshakeBody(1, hello({ level, trailing: '00' })), 'DecodeError', 'decode_error');
    });
  }

  it('a trailing byte after the message is decode_error; a fault of meaning still waits for the syntax', () => {
    expectTlsError(() => decodeHandshakeBody(1, fromHex(`${Buffer.from(hello()).toString('hex')}00`)), 'DecodeError', 'decode_error');
    // An empty key_exchange is illegal_parameter (BadKeyShare) only in a message whose bytes all parse.
    const empty = fromHex(`0303 ${'00'.repeat(32)} 00 0002 1301 01 00 ${prefixed(2, `0033 ${prefixed(2, prefixed(2, '001d 0000'))} ${VERSIONS}`)}`);
    expectTlsError(() => decodeHandshakeBody(1, empty), 'BadKeyShare', 'illegal_parameter');
    expectTlsError(() => decodeHandshakeBody(1, fromHex(`${Buffer.from(empty).toString('hex')}00`)), 'DecodeError', 'decode_error');
  });
});

describe('one alert per malformation at every nesting level of a Certificate', () => {
  // certificate_list { CertificateEntry { cert_data, extensions { status_request { ocsp_response } } } }
  type Level = 'certificate_list' | 'cert_data' | 'entry_extensions' | 'status_request' | 'ocsp_response';
  function certificate(fault?: { level: Level; delta?: number; trailing?: string }): Uint8Array {
    const v = (level: Level, bytes: number, content: string) =>
      prefixed(bytes, content + (fault?.level === level ? (fault.trailing ?? '') : ''), fault?.level === level ? (fault.delta ?? 0) : 0);
    const status = `0005 ${v('status_request', 2, `01 ${v('ocsp_response', 3, '3003020100')}`)}`;
    const entry = `${v('cert_data', 3, 'aabbcc')} ${v('entry_extensions', 2, status)}`;
    return fromHex(`00 ${v('certificate_list', 3, entry)}`);
  }

  it('decodes the unbroken Certificate with its OCSP response', () => {
    const decoded = decodeHandshakeBody(11, certificate());
    expect(decoded.kind === 'certificate' && decoded.entries[0]!.extensions[0]!.data).toEqual(fromHex('01 000005 3003020100'));
  });

  for (const level of ['certificate_list', 'cert_data', 'entry_extensions', 'status_request', 'ocsp_response'] as const) {
    it(`${level}: a length one byte too long or too short is decode_error`, () => {
      expectTlsError(() => decodeHandshakeBody(11, certificate({ level, delta: 1 })), 'DecodeError', 'decode_error');
      expectTlsError(() => decodeHandshakeBody(11, certificate({ level, delta: -1 })), 'DecodeError', 'decode_error');
    });
  }

  for (const level of ['certificate_list', 'entry_extensions', 'status_request'] as const) {
    it(`${level}: a trailing byte inside it is decode_error`, () => {
      expectTlsError(() => decodeHandshakeBody(11, certificate({ level, trailing: '00' })), 'DecodeError', 'decode_error');
    });
  }
});
