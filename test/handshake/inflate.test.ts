// The portable zlib decoder (src/handshake/inflate.ts) against node:zlib (an independent implementation): the same
// bytes for every stream node:zlib makes, the same verdict (bytes or refusal) for corrupted ones, and a cost per
// deflate block bounded by its alphabets.
import { constants, deflateSync, inflateSync } from 'node:zlib';
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { portableZlib } from '../../src/handshake/compression-codecs.js';
import { inflateZlib } from '../../src/handshake/inflate.js';
import { seededRandom } from '../../src/crypto/random.js';
import { equalBytes } from '../../src/wire/bytes.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { BitWriter } from './deflate-bits.js';

const random = seededRandom('inflate');

/** Bytes that compress somewhat: runs, repeats of earlier bytes, and noise. */
function sample(length: number): Uint8Array {
  const out = new Uint8Array(length);
  const noise = random(length);
  for (let i = 0; i < length; i++) {
    const pick = noise[i]! % 4;
    out[i] = pick === 0 ? noise[i]! : pick === 1 && i > 40 ? out[i - 1 - (noise[i]! % 40)]! : pick === 2 ? 0x30 + (i % 7) : 0;
  }
  return out;
}

/** node:zlib's verdict: the bytes, or that it refuses. */
function nodeVerdict(stream: Uint8Array): Uint8Array | 'refused' {
  try {
    return new Uint8Array(inflateSync(stream));
  } catch {
    return 'refused';
  }
}

function ourVerdict(stream: Uint8Array, limit = 1 << 16): Uint8Array | 'refused' {
  try {
    return inflateZlib(stream, limit);
  } catch {
    return 'refused';
  }
}

const zlibWrap = (raw: Uint8Array, adler: number) =>
  Uint8Array.from([0x78, 0x01, ...raw, adler >>> 24, (adler >>> 16) & 0xff, (adler >>> 8) & 0xff, adler & 0xff]);

describe('inflateZlib decodes what node:zlib and fflate make', () => {
  const certificates = makeIdentity({ subject: { CN: 'inflate' }, sans: { dns: ['a.example', 'b.example'] } }, random).der;
  const inputs = [new Uint8Array(0), Uint8Array.of(7), certificates, sample(1000), sample(70_000), new Uint8Array(100_000), random(20_000)];

  it('every level and strategy of node:zlib, and fflate', () => {
    for (const input of inputs) {
      const streams = [
        ...[0, 1, 6, 9].map((level) => deflateSync(input, { level })),
        ...[constants.Z_HUFFMAN_ONLY, constants.Z_RLE, constants.Z_FIXED, constants.Z_FILTERED].map((strategy) => deflateSync(input, { strategy })),
        zlibSync(input, { level: 9 }),
      ];
      for (const [i, stream] of streams.entries()) expect(equalBytes(inflateZlib(new Uint8Array(stream), input.length + 1), input), `${input.length} bytes, stream ${i}`).toBe(true);
    }
  });

  it('stops at the limit: exactly `limit` bytes when the stream holds more', () => {
    const input = sample(70_000);
    for (const limit of [0, 1, 1000, 69_999]) expect(equalBytes(inflateZlib(new Uint8Array(deflateSync(input)), limit), input.subarray(0, limit)), `limit ${limit}`).toBe(true);
  });

  it('refuses what node:zlib refuses, and agrees on what it accepts, for truncated and corrupted streams', () => {
    const stream = new Uint8Array(deflateSync(sample(3000)));
    for (let cut = 0; cut < stream.length; cut += 7) expect(ourVerdict(stream.subarray(0, cut)), `cut at ${cut}`).toBe('refused');
    let refusals = 0;
    for (let i = 0; i < 600; i++) {
      const corrupt = stream.slice();
      const [at, bit] = [random(2), random(1)];
      corrupt[((at[0]! << 8) | at[1]!) % corrupt.length]! ^= 1 << (bit[0]! % 8);
      const [theirs, ours] = [nodeVerdict(corrupt), ourVerdict(corrupt)];
      if (theirs === 'refused' || ours === 'refused') expect(ours, `flip ${i}`).toBe(theirs);
      else expect(equalBytes(ours, theirs), `flip ${i}`).toBe(true);
      if (theirs === 'refused') refusals++;
    }
    expect(refusals).toBeGreaterThan(100);
  });

  it('refuses a preset dictionary, another method, bytes after the stream and a wrong Adler-32', () => {
    const stream = new Uint8Array(deflateSync(certificates));
    expect(() => inflateZlib(Uint8Array.of(0x78, 0xbb, ...stream.subarray(2)), 1 << 16)).toThrow(/preset dictionary/);
    expect(() => inflateZlib(Uint8Array.of(0x79, 0x9c - 1, ...stream.subarray(2)), 1 << 16)).toThrow(/not a zlib deflate stream/);
    expect(() => inflateZlib(Uint8Array.of(...stream, 0), 1 << 16)).toThrow(/bytes after the zlib stream/);
    const wrong = stream.slice();
    wrong[wrong.length - 1]! ^= 1;
    expect(() => inflateZlib(wrong, 1 << 16)).toThrow(/Adler-32 mismatch/);
  });
});

