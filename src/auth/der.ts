// A small DER reader (ITU-T X.690 §8 and §10; the writer is der-writer.ts), enough for X.509 certificates and keys.
// Strict where DER is strict: definite lengths in their shortest form, minimal INTEGERs, canonical
// BOOLEANs, zero padding bits. When a span sink is attached, every named element is annotated with its
// path, value and meaning, so a trace can explain a certificate byte by byte.
import { hex } from '../wire/bytes.js';
import { escapePeerText } from '../wire/show-value.js';
import type { Span, SpanSink } from '../wire/bytes.js';

/** UTF8String contents must be valid UTF-8 (RFC 5280 §4.1.2.4 via X.690): a decoder that refuses anything else. */
// ignoreBOM: a leading U+FEFF is part of the value (dropped, "\uFEFFalice" would read "alice").
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A malformed DER encoding. The X.509 and key layers turn it into their own failures. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** Identifier octets of the universal types we read and write (X.690 §8.1.2, X.680 §8.4). */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  TeletexString: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

const CONSTRUCTED = 0x20;
const CONTEXT = 0x80;

/** The identifier octet of a context-specific tag [n] (n < 31). */
export function contextTag(n: number, constructed: boolean): number {
  return CONTEXT | (constructed ? CONSTRUCTED : 0) | n;
}

const STRING_TAGS: ReadonlySet<number> = new Set([
  Tag.UTF8String,
  Tag.PrintableString,
  Tag.TeletexString,
  Tag.IA5String,
  Tag.UniversalString,
  Tag.BMPString,
]);

/** One TLV element. `raw` is the whole encoding (header included), `content` the value octets. */
export interface DerElement {
  tag: number;
  /** Offset of the first header byte in the top-level buffer. */
  offset: number;
  raw: Uint8Array;
  content: Uint8Array;
}

function tagName(tag: number): string {
  for (const [name, value] of Object.entries(Tag)) if (value === tag) return name;
  if ((tag & 0xc0) === CONTEXT) return `[${tag & 0x1f}]${tag & CONSTRUCTED ? ' constructed' : ''}`;
  return `tag 0x${tag.toString(16).padStart(2, '0')}`;
}

/**
 * A cursor over a run of DER elements. Sub-readers (`sequence`, `explicit`, ...) cover exactly one
 * element's content and must be consumed (`end()`), so stray bytes anywhere are an error.
 */
export class DerReader {
  private pos: number;

  constructor(
    readonly bytes: Uint8Array,
    private readonly spans?: SpanSink,
    readonly path = '',
    start = 0,
    private readonly limit = bytes.length,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.limit;
  }

  private fail(what: string): never {
    throw new DerError(`${this.path || 'DER'}: ${what}`);
  }

  join(field: string): string {
    if (!this.path) return field;
    return field.startsWith('[') ? this.path + field : `${this.path}.${field}`;
  }

  /**
   * Records a span for `element` when tracing. Callers whose value or meaning costs something to make (hex,
   * dates, tag names) test `this.spans` first, so a parse without a span sink makes none of that text.
   */
  private note(element: DerElement, field: string | undefined, value?: string | number, meaning?: string, rfc?: string) {
    if (!this.spans || field === undefined) return;
    const span: Span = { offset: element.offset, length: element.raw.length, path: this.join(field) };
    if (value !== undefined) span.value = value;
    if (meaning !== undefined) span.meaning = meaning;
    if (rfc !== undefined) span.rfc = rfc;
    this.spans.push(span);
  }

  /** Annotates an element already read (for meanings known only after decoding its parts). */
  annotate(element: DerElement, field: string, value?: string | number, meaning?: string, rfc?: string) {
    this.note(element, field, value, meaning, rfc);
  }

