import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixedRandom, ownedDraws, seededRandom, systemRandom } from '../../src/crypto/random.js';
import { concat, fromHex, hex } from '../../src/wire/bytes.js';

/** The ChaCha20 keystream under SHA-256(seed), nonce zero, counter 0, computed by node:crypto. */
function nodeKeystream(seed: string, length: number): string {
  const key = createHash('sha256').update(seed, 'utf8').digest();
  const iv = Buffer.alloc(16); // node's chacha20 IV: 32-bit little-endian counter || 96-bit nonce
  return createCipheriv('chacha20', key, iv).update(Buffer.alloc(length)).toString('hex');
}

describe('seededRandom', () => {
  it('gives the same bytes for the same seed', () => {
    const a = seededRandom('replay 1');
    const b = seededRandom('replay 1');
    expect(hex(a(40))).toBe(hex(b(40)));
    expect(hex(a(7))).toBe(hex(b(7)));
  });

  it('gives different bytes for different seeds', () => {
    expect(hex(seededRandom('replay 1')(32))).not.toBe(hex(seededRandom('replay 2')(32)));
    expect(hex(seededRandom(Uint8Array.of(1))(32))).not.toBe(hex(seededRandom(Uint8Array.of(2))(32)));
  });

  it('treats a string seed as its UTF-8 bytes', () => {
    expect(hex(seededRandom('seed')(32))).toBe(hex(seededRandom(new TextEncoder().encode('seed'))(32)));
  });

  it('is the ChaCha20 keystream under SHA-256(seed), however the reads are split', () => {
    const random = seededRandom('keystream check');
    const reads = [10, 54, 0, 1, 64, 130].map((length) => random(length));
    expect(reads.map((r) => r.length)).toEqual([10, 54, 0, 1, 64, 130]);
    expect(hex(concat(...reads))).toBe(nodeKeystream('keystream check', 259));
  });
});

describe('fixedRandom', () => {
  const first = fromHex('000102');
  const second = fromHex('a0a1a2a3');

  it('hands out the chunks in order', () => {
    const random = fixedRandom(first, second);
    expect(hex(random(3))).toBe('000102');
    expect(hex(random(4))).toBe('a0a1a2a3');
  });

  it('throws, naming both lengths, when a request does not match the next chunk', () => {
    const random = fixedRandom(first, second);
    expect(() => random(4)).toThrow(/asked for 4 bytes, but chunk 0 has 3 bytes/);
  });

  it('throws when every chunk is used', () => {
    const random = fixedRandom(first);
    random(3);
    expect(() => random(3)).toThrow(/all 1 chunks are used/);
  });

  it('hands out copies, so callers cannot change the chunks it holds', () => {
    const chunk = fromHex('0102');
    const random = fixedRandom(chunk, chunk);
    random(2).fill(0);
    expect(hex(random(2))).toBe('0102');
  });
});

describe('systemRandom', () => {
  it('returns the requested number of bytes, different each time', () => {
    const a = systemRandom(32);
    expect(a.length).toBe(32);
    expect(hex(a)).not.toBe(hex(systemRandom(32)));
  });

  it('hands out every byte of its pool once: no two draws repeat, across many refills', () => {
    const draws = Array.from({ length: 1000 }, (_, i) => systemRandom(1 + (i % 64)));
    expect(draws.map((d) => d.length)).toEqual(Array.from({ length: 1000 }, (_, i) => 1 + (i % 64)));
    const long = draws.filter((d) => d.length >= 16).map(hex);
    expect(new Set(long).size).toBe(long.length);
  });

  it('gives each draw its own bytes, not a view of the pool (which is zeroed as it goes and refilled)', () => {
    const draw = systemRandom(32);
    const drawn = hex(draw);
    expect(drawn).not.toBe('00'.repeat(32));
    for (let i = 0; i < 200; i++) systemRandom(32);
    expect(hex(draw)).toBe(drawn);
    expect(systemRandom(1000).length).toBe(1000);
  });

  it('is its own ownedDraws: every draw already an array of its own, whole, which no later draw changes', () => {
    const owned = ownedDraws(systemRandom);
    const draws = Array.from({ length: 300 }, () => owned(32));
    const seen = draws.map(hex);
    for (const d of draws) {
      // Not a view of the pool or of another draw: the whole of its own buffer.
      expect([d.byteOffset, d.buffer.byteLength]).toEqual([0, 32]);
    }
    for (let i = 0; i < 200; i++) owned(32).fill(0xff);
    expect(draws.map(hex)).toEqual(seen);
  });
});