/** The stream so far, ended by a last, fixed block holding only end-of-block. */
function done(w: BitWriter): Uint8Array {
  w.put(1, 1).put(1, 2).code(0, 7);
  return Uint8Array.from(w.bytes);
}

const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** An empty dynamic block whose literal/length and distance codes are incomplete: one 15-bit code each (13.4 bytes). */
function sparseBlock(w: BitWriter): void {
  w.put(0, 1).put(2, 2).put(0, 5).put(0, 5).put(15, 4);
  for (const symbol of ORDER) w.put(symbol === 18 || symbol === 15 ? 1 : 0, 3); // code length code: 15 -> 0, 18 -> 1
  w.code(1, 1).put(127, 7).code(1, 1).put(107, 7); // literals 0..255: no code
  w.code(0, 1).code(0, 1); // end-of-block and distance 0: 15 bits each
  w.code(0, 15); // end-of-block
}

/** An empty dynamic block with complete codes up to 15 bits (1, 2, ..., 15, 15) for literals and distances (30 bytes). */
function denseBlock(w: BitWriter): void {
  w.put(0, 1).put(2, 2).put(0, 5).put(15, 5).put(15, 4);
  // Code length code: symbols 1..15 and 18 at 4 bits each (complete); canonical codes 0..14 for 1..15, 15 for 18.
  for (const symbol of ORDER) w.put(symbol === 0 || symbol === 16 || symbol === 17 ? 0 : 4, 3);
  const length = (n: number) => w.code(n - 1, 4);
  for (let n = 1; n <= 15; n++) length(n); // literals 0..14
  w.code(15, 4).put(127, 7).code(15, 4).put(92, 7); // literals 15..255: 241 zeros
  length(15); // end-of-block
  for (let n = 1; n <= 15; n++) length(n); // distances 0..14
  length(15); // distance 15
  w.code(0x7fff, 15); // end-of-block: the last 15-bit code
}

function blocksOf(block: (w: BitWriter) => void, bytes: number): Uint8Array {
  const w = new BitWriter();
  while (w.length < bytes) block(w);
  const raw = done(w);
  return zlibWrap(raw, 1);
}

describe('a CompressedCertificate of tiny deflate blocks costs what its alphabets do', () => {
  it('refuses at its first block a stream of incomplete 15-bit codes (fflate spent 170-360 ms on 64 KiB of them)', () => {
    const bomb = blocksOf(sparseBlock, 65_000);
    expect(nodeVerdict(bomb)).toBe('refused');
    expect(() => portableZlib.decompress(bomb, 65_537)).toThrow(/incomplete literal\/length code/);
  });

  it('decodes 64 KiB of complete 15-bit codes into nothing, allocating per block no more than its alphabets', () => {
    const stream = blocksOf(denseBlock, 65_000);
    expect(new Uint8Array(inflateSync(stream))).toEqual(new Uint8Array(0));
    const blocks = Math.ceil(65_000 / 30);
    const Original = globalThis.Uint16Array;
    let elements = 0;
    globalThis.Uint16Array = class extends Original {
      constructor(length: number) {
        super(length);
        elements += length;
      }
    } as Uint16ArrayConstructor;
    try {
      expect(portableZlib.decompress(stream, 65_537)).toEqual(new Uint8Array(0));
    } finally {
      globalThis.Uint16Array = Original;
    }
    // Three codes a block (code lengths, literals, distances): their counts, offsets and symbols, ~420 elements.
    // fflate's inflater allocated 2 x 32,768 a block.
    expect(elements).toBeLessThan(blocks * 500);
  });
});
