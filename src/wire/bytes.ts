// Byte helpers and the two cursors every codec is built on: a Reader that narrows itself to one
// length-prefixed vector at a time and a Writer that back-patches length prefixes (RFC 8446 §3.4 vectors).
import { TlsError } from './errors.js';
import { LentArray } from './lent-array.js';

const UTF8_ENCODER = new TextEncoder();
const UTF8_DECODER = new TextDecoder();

/**
 * ASCII text of `length` characters, written as character codes by `write` into one reused array and decoded
 * once: one string and nothing else, where an array of one-character strings joined cost ~630 bytes of garbage
 * for a SHA-256 fingerprint's hex (fingerprints are made in every handshake). The array is zeroed after each
 * use, since hex() also writes key-log secrets.
 */
const ASCII_SCRATCH = new LentArray(1024);

export function asciiText<T>(length: number, source: T, write: (codes: Uint8Array, source: T) => void): string {
  const codes = ASCII_SCRATCH.borrow(length);
  try {
    write(codes, source);
    return UTF8_DECODER.decode(codes);
  } finally {
    codes.fill(0);
    ASCII_SCRATCH.giveBack(codes);
  }
}

const HEX_CODES = UTF8_ENCODER.encode('0123456789abcdef');

function writeHex(codes: Uint8Array, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) {
    codes[2 * i] = HEX_CODES[bytes[i]! >> 4]!;
    codes[2 * i + 1] = HEX_CODES[bytes[i]! & 15]!;
  }
}

export function hex(bytes: Uint8Array): string {
  return asciiText(2 * bytes.length, bytes, writeHex);
}

