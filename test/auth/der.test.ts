// The DER reader against X.690's own rules and examples, and PEM against RFC 7468 / node's base64.
import { describe, expect, it } from 'vitest';
import { DerError, DerReader, readSingle } from '../../src/auth/der.js';
import { der } from '../../src/auth/der-writer.js';
import { base64Decode, base64Encode, base64UrlEncode, parsePem, PemError, toPem } from '../../src/auth/pem.js';
import { asciiText, fromHex, hex } from '../../src/wire/bytes.js';
import type { Span } from '../../src/wire/bytes.js';

const read = <T>(h: string, f: (r: DerReader) => T) => readSingle(fromHex(h), f);

describe('DER lengths', () => {
  it('reads short and long definite lengths', () => {
    expect(read('0403010203', (r) => hex(r.octetString()))).toBe('010203');
    const long = '0481' + '80' + '00'.repeat(128);
    expect(read(long, (r) => r.octetString().length)).toBe(128);
  });

  it('rejects the indefinite length form', () => {
    expect(() => read('30800000', (r) => r.sequence())).toThrow(/indefinite length/);
  });

  it('rejects non-minimal lengths: long form for a short length, and a leading zero octet', () => {
    expect(() => read('04810101', (r) => r.octetString())).toThrow(/non-minimal length/);
    expect(() => read('0482000101', (r) => r.octetString())).toThrow(/non-minimal length/);
  });

  it('rejects trailing bytes after the element and inside a SEQUENCE', () => {
    expect(() => read('050000', (r) => r.null())).toThrow(/1 unexpected trailing bytes/);
    const sequenceWithExtra = (r: DerReader) => {
      const s = r.sequence('seq');
      s.integer();
      s.end();
    };
    expect(() => read('30050201010500', sequenceWithExtra)).toThrow(new DerError('seq: 2 unexpected trailing bytes'));
  });

  it('rejects a length running past its container', () => {
    expect(() => read('3003020501', (r) => r.sequence().integer())).toThrow(/INTEGER of 5 bytes overruns/);
    expect(() => read('3005020101', (r) => r.sequence())).toThrow(/SEQUENCE of 5 bytes overruns/);
  });
});

