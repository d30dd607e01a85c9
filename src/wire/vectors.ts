// Length-prefixed vectors (RFC 8446 §3.4) as the message and extension codecs read and write them: lists of
// uint8/uint16 code points, lists of opaque items, and names whose bytes map one to one to characters.
// Shared by messages.ts and extensions.ts.
import { Reader, type Writer } from './bytes.js';
import { TlsError } from './errors.js';

/** A length-prefixed vector bounded to [min, max] bytes; with spans, the whole vector gets a span of its own. */
export function vector(r: Reader, prefixBytes: 1 | 2 | 3, field: string, min: number, max: number): Reader {
  const v = r.sub(prefixBytes, field, min, max);
  if (r.spans) r.annotate(v.start, v.remaining, field);
  return v;
}

/** Span field name of list element i, built only when spans are recorded. */
export function elementField(r: Reader, i: number): string | undefined {
  return r.spans ? `[${i}]` : undefined;
}

/** A vector of uint16 values (cipher suites, groups, schemes, versions): an even number of bytes in [min, max]. */
export function readU16Vector(
  r: Reader,
  prefixBytes: 1 | 2,
  field: string,
  min: number,
  max: number,
  name?: (value: number) => string,
): number[] {
  const list = vector(r, prefixBytes, field, min, max);
  if (list.remaining % 2 !== 0) throw new TlsError('decode_error', `${r.join(field)}: odd length ${list.remaining}`);
  const values: number[] = [];
  for (let i = 0; list.remaining > 0; i++) values.push(list.u16(elementField(list, i), name));
  return values;
}

/** A vector of uint8 values with a one-byte length in [min, max]. */
export function readU8Vector(r: Reader, field: string, min: number, name: (value: number) => string): number[] {
  const list = vector(r, 1, field, min, 0xff);
  const values: number[] = [];
  for (let i = 0; list.remaining > 0; i++) values.push(list.u8(elementField(list, i), name));
  return values;
}

export function writeU16Vector(w: Writer, prefixBytes: 1 | 2, values: readonly number[]): void {
  const list = w.startVector(prefixBytes);
  for (const v of values) w.u16(v);
  w.endVector(list, prefixBytes);
}

export function writeU8Vector(w: Writer, values: readonly number[]): void {
  const list = w.startVector(1);
  for (const v of values) w.u8(v);
  w.endVector(list, 1);
}

/** Byte strings in these extensions are names (DNS names, ALPN ids): one char per byte, so any bytes round-trip. */
export function bytesToText(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

export function textToBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new Error(`character ${JSON.stringify(text[i])} does not fit in one byte`);
    bytes[i] = code;
  }
  return bytes;
}

/** A length-prefixed name, annotated with its text. */
export function readName(r: Reader, prefixBytes: 1 | 2, field: string | undefined, min: number, max: number): Uint8Array {
  const bytes = r.vec(prefixBytes, undefined, min, max);
  if (r.spans && field !== undefined) {
    r.annotate(r.offset - bytes.length - prefixBytes, prefixBytes, `${field}.length`, bytes.length);
    r.annotate(r.offset - bytes.length, bytes.length, field, bytesToText(bytes));
  }
  return bytes;
}

/** A vector of opaque items, e.g. DistinguishedName authorities<3..2^16-1> of opaque<1..2^16-1>. */
export function readOpaqueList(
  r: Reader,
  field: string,
  list: { prefixBytes: 1 | 2 | 3; min: number; max: number },
  item: { prefixBytes: 1 | 2 | 3; min: number; max: number },
): Uint8Array[] {
  const items = vector(r, list.prefixBytes, field, list.min, list.max);
  const out: Uint8Array[] = [];
  for (let i = 0; items.remaining > 0; i++) out.push(items.vec(item.prefixBytes, elementField(items, i), item.min, item.max));
  return out;
}

export function writeOpaqueList(w: Writer, listPrefixBytes: 1 | 2 | 3, itemPrefixBytes: 1 | 2 | 3, items: Uint8Array[]): void {
  const list = w.startVector(listPrefixBytes);
  for (const item of items) w.vec(itemPrefixBytes, item);
  w.endVector(list, listPrefixBytes);
}