  /** The identifier octet of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.atEnd ? undefined : this.bytes[this.pos];
  }

  /** Reads one element, checking its tag when `expected` is given (X.690 §8.1). */
  element(expected?: number, field?: string): DerElement {
    const start = this.pos;
    if (start >= this.limit) this.fail(`expected ${expected === undefined ? 'an element' : tagName(expected)}${field ? ` (${field})` : ''}, found end of data`);
    const tag = this.bytes[start]!;
    if ((tag & 0x1f) === 0x1f) this.fail(`high tag numbers are not supported (identifier 0x${tag.toString(16)})`);
    if (expected !== undefined && tag !== expected) this.fail(`expected ${tagName(expected)}${field ? ` (${field})` : ''}, found ${tagName(tag)}`);
    let at = start + 1;
    if (at >= this.limit) this.fail('length octets missing');
    const first = this.bytes[at++]!;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else if (first === 0x80) {
      // X.690 §10.1: DER uses the definite form only.
      this.fail('indefinite length is not allowed in DER');
    } else {
      const count = first & 0x7f;
      if (count > 4) this.fail(`length of ${count} octets is too large`);
      if (at + count > this.limit) this.fail('length octets truncated');
      if (this.bytes[at] === 0) this.fail('non-minimal length encoding (leading zero octet)');
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + this.bytes[at++]!;
      // X.690 §10.1: the shortest possible length encoding.
      if (length < 0x80) this.fail(`non-minimal length encoding (long form for ${length})`);
    }
    if (length > this.limit - at) this.fail(`${tagName(tag)} of ${length} bytes overruns its container (${this.limit - at} left)`);
    this.pos = at + length;
    return { tag, offset: start, raw: this.bytes.subarray(start, at + length), content: this.bytes.subarray(at, at + length) };
  }

  /**
   * A reader over the content of an element just read. When tracing, the element's identifier and length
   * octets (X.690 §8.1.1) get a span of their own, so every byte of a structure is explained.
   */
  private inside(element: DerElement, field: string | undefined): DerReader {
    const contentStart = element.offset + element.raw.length - element.content.length;
    if (this.spans && field !== undefined) {
      const header = { ...element, raw: element.raw.subarray(0, contentStart - element.offset) };
      this.note(header, `${field}.header`, `${tagName(element.tag)}, ${element.content.length} bytes`, undefined, 'X.690 §8.1');
    }
    return new DerReader(this.bytes, this.spans, field === undefined ? this.path : this.join(field), contentStart, contentStart + element.content.length);
  }

  /** Reads a constructed element with the given tag and returns a reader over its content. */
  constructed(tag: number, field?: string, meaning?: string): { element: DerElement; reader: DerReader } {
    const element = this.element(tag, field);
    this.note(element, field, undefined, meaning);
    return { element, reader: this.inside(element, field) };
  }

  sequence(field?: string, meaning?: string): DerReader {
    return this.constructed(Tag.SEQUENCE, field, meaning).reader;
  }

  set(field?: string): DerReader {
    return this.constructed(Tag.SET, field).reader;
  }

  /** EXPLICIT [n]: a constructed context tag wrapping one element. */
  explicit(n: number, field?: string): DerReader {
    return this.constructed(contextTag(n, true), field).reader;
  }

  /** An OPTIONAL EXPLICIT [n], or undefined when the next element has another tag. */
  optionalExplicit(n: number, field?: string): DerReader | undefined {
    return this.peekTag() === contextTag(n, true) ? this.explicit(n, field) : undefined;
  }

  /** An OPTIONAL IMPLICIT primitive [n]: its content octets, or undefined when absent. */
  optionalImplicit(n: number, field?: string): Uint8Array | undefined {
    if (this.peekTag() !== contextTag(n, false)) return undefined;
    const element = this.element(contextTag(n, false), field);
    if (this.spans) this.note(element, field, hex(element.content));
    return element.content;
  }

  /** Any one element, recorded as a span with its hex content. */
  any(field?: string, meaning?: string): DerElement {
    const element = this.element(undefined, field);
    if (this.spans) this.note(element, field, hex(element.content), meaning);
    return element;
  }

