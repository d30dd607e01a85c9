// Randomness for fuzzing, all of it reproducible: a small seeded generator that makes new inputs, and a
// reader that turns an input's bytes into the decisions of one run (so a saved input replays exactly,
// and a shorter input is a simpler case: missing bytes read as zero). Core-safe: no node imports.
import type { RandomSource } from '../../crypto/provider.js';

/** xorshift128+ on 32-bit lanes: fast and deterministic; not for secrets. */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    this.s0 = seed | 0 || 1;
    this.s1 = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) | 1;
    this.s2 = 0x6c078965;
    this.s3 = Math.imul(seed, 0xc2b2ae35) ^ 0x27d4eb2f;
    for (let i = 0; i < 8; i++) this.u32();
  }

  u32(): number {
    let t = this.s3;
    const s = this.s0;
    this.s3 = this.s2;
    this.s2 = this.s1;
    this.s1 = s;
    t ^= t << 11;
    t ^= t >>> 8;
    this.s0 = t ^ s ^ (s >>> 19);
    return this.s0 >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

/** A RandomSource from a seeded Prng: cheap stand-in for seededRandom() inside fuzz targets. */
export function fastRandom(seed: number): RandomSource {
  const prng = new Prng(seed);
  return (length) => prng.bytes(length);
}

/** Reads the decisions of one fuzz run from its input bytes; past the end every read is zero. */
export class Choices {
  private at = 0;

  constructor(readonly input: Uint8Array) {}

  u8(): number {
    return this.input[this.at++] ?? 0;
  }

  u16(): number {
    return (this.u8() << 8) | this.u8();
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : (n <= 256 ? this.u8() : this.u16()) % n;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Choices.pick: no items');
    return items[this.below(items.length)]!;
  }
}