describe('DER values (X.690 §8 examples)', () => {
  it('reads and writes INTEGERs in minimal two\'s complement', () => {
    for (const [value, encoding] of [[0n, '020100'], [127n, '02017f'], [128n, '02020080'], [256n, '02020100'], [-128n, '020180'], [-129n, '0202ff7f']] as const) {
      expect(read(encoding, (r) => r.integer())).toBe(value);
      expect(hex(der.integer(value))).toBe(encoding);
    }
    expect(() => read('02020001', (r) => r.integer())).toThrow(/non-minimal INTEGER/);
    expect(() => read('0202ff80', (r) => r.integer())).toThrow(/non-minimal INTEGER/);
    expect(() => read('0200', (r) => r.integer())).toThrow(/empty INTEGER/);
  });

  it('reads and writes OBJECT IDENTIFIERs (X.690 §8.19.5: 2.100.3 is 06 03 81 34 03)', () => {
    expect(read('0603813403', (r) => r.oid())).toBe('2.100.3');
    expect(hex(der.oid('2.100.3'))).toBe('0603813403');
    expect(hex(der.oid('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(() => read('0603808134', (r) => r.oid())).toThrow(/non-minimal OID/);
  });

  it('reads OBJECT IDENTIFIER arcs of any size exactly, on both sides of the 7-octet (49-bit) subidentifier', () => {
    const uuid = 2n ** 128n - 1n; // X.667 arcs under 2.25 are 128-bit UUIDs
    const oids = ['0.0', '0.39', '1.0', '1.39', '2.0', '2.47', '2.48', `2.${2 ** 49 - 81}`, `2.${2 ** 49 - 80}`, `2.${uuid}`, '1.2.840.113549.1.1.11',
      `1.3.${2 ** 49 - 1}`, `1.3.${2 ** 49}`, `1.3.${2n ** 56n - 1n}`, `1.3.${2n ** 56n}`, `2.25.${uuid}.7`, '1.3.0.127.128.16383.16384'];
    for (const oid of oids) expect(readSingle(der.oid(oid), (r) => r.oid())).toBe(oid);
    // A later subidentifier may not start with 0x80 either; one whose last octet has bit 8 set is cut short.
    expect(() => read('06042a808134', (r) => r.oid())).toThrow(/non-minimal OID/);
    expect(() => read('06022a86', (r) => r.oid())).toThrow(/truncated OID/);
    expect(() => read('0600', (r) => r.oid())).toThrow(/empty OBJECT IDENTIFIER/);
  });

  it('accepts only FF and 00 as BOOLEAN (X.690 §11.1)', () => {
    expect(read('0101ff', (r) => r.boolean())).toBe(true);
    expect(() => read('010101', (r) => r.boolean())).toThrow(/not a DER BOOLEAN/);
  });

  it('requires zero padding bits in a BIT STRING (X.690 §11.2.1)', () => {
    expect(read('03020780', (r) => r.bitString().unusedBits)).toBe(7);
    expect(() => read('03020781', (r) => r.bitString())).toThrow(/unused bits are not zero/);
  });

  it('maps UTCTime years 50-99 to 19xx and 00-49 to 20xx (RFC 5280 §4.1.2.5.1)', () => {
    const utc = (text: string) => '170d' + Buffer.from(text).toString('hex');
    expect(read(utc('491231235959Z'), (r) => r.time())).toBe(Date.UTC(2049, 11, 31, 23, 59, 59));
    expect(read(utc('500101000000Z'), (r) => r.time())).toBe(Date.UTC(1950, 0, 1));
    expect(() => read(utc('500101000000+0100'.slice(0, 13)), (r) => r.time())).toThrow(/malformed time/);
    expect(() => read(utc('230230000000Z'), (r) => r.time())).toThrow(/impossible date/);
    expect(hex(der.time(Date.UTC(2050, 0, 1)))).toBe('180f' + Buffer.from('20500101000000Z').toString('hex'));
  });

  it('reads every GeneralizedTime year as written, 0000-0099 too (RFC 5280 §4.1.2.5.2; Date.UTC would make 0050 into 1950)', () => {
    const generalized = (text: string) => '180f' + Buffer.from(text).toString('hex');
    expect(new Date(read(generalized('00500101000000Z'), (r) => r.time())).getUTCFullYear()).toBe(50);
    expect(new Date(read(generalized('00000229000000Z'), (r) => r.time())).toISOString()).toBe('0000-02-29T00:00:00.000Z');
    expect(read(generalized('99991231235959Z'), (r) => r.time())).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
    expect(() => read(generalized('00010229000000Z'), (r) => r.time())).toThrow(/impossible date/);
  });

  it('shows a malformed time on one line, its control characters escaped, and a long one by its length only (x509:crl fuzzing)', () => {
    const length = (n: number) => (n < 0x80 ? n.toString(16).padStart(2, '0') : `83${n.toString(16).padStart(6, '0')}`);
    const time = (tag: string, bytes: number[]) => tag + length(bytes.length) + Buffer.from(bytes).toString('hex');
    const error = (h: string) => {
      try {
        read(h, (r) => r.time('thisUpdate'));
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('read');
    };
    const injected = error(time('17', [...Buffer.from('25123100'), 0x0a, 0x1b, 0x5b, 0x33, 0x31, 0x6d]));
    expect(injected).toBe('DER: thisUpdate: malformed time "25123100\\u000a\\u001b[31m"');
    expect(error(time('18', Array.from({ length: 200_000 }, () => 0x30)))).toBe('DER: thisUpdate: malformed time of 200000 bytes');
  });

  it('reads an IA5String of 200,000 bytes (a configured file has no size bound) without overflowing the stack', () => {
    const h = '1683030d40' + '41'.repeat(200_000);
    expect(read(h, (r) => r.string()).length).toBe(200_000);
  });

  it('records spans with paths, values and offsets, the identifier and length octets of a constructed element included', () => {
    const spans: Span[] = [];
    readSingle(fromHex('3006020105 0101ff'.replace(' ', '')), (r) => {
      const s = r.sequence('outer');
      s.integer('n');
      s.boolean('flag');
      s.end();
    }, spans);
    expect(spans.map((s) => [s.path, s.offset, s.value])).toEqual([
      ['outer', 0, undefined],
      ['outer.header', 0, 'SEQUENCE, 6 bytes'],
      ['outer.n', 2, '5'],
      ['outer.flag', 5, 'TRUE'],
    ]);
    expect(spans[1]!.length).toBe(2);
  });
});

describe('PEM', () => {
  it('encodes and decodes base64 as node does', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 64, 100]) {
      const bytes = new Uint8Array(Buffer.from(Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff)));
      expect(base64Encode(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      expect(Buffer.from(base64Decode(Buffer.from(bytes).toString('base64'))!).equals(Buffer.from(bytes))).toBe(true);
    }
    expect(base64Decode('QR==')).toBeNull(); // non-canonical: padding bits set
    expect(base64Decode('Q===')).toBeNull();
  });

  it('writes hex and base64 through one reused array: long then short texts are whole, longer ones than it too, and it is zeroed after', () => {
    // 800 bytes: 1068 base64 and 1600 hex characters, past the reused array's 1024.
    for (const length of [800, 3, 32, 1, 0, 700, 2]) {
      const bytes = new Uint8Array(Buffer.from(Array.from({ length }, (_, i) => (i * 53 + length) & 0xff)));
      expect(base64Encode(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      expect(hex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
    }
    // hex() also writes key-log secrets: the character codes do not stay behind.
    let lent: Uint8Array | undefined;
    const text = asciiText(4, 'abcd', (codes, source) => {
      lent = codes;
      for (let i = 0; i < source.length; i++) codes[i] = source.charCodeAt(i);
    });
    expect(text).toBe('abcd');
    expect([...lent!]).toEqual([0, 0, 0, 0]);
  });

  it('writes unpadded base64url (RFC 4648 §5) as node does, and leaves no character of it in the reused array', () => {
    for (const length of [0, 1, 2, 3, 31, 32, 33, 56, 57, 66, 700, 800]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + length * 7 + 0xfb) & 0xff);
      expect(base64UrlEncode(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      expect(base64UrlEncode(bytes.subarray(1))).toBe(Buffer.from(bytes.subarray(1)).toString('base64url'));
    }
    // The node provider writes key shares' private keys with it: the whole reused array is zeros after.
    let whole: Uint8Array | undefined;
    asciiText(1024, undefined, (codes) => {
      whole = codes;
    });
    expect(base64UrlEncode(new Uint8Array(32).fill(0xff))).toBe('_'.repeat(42) + '8');
    expect(whole!.every((b) => b === 0)).toBe(true);
  });

  it('parses several blocks with text between them and keeps their labels', () => {
    const text = `intro\n${toPem('CERTIFICATE', Uint8Array.of(0x30, 0))}middle\n${toPem('PRIVATE KEY', Uint8Array.of(0x30, 1, 5))}`;
    expect(parsePem(text).map((b) => [b.label, hex(b.der)])).toEqual([['CERTIFICATE', '3000'], ['PRIVATE KEY', '300105']]);
  });

  it('gives clear errors for malformed PEM', () => {
    expect(() => parsePem('nothing here')).toThrow(new PemError('no PEM block found'));
    expect(() => parsePem('-----BEGIN CERTIFICATE-----\nMII@\n-----END CERTIFICATE-----')).toThrow('bad base64 in CERTIFICATE block');
    expect(() => parsePem('-----BEGIN CERTIFICATE-----\nMIIB\n-----END PRIVATE KEY-----')).toThrow(/ends with "END PRIVATE KEY"/);
  });
});

describe('INTEGER conversions (X.690 §8.3), through hex', () => {
  /** The shortest two's complement, byte by byte: an independent reference. */
  function reference(value: bigint): string {
    const bytes: number[] = [];
    for (let v = value; ; ) {
      const byte = Number(v & 0xffn);
      bytes.unshift(byte);
      v >>= 8n;
      if ((v === 0n && byte < 0x80) || (v === -1n && byte >= 0x80)) break;
    }
    return hex(Uint8Array.from(bytes));
  }

  it('writes and reads every value around the byte and sign boundaries in the shortest form', () => {
    const values: bigint[] = [];
    for (let i = -300; i <= 300; i++) values.push(BigInt(i));
    for (let bits = 7; bits <= 1030; bits += bits < 70 ? 1 : 61) {
      for (const d of [-1n, 0n, 1n]) values.push((1n << BigInt(bits)) + d, -(1n << BigInt(bits)) + d);
    }
    for (const value of values) {
      const encoded = der.integer(value);
      expect(hex(readSingle(encoded, (r) => r.integerBytes()))).toBe(reference(value));
      expect(readSingle(encoded, (r) => r.integer())).toBe(value);
    }
  });

  it('reads a 64 KiB INTEGER (a hostile one in a certificate) to the same value as bytes', () => {
    const content = Uint8Array.from({ length: 65536 }, (_, i) => (i === 0 ? 0x7f : (i * 7) & 0xff));
    const value = readSingle(der.tlv(0x02, content), (r) => r.integer());
    expect(value.toString(16)).toBe(hex(content).replace(/^0+/, ''));
  });
});