  /** An INTEGER's two's-complement content, checked for minimal encoding (X.690 §8.3.2). */
  private integerContent(field?: string): { element: DerElement; content: Uint8Array } {
    const element = this.element(Tag.INTEGER, field);
    const c = element.content;
    if (c.length === 0) this.fail(`${field ?? 'INTEGER'}: empty INTEGER`);
    if (c.length > 1 && ((c[0] === 0x00 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80))) {
      this.fail(`${field ?? 'INTEGER'}: non-minimal INTEGER encoding`);
    }
    return { element, content: c };
  }

  integer(field?: string, meaning?: (v: bigint) => string | undefined): bigint {
    const { element, content } = this.integerContent(field);
    // Through hex: linear in the length, where shifting in one byte at a time is quadratic.
    let v = BigInt(`0x${hex(content)}`);
    if (content[0]! >= 0x80) v -= 1n << BigInt(8 * content.length);
    if (this.spans) this.note(element, field, v.toString(), meaning?.(v));
    return v;
  }

  /** A small non-negative INTEGER (versions, path lengths) as a number. */
  smallInteger(field?: string, meaning?: (v: number) => string | undefined): number {
    const v = this.integer(field, meaning && ((b) => meaning(Number(b))));
    if (v < 0n || v > 0x7fffffffn) this.fail(`${field ?? 'INTEGER'}: ${v} out of range`);
    return Number(v);
  }

  /** A non-negative INTEGER as unsigned big-endian bytes (leading sign octet removed). */
  unsignedInteger(field?: string, meaning?: string): Uint8Array {
    const { element, content } = this.integerContent(field);
    if (content[0]! >= 0x80) this.fail(`${field ?? 'INTEGER'}: negative where a non-negative INTEGER is required`);
    const v = content[0] === 0 && content.length > 1 ? content.subarray(1) : content;
    if (this.spans) this.note(element, field, hex(v), meaning);
    return v;
  }

  /** The two's-complement content of an INTEGER as it is (serial numbers are shown this way). */
  integerBytes(field?: string, meaning?: string): Uint8Array {
    const { element, content } = this.integerContent(field);
    if (this.spans) this.note(element, field, hex(content), meaning);
    return content;
  }

  /** OBJECT IDENTIFIER as a dotted string (X.690 §8.19). */
  oid(field?: string, meaning?: (oid: string) => string | undefined, rfc?: string): string {
    const element = this.element(Tag.OBJECT_IDENTIFIER, field);
    const text = decodeOid(element.content, (what) => this.fail(`${field ?? 'OID'}: ${what}`));
    if (this.spans) this.note(element, field, text, meaning?.(text), rfc);
    return text;
  }

  /** BIT STRING: the bytes and the number of unused bits in the last byte (X.690 §8.6, §11.2). */
  /** A BIT STRING (X.690 §8.6.2), or one under an IMPLICIT `tag` (UniqueIdentifier [1] and [2]). */
  bitString(field?: string, meaning?: string, tag: number = Tag.BIT_STRING): { bytes: Uint8Array; unusedBits: number } {
    const element = this.element(tag, field);
    const c = element.content;
    if (c.length === 0) this.fail(`${field ?? 'BIT STRING'}: missing unused-bits octet`);
    const unusedBits = c[0]!;
    if (unusedBits > 7 || (c.length === 1 && unusedBits !== 0)) this.fail(`${field ?? 'BIT STRING'}: bad unused-bits count ${unusedBits}`);
    const bytes = c.subarray(1);
    if (unusedBits > 0 && (bytes[bytes.length - 1]! & ((1 << unusedBits) - 1)) !== 0) {
      this.fail(`${field ?? 'BIT STRING'}: unused bits are not zero (X.690 §11.2.1)`);
    }
    if (this.spans) this.note(element, field, hex(bytes), meaning);
    return { bytes, unusedBits };
  }

  /** A BIT STRING that must hold whole octets (keys, signatures). */
  bitStringBytes(field?: string, meaning?: string): Uint8Array {
    const { bytes, unusedBits } = this.bitString(field, meaning);
    if (unusedBits !== 0) this.fail(`${field ?? 'BIT STRING'}: expected whole octets, ${unusedBits} unused bits`);
    return bytes;
  }

