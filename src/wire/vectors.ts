// Length-prefixed vectors (RFC 8446 §3.4) as the message and extension codecs read and write them: lists of
// uint8/uint16 code points, lists of opaque items, and names whose bytes map one to one to characters.
// Shared by messages.ts and extensions.ts.
import { Reader, type Writer } from './bytes.js';
import { TlsError } from './errors.js';

/**
 * Up to this many elements, a repeated code point (an extension type, a key share's group) is found by looking
 * back over the ones read (at most 496 comparisons, no allocation); a longer list builds a set, so that even a
 * block of 16,383 empty extensions stays linear work.
 */
export const DUPLICATE_SCAN_LIMIT = 32;

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
  const outer = r.open(prefixBytes, field, min, max);
  if (r.remaining % 2 !== 0) throw new TlsError('decode_error', `${r.path}: odd length ${r.remaining}`);
  // As long as the vector says, so the array is made at its size once (a pushed array grows in steps).
  const values = new Array<number>(r.remaining / 2);
  for (let i = 0; i < values.length; i++) values[i] = r.u16(elementField(r, i), name);
  r.close(outer);
  return values;
}

/** A vector of uint8 values with a one-byte length in [min, max]. */
export function readU8Vector(r: Reader, field: string, min: number, name: (value: number) => string): number[] {
  const outer = r.open(1, field, min, 0xff);
  const values = new Array<number>(r.remaining);
  for (let i = 0; i < values.length; i++) values[i] = r.u8(elementField(r, i), name);
  r.close(outer);
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
  // apply() takes the array as it is; a spread (`...bytes`) runs the iterator into a new array first (6x the garbage).
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
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
  const outer = r.open(list.prefixBytes, field, list.min, list.max);
  const out: Uint8Array[] = [];
  for (let i = 0; r.remaining > 0; i++) out.push(r.vec(item.prefixBytes, elementField(r, i), item.min, item.max));
  r.close(outer);
  return out;
}

export function writeOpaqueList(w: Writer, listPrefixBytes: 1 | 2 | 3, itemPrefixBytes: 1 | 2 | 3, items: Uint8Array[]): void {
  const list = w.startVector(listPrefixBytes);
  for (const item of items) w.vec(itemPrefixBytes, item);
  w.endVector(list, listPrefixBytes);
}