/** Parses hex, ignoring whitespace (so RFC 8448 dumps can be pasted as they are). */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`not a hex string: ${text.slice(0, 40)}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatList(parts);
}

/** `concat` of a list the caller already has, without spreading it into arguments or iterating it. */
export function concatList(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (let i = 0; i < parts.length; i++) length += parts[i]!.length;
  const out = new Uint8Array(length);
  for (let i = 0, offset = 0; i < parts.length; offset += parts[i]!.length, i++) out.set(parts[i]!, offset);
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Comparison whose time depends only on the lengths: for Finished and PSK binders (RFC 8446 §4.4.4). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export const utf8 = {
  encode: (text: string): Uint8Array => UTF8_ENCODER.encode(text),
  decode: (bytes: Uint8Array): string => UTF8_DECODER.decode(bytes),
};

/**
 * One annotated field of a decoded structure: where it is, what it is called, what it holds.
 * Recorded only when a SpanSink is attached, so decoding without tracing pays nothing.
 */
export interface Span {
  /** Offset from the start of the buffer the top-level reader was made on. */
  offset: number;
  length: number;
  /** Dotted path, e.g. `client_hello.extensions[3].key_share.client_shares[0].group`. */
  path: string;
  /** Decoded value in display form (a number, a hex string, a name). */
  value?: string | number;
  /** What the value means, e.g. `x25519` for group 0x001d. */
  meaning?: string;
  /** RFC section that defines the field, e.g. `RFC 8446 §4.1.2`. */
  rfc?: string;
}

export type SpanSink = Span[];

/**
 * A cursor over bytes. Every read is bounds-checked and fails with decode_error. `open` narrows the cursor to
 * one length-prefixed vector and `close` widens it again only once the vector was consumed completely, so
 * trailing bytes inside a vector are a decode_error too (RFC 8446 §6.2: "decode_error ... a message could not
 * be decoded because some field was out of the specified range or the length of the message was incorrect").
 * Nested vectors cost no object each: the cursor keeps its bounds and its path, which are joined into a
 * string only for a span or an error.
 */
export class Reader {
  private pos: number;
  private limit: number;
  /**
   * The path of what is being read: the top-level prefix, then one field per open vector or list element in
   * fields[1..depth]. Made with room for the usual nesting, so that opening a vector does not grow it.
   */
  private readonly fields: string[];
  private level = 0;
  /** The first fault of meaning refused, kept until the syntax is known good (see `refuse`). */
  private fault: TlsError | undefined;
  private source: Uint8Array;
  private sink: SpanSink | undefined;

  constructor(
    bytes: Uint8Array,
    /** Offset of the first byte to read in `bytes`. */
    start = 0,
    limit = bytes.length,
    /** Where annotation spans go; undefined when tracing is off. */
    spans?: SpanSink,
    prefix = '',
    /** Whether `refuse` keeps a fault of meaning (see `decodeWhole`); otherwise it throws at once. */
    private defersFaults = false,
  ) {
    this.source = bytes;
    this.sink = spans;
    this.pos = start;
    this.limit = limit;
    this.fields = [prefix, '', '', '', '', ''];
  }

  /**
   * Starts this reader over on all of `bytes`, as if newly made (decodeWhole's reader, which is reused): nothing
   * of an earlier read is left, neither its position, open vectors, path nor a fault it refused.
   */
  restart(bytes: Uint8Array, spans: SpanSink | undefined, prefix: string, defersFaults: boolean): void {
    this.source = bytes;
    this.sink = spans;
    this.pos = 0;
    this.limit = bytes.length;
    this.fields[0] = prefix;
    this.level = 0;
    this.fault = undefined;
    this.defersFaults = defersFaults;
  }

  /** The bytes read (the top-level buffer, of which the reader reads a range). */
  get bytes(): Uint8Array {
    return this.source;
  }

  /** Where annotation spans go; undefined when tracing is off. */
  get spans(): SpanSink | undefined {
    return this.sink;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.limit - this.pos;
  }

  /** Path prefix for spans recorded here, e.g. `client_hello.extensions[3].key_share`. */
  get path(): string {
    let path = '';
    for (let i = 0; i <= this.level; i++) path = joinPath(path, this.fields[i]!);
    return path;
  }

  /** Vectors opened and not yet closed. */
  get depth(): number {
    return this.level;
  }

  private fail(what: string): never {
    throw new TlsError('decode_error', `${this.path || 'message'}: ${what}`);
  }

  private take(n: number, field: string): number {
    if (n > this.limit - this.pos) this.fail(`${field} needs ${n} bytes, ${this.limit - this.pos} left`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private note(at: number, length: number, field: string | undefined, value?: string | number, meaning?: string, rfc?: string) {
    if (!this.sink || field === undefined) return;
    const span: Span = { offset: at, length, path: this.join(field) };
    if (value !== undefined) span.value = value;
    if (meaning !== undefined) span.meaning = meaning;
    if (rfc !== undefined) span.rfc = rfc;
    this.sink.push(span);
  }

  join(field: string): string {
    return joinPath(this.path, field);
  }

  /** Annotates the next or a past range explicitly (for meanings that need more context than one read). */
  annotate(offset: number, length: number, field: string, value?: string | number, meaning?: string, rfc?: string) {
    this.note(offset, length, field, value, meaning, rfc);
  }

  u8(field?: string, meaning?: (v: number) => string | undefined, rfc?: string): number {
    const at = this.take(1, field ?? 'uint8');
    const v = this.source[at]!;
    if (this.sink) this.note(at, 1, field, v, meaning?.(v), rfc);
    return v;
  }

  u16(field?: string, meaning?: (v: number) => string | undefined, rfc?: string): number {
    const at = this.take(2, field ?? 'uint16');
    const v = (this.source[at]! << 8) | this.source[at + 1]!;
    if (this.sink) this.note(at, 2, field, v, meaning?.(v), rfc);
    return v;
  }

  u24(field?: string): number {
    const at = this.take(3, field ?? 'uint24');
    const v = (this.source[at]! << 16) | (this.source[at + 1]! << 8) | this.source[at + 2]!;
    if (this.sink) this.note(at, 3, field, v);
    return v;
  }

  u32(field?: string): number {
    const at = this.take(4, field ?? 'uint32');
    const v = ((this.source[at]! << 24) | (this.source[at + 1]! << 16) | (this.source[at + 2]! << 8) | this.source[at + 3]!) >>> 0;
    if (this.sink) this.note(at, 4, field, v);
    return v;
  }

  /** Exactly n bytes, as a view (no copy). */
  raw(n: number, field?: string, meaning?: string): Uint8Array {
    const at = this.take(n, field ?? 'bytes');
    const v = this.source.subarray(at, at + n);
    if (this.sink) this.note(at, n, field, hex(v), meaning);
    return v;
  }

  /** The rest of the open vector (or of the whole range). */
  rest(field?: string): Uint8Array {
    return this.raw(this.remaining, field);
  }

  /** The n-byte length prefix (n = 1, 2 or 3) of a vector, checked against [min, max] and the bytes left. */
  private vectorLength(prefixBytes: 1 | 2 | 3, field: string | undefined, min: number, max: number): number {
    const length = prefixBytes === 1 ? this.u8() : prefixBytes === 2 ? this.u16() : this.u24();
    if (length < min || length > max) this.fail(`${field ?? 'vector'} length ${length} outside [${min}, ${max}]`);
    if (length > this.limit - this.pos) this.fail(`${field ?? 'vector'} needs ${length} bytes, ${this.limit - this.pos} left`);
    if (this.sink && field !== undefined) this.note(this.pos - prefixBytes, prefixBytes, `${field}.length`, length);
    return length;
  }

  /**
   * Enters a vector with an n-byte length prefix (n = 1, 2 or 3) bounded to [min, max] bytes: until `close`,
   * reads end where the vector ends, and spans get `field` in their path (the whole vector gets a span too).
   * Returns where the enclosing range ends, for `close`.
   */
  open(prefixBytes: 1 | 2 | 3, field?: string, min = 0, max = Infinity): number {
    const length = this.vectorLength(prefixBytes, field, min, max);
    if (this.sink && field !== undefined) this.note(this.pos, length, field);
    const outer = this.limit;
    this.limit = this.pos + length;
    this.fields[++this.level] = field ?? '';
    return outer;
  }

  /** Leaves the vector `open` entered (its result is `outer`): fails with decode_error unless every byte of it was read. */
  close(outer: number): void {
    this.end();
    this.limit = outer;
    this.level--;
  }

  /** Bytes of a vector with an n-byte length prefix, as a view (no copy). */
  vec(prefixBytes: 1 | 2 | 3, field?: string, min = 0, max = Infinity, meaning?: string): Uint8Array {
    const length = this.vectorLength(prefixBytes, field, min, max);
    const at = this.take(length, field ?? 'vector');
    const v = this.source.subarray(at, at + length);
    if (this.sink && field !== undefined) this.note(at, length, field, hex(v), meaning);
    return v;
  }

  /**
   * A fault of meaning: a value outside its allowed set, a repeated extension, counts that disagree. RFC 8446
   * §6.2 makes a message of the wrong length or syntax a decode_error whatever its values mean, so a reader
   * made by `decodeWhole` keeps the first such fault until every byte has parsed; any other reader throws it.
   */
  refuse(fault: TlsError): void {
    if (!this.defersFaults) throw fault;
    this.fault ??= fault;
  }

  /** The first fault `refuse` kept, if any. */
  get refused(): TlsError | undefined {
    return this.fault;
  }

  /** Fails with decode_error unless every byte of the open vector (or of the whole range) was read. */
  end(): void {
    if (this.pos !== this.limit) this.fail(`${this.limit - this.pos} unexpected trailing bytes`);
  }

  /** Runs `read` over each element until the open vector is used up. */
  list<T>(read: (r: Reader, index: number) => T): T[] {
    const out: T[] = [];
    for (let i = 0; this.remaining > 0; i++) {
      this.enterElement(i);
      out.push(read(this, i));
      this.leaveElement();
    }
    return out;
  }

  /** Runs `visit` for each element until the open vector is used up (spans name element i `[i]`). */
  each(visit: (r: Reader, index: number) => void): void {
    for (let i = 0; this.remaining > 0; i++) {
      this.enterElement(i);
      visit(this, i);
      this.leaveElement();
    }
  }

  /**
   * Begins element i of the open vector, for a codec that reads its elements in a loop of its own (`list` and
   * `each` call a function per element): spans recorded until `leaveElement` have `[i]` in their path.
   */
  enterElement(i: number): void {
    if (this.sink) this.fields[++this.level] = `[${i}]`;
  }

  leaveElement(): void {
    if (this.sink) this.level--;
  }
}

/** `prefix.field`, or `prefix[i]` for a list element; an empty field (a vector read without a name) adds nothing. */
function joinPath(prefix: string, field: string): string {
  if (field === '') return prefix;
  return prefix ? (field.startsWith('[') ? prefix + field : `${prefix}.${field}`) : field;
}

/**
 * The reader decodeWhole reads with, reused from one decode to the next so that decoding a message costs no
 * cursor object; between decodes it reads an empty array (it keeps no message alive). A decode that begins
 * while it is in use (a codec parsing something of its own while reading) gets a reader of its own.
 */
let idleReader: Reader | undefined = new Reader(new Uint8Array(0));
const NOTHING = new Uint8Array(0);

/**
 * Reads all of `bytes` with `read`, length before meaning: a syntax fault or a byte left over is a
 * decode_error, and only a structure that parsed whole can fail with the first fault `read` refused.
 * `read` must not keep the reader it is given: it is reused by the next decode.
 */
export function decodeWhole<T>(bytes: Uint8Array, read: (r: Reader) => T, spans?: SpanSink, prefix = ''): T {
  const r = idleReader ?? new Reader(NOTHING);
  idleReader = undefined;
  r.restart(bytes, spans, prefix, true);
  try {
    const value = read(r);
    // A vector left open would hide the bytes after it from end(): a codec bug, not the peer's fault.
    if (r.depth !== 0) throw new Error(`${prefix || 'decoder'}: ${r.depth} vector(s) opened and not closed`);
    r.end();
    const fault = r.refused;
    if (fault) throw fault;
    return value;
  } finally {
    r.restart(NOTHING, undefined, '', true);
    idleReader = r;
  }
}

// The Writer lives in writer.ts; codecs import both cursors from here.
export { Writer, encode, encodeValue } from './writer.js';