  octetString(field?: string, meaning?: string): Uint8Array {
    const element = this.element(Tag.OCTET_STRING, field);
    if (this.spans) this.note(element, field, hex(element.content), meaning);
    return element.content;
  }

  /** An OCTET STRING whose content is itself DER (extension values, PKCS#8 private keys). */
  octetStringReader(field?: string, meaning?: string): DerReader {
    const element = this.element(Tag.OCTET_STRING, field);
    this.note(element, field, undefined, meaning);
    return this.inside(element, field);
  }

  boolean(field?: string): boolean {
    const element = this.element(Tag.BOOLEAN, field);
    const c = element.content;
    // X.690 §11.1: TRUE is encoded as 0xFF in DER.
    if (c.length !== 1 || (c[0] !== 0x00 && c[0] !== 0xff)) this.fail(`${field ?? 'BOOLEAN'}: not a DER BOOLEAN`);
    const v = c[0] === 0xff;
    this.note(element, field, v ? 'TRUE' : 'FALSE');
    return v;
  }

  null(field?: string): void {
    const element = this.element(Tag.NULL, field);
    if (element.content.length !== 0) this.fail(`${field ?? 'NULL'}: NULL with content`);
    this.note(element, field, 'NULL');
  }

  /** Any of the character string types, decoded to text. */
  string(field?: string): string {
    const tag = this.peekTag();
    if (tag === undefined || !STRING_TAGS.has(tag)) this.fail(`${field ?? 'string'}: expected a string type, found ${tag === undefined ? 'end of data' : tagName(tag)}`);
    const element = this.element(tag, field);
    const text = decodeString(tag, element.content, (what) => this.fail(`${field ?? 'string'}: ${what}`));
    if (this.spans) this.note(element, field, text, tagName(tag));
    return text;
  }

  /** An IA5String (SAN names), checked for 7-bit content. */
  ia5Content(content: Uint8Array, field: string): string {
    return decodeString(Tag.IA5String, content, (what) => this.fail(`${field}: ${what}`));
  }

  /** UTCTime or GeneralizedTime as epoch milliseconds (RFC 5280 §4.1.2.5). */
  time(field?: string, rfc?: string): number {
    const tag = this.peekTag();
    if (tag !== Tag.UTCTime && tag !== Tag.GeneralizedTime) this.fail(`${field ?? 'time'}: expected UTCTime or GeneralizedTime`);
    const element = this.element(tag, field);
    const ms = decodeTime(tag, element.content, (what) => this.fail(`${field ?? 'time'}: ${what}`));
    if (this.spans) this.note(element, field, new Date(ms).toISOString(), tagName(tag), rfc);
    return ms;
  }

  /** Fails unless every byte of this reader's range was read. */
  end(): void {
    if (this.pos !== this.limit) this.fail(`${this.limit - this.pos} unexpected trailing bytes`);
  }
}

function decodeOid(c: Uint8Array, fail: (what: string) => never): string {
  if (c.length === 0) fail('empty OBJECT IDENTIFIER');
  let text = '';
  let arcs = 0;
  for (let i = 0; i < c.length; ) {
    // X.690 §8.19.2: each subidentifier in the fewest octets, so no leading 0x80.
    if (c[i] === 0x80) fail('non-minimal OID subidentifier');
    let end = i;
    while (end < c.length && c[end]! & 0x80) end++;
    if (end === c.length) fail('truncated OID subidentifier');
    end++;
    const value = subidentifier(c, i, end);
    // X.690 §8.19.4: the first subidentifier packs the first two arcs as 40 * first + second.
    text += arcs++ === 0 ? firstArcs(value) : `.${value}`;
    i = end;
  }
  return text;
}

/** Up to 7 octets (49 bits) add up exactly in a number; longer ones (UUID arcs, X.667) in a bigint. */
function subidentifier(c: Uint8Array, start: number, end: number): number | bigint {
  if (end - start <= 7) {
    let v = 0;
    for (let i = start; i < end; i++) v = v * 128 + (c[i]! & 0x7f);
    return v;
  }
  let v = 0n;
  for (let i = start; i < end; i++) v = (v << 7n) | BigInt(c[i]! & 0x7f);
  return v;
}

