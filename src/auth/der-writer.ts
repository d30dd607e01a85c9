// A small DER writer (ITU-T X.690 §8 and §10): functions that each return one complete element, for the
// certificate builder, keys and tests. The reader is der.ts.
import { fromHex, utf8 } from '../wire/bytes.js';
import { contextTag, DerError, Tag } from './der.js';

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let v = length; v > 0; v = Math.floor(v / 256)) octets.unshift(v & 0xff);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const header = encodeLength(length);
  const out = new Uint8Array(1 + header.length + length);
  out[0] = tag;
  out.set(header, 1);
  let at = 1 + header.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Two's complement, shortest form (X.690 §8.3.2), through hex: linear in the length. */
function integerContent(value: bigint): Uint8Array {
  // A negative value is written as 2^(8k) + value, for the smallest k whose top bit then reads as the sign.
  let k = Math.ceil((value < 0n ? -value - 1n : value).toString(16).length / 2);
  const top = (v: bigint) => (v >> BigInt(8 * k - 1)) & 1n;
  let digits: string;
  if (value >= 0n) {
    digits = value.toString(16).padStart(2 * k, '0');
    if (top(value) === 1n) digits = `00${digits}`;
  } else {
    if (top((1n << BigInt(8 * k)) + value) === 0n) k++;
    digits = ((1n << BigInt(8 * k)) + value).toString(16);
  }
  return fromHex(digits);
}

function oidContent(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new DerError(`not an OID: ${oid}`);
    return BigInt(a);
  });
  if (arcs.length < 2 || arcs[0]! > 2n || (arcs[0]! < 2n && arcs[1]! >= 40n)) throw new DerError(`not an OID: ${oid}`);
  const out: number[] = [];
  for (const arc of [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...group);
  }
  return Uint8Array.from(out);
}

function twoDigits(n: number): string {
  return n.toString().padStart(2, '0');
}

/** MMDDHHMMSSZ of a time, the part UTCTime and GeneralizedTime share (RFC 5280 §4.1.2.5.1-2). */
function monthToSeconds(ms: number): string {
  const d = new Date(ms);
  return [d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map(twoDigits).join('') + 'Z';
}

/** DER encoders. Each returns a complete element (header and content). */
export const der = {
  tlv,
  sequence: (...elements: Uint8Array[]) => tlv(Tag.SEQUENCE, ...elements),
  /** SET OF: elements sorted by their encodings (X.690 §11.6). */
  set: (...elements: Uint8Array[]) => tlv(Tag.SET, ...[...elements].sort(compareBytes)),
  integer: (value: bigint | number) => tlv(Tag.INTEGER, integerContent(BigInt(value))),
  /** A non-negative INTEGER from unsigned big-endian bytes. */
  unsignedInteger: (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.subarray(start);
    return trimmed.length > 0 && trimmed[0]! >= 0x80 ? tlv(Tag.INTEGER, Uint8Array.of(0), trimmed) : tlv(Tag.INTEGER, trimmed.length ? trimmed : Uint8Array.of(0));
  },
  oid: (oid: string) => tlv(Tag.OBJECT_IDENTIFIER, oidContent(oid)),
  null: () => Uint8Array.of(Tag.NULL, 0),
  boolean: (v: boolean) => Uint8Array.of(Tag.BOOLEAN, 1, v ? 0xff : 0x00),
  bitString: (bytes: Uint8Array, unusedBits = 0) => tlv(Tag.BIT_STRING, Uint8Array.of(unusedBits), bytes),
  octetString: (bytes: Uint8Array) => tlv(Tag.OCTET_STRING, bytes),
  utf8String: (text: string) => tlv(Tag.UTF8String, utf8.encode(text)),
  printableString: (text: string) => tlv(Tag.PrintableString, Uint8Array.from(text, (ch) => ch.charCodeAt(0))),
  ia5String: (text: string) => tlv(Tag.IA5String, Uint8Array.from(text, (ch) => ch.charCodeAt(0))),
  /** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. Milliseconds are dropped. */
  time: (ms: number) => {
    const year = new Date(ms).getUTCFullYear();
    if (year >= 1950 && year < 2050) return tlv(Tag.UTCTime, utf8.encode(twoDigits(year % 100) + monthToSeconds(ms)));
    return der.generalizedTime(ms);
  },
  /** GeneralizedTime YYYYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.2), whatever the year. */
  generalizedTime: (ms: number) => tlv(Tag.GeneralizedTime, utf8.encode(new Date(ms).getUTCFullYear().toString().padStart(4, '0') + monthToSeconds(ms))),
  /** EXPLICIT [n] around one element. */
  explicit: (n: number, element: Uint8Array) => tlv(contextTag(n, true), element),
  /** IMPLICIT [n] replacing a primitive element's tag: give the content octets. */
  implicit: (n: number, content: Uint8Array) => tlv(contextTag(n, false), content),
};

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