function firstArcs(value: number | bigint): string {
  if (value < 40) return `0.${value}`;
  if (value < 80) return `1.${Number(value) - 40}`;
  return `2.${typeof value === 'bigint' ? value - 80n : value - 80}`;
}

function decodeString(tag: number, c: Uint8Array, fail: (what: string) => never): string {
  switch (tag) {
    case Tag.UTF8String:
      try {
        return STRICT_UTF8.decode(c);
      } catch {
        return fail('invalid UTF-8');
      }
    case Tag.BMPString: {
      if (c.length % 2 !== 0) fail('odd-length BMPString');
      let s = '';
      for (let i = 0; i < c.length; i += 2) s += String.fromCharCode((c[i]! << 8) | c[i + 1]!);
      return s;
    }
    case Tag.UniversalString: {
      if (c.length % 4 !== 0) fail('UniversalString length not a multiple of 4');
      let s = '';
      for (let i = 0; i < c.length; i += 4) {
        const codePoint = ((c[i]! << 24) | (c[i + 1]! << 16) | (c[i + 2]! << 8) | c[i + 3]!) >>> 0;
        // UCS-4 beyond Unicode's last code point (String.fromCodePoint would throw a RangeError).
        if (codePoint > 0x10ffff) fail(`UniversalString code point ${codePoint.toString(16)} beyond U+10FFFF`);
        s += String.fromCodePoint(codePoint);
      }
      return s;
    }
    case Tag.IA5String:
    case Tag.PrintableString:
      for (const b of c) if (b >= 0x80) fail('non-ASCII byte in an ASCII string type');
      return latin1(c);
    default:
      // TeletexString: treated as Latin-1, as most software does.
      return latin1(c);
  }
}

/**
 * Bytes as Latin-1 text, a slice at a time: String.fromCharCode(...c) passes each byte as an argument and
 * overflows the stack from about 125,000 (a configured CRL or certificate file has no size bound).
 */
function latin1(c: Uint8Array): string {
  let s = '';
  for (let i = 0; i < c.length; i += 8192) s += String.fromCharCode(...c.subarray(i, i + 8192));
  return s;
}

/** The longest time RFC 5280 allows: GeneralizedTime YYYYMMDDHHMMSSZ. */
const MAX_TIME_LENGTH = 15;

function decodeTime(tag: number, c: Uint8Array, fail: (what: string) => never): number {
  if (c.length > MAX_TIME_LENGTH) fail(`malformed time of ${c.length} bytes`);
  const text = latin1(c);
  // RFC 5280 §4.1.2.5.1/§4.1.2.5.2: seconds present, no fractions, always Zulu.
  const m = tag === Tag.UTCTime ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  // The text is the peer's (or a file's): shown escaped (escapePeerText), on one line.
  if (!m) fail(`malformed time "${escapePeerText(text)}"`);
  let year = Number(m[1]);
  // RFC 5280 §4.1.2.5.1: UTCTime YY >= 50 is 19YY, otherwise 20YY.
  if (tag === Tag.UTCTime) year += year >= 50 ? 1900 : 2000;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  // Date.UTC reads years 0-99 as 1900-1999: the year is set on its own, so GeneralizedTime 0050 is year 50.
  const check = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  check.setUTCFullYear(year, month - 1, day);
  const ms = check.getTime();
  if (month < 1 || month > 12 || check.getUTCDate() !== day || check.getUTCMonth() !== month - 1 || hour > 23 || minute > 59 || second > 59) {
    fail(`impossible date "${text}"`);
  }
  return ms;
}

/** Reads exactly one top-level element from `bytes` and fails on anything after it. */
export function readSingle<T>(bytes: Uint8Array, read: (r: DerReader) => T, spans?: SpanSink, path = ''): T {
  const r = new DerReader(bytes, spans, path);
  const value = read(r);
  r.end();
  return value;
}
