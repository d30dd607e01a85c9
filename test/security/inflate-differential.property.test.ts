// Differential fuzzing of the portable zlib decoder (src/handshake/inflate.ts) against node:zlib, on streams an
// attacker writes by hand rather than any compressor's output: random sequences of stored blocks (LEN/NLEN right
// or wrong), fixed blocks and dynamic blocks whose codes are complete, over-subscribed or incomplete, with
// literals, lengths up to 258 (code 285, and 284 with its largest extra), distances up to 32,768 and past the
// output so far, headers with FDICT, another method or window, a flipped Adler-32, trailing bytes. The verdict
// must be node:zlib's: the same bytes, or a refusal (an Error, never another exception); under a limit, exactly
// the first `limit` bytes of what node:zlib gives.
import { inflateRawSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inflateZlib } from '../../src/handshake/inflate.js';
import { equalBytes } from '../../src/wire/bytes.js';
import { BitWriter } from '../handshake/deflate-bits.js';

/** Canonical codes of `lengths` (RFC 1951 §3.2.2), whatever their defects: a symbol of length 0 has none. */
function canonical(lengths: number[]): number[] {
  const count = new Array<number>(16).fill(0);
  for (const l of lengths) if (l) count[l]!++;
  const next = new Array<number>(16).fill(0);
  for (let bits = 1, code = 0; bits <= 15; bits++) {
    code = (code + count[bits - 1]!) << 1;
    next[bits] = code;
  }
  return lengths.map((l) => (l ? next[l]!++ : 0));
}

/** Complete code lengths for `n` >= 2 leaves by splitting random leaves, none longer than `max`. */
function completeLengths(n: number, max: number, pick: () => number): number[] {
  const lengths = [1, 1];
  while (lengths.length < n) {
    const splittable = lengths.map((l, i) => [l, i] as const).filter(([l]) => l < max);
    if (splittable.length === 0) break;
    const [l, i] = splittable[pick() % splittable.length]!;
    lengths.splice(i, 1, l + 1, l + 1);
  }
  return lengths;
}

const FIXED = { literal: [...new Array(144).fill(8), ...new Array(112).fill(9), ...new Array(24).fill(7), ...new Array(8).fill(8)], distance: new Array(32).fill(5) };
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Code lengths as code length symbols with repeats (RFC 1951 §3.2.7): [symbol, extra bits, their value]. */
function runLengths(lengths: number[]): (readonly [number, number, number])[] {
  const ops: (readonly [number, number, number])[] = [];
  for (let i = 0; i < lengths.length; ) {
    let run = 1;
    while (i + run < lengths.length && lengths[i + run] === lengths[i]) run++;
    const l = lengths[i]!;
    if (l === 0 && run >= 11) ops.push([18, 7, Math.min(run, 138) - 11]), (run = Math.min(run, 138));
    else if (l === 0 && run >= 3) ops.push([17, 3, Math.min(run, 10) - 3]), (run = Math.min(run, 10));
    else if (l !== 0 && run >= 4) ops.push([l, 0, 0], [16, 2, Math.min(run - 1, 6) - 3]), (run = Math.min(run - 1, 6) + 1);
    else ops.push([l, 0, 0]), (run = 1);
    i += run;
  }
  return ops;
}

/**
 * A raw deflate stream as random words (`r`) direct it, and the output its writer meant (a distance past the
 * output so far copies zeros): the Adler-32 of that, so that a decoder that let a defect through would see a
 * right checksum, and only its verdict on the defect could refuse the stream.
 */
function writeStream(r: () => number): { raw: Uint8Array; meant: Uint8Array } {
  const w = new BitWriter();
  const out: number[] = [];
  const blocks = 1 + (r() % 4);
  const symbols = (literal: number[], distance: number[]) => {
    const [lc, dc] = [canonical(literal), canonical(distance)];
    const usable = (lengths: number[], from: number, to: number) => lengths.map((l, s) => [l, s] as const).filter(([l, s]) => l && s >= from && s < to).map(([, s]) => s);
    const [literals, lengthSymbols, distances] = [usable(literal, 0, 256), usable(literal, 257, 288), usable(distance, 0, 32)];
    for (let n = r() % 40; n > 0; n--) {
      if (lengthSymbols.length && distances.length && out.length > 0 && r() % 3 === 0) {
        // Length symbols 286 and 287 (the fixed code has them, no length) one in sixteen.
        const sound = lengthSymbols.filter((l) => l < 286);
        const ls = r() % 16 === 0 || sound.length === 0 ? lengthSymbols[r() % lengthSymbols.length]! : sound[r() % sound.length]!;
        w.code(lc[ls]!, literal[ls]!);
        const li = ls - 257;
        const extra = li < 29 ? LENGTH_EXTRA[li]! : 0;
        const lengthExtra = r() % 2 ? (1 << extra) - 1 : r() % (1 << extra); // 284 + 31 is 258
        w.put(lengthExtra, extra);
        // Mostly a distance within the output so far; one in twenty anything the code has (past it, or 30 and 31).
        const wild = r() % 20 === 0;
        const within = distances.filter((d) => d < 30 && DISTANCE_BASE[d]! <= out.length);
        const invalid = distances.filter((d) => d >= 30);
        const ds = wild && invalid.length && r() % 2 ? invalid[r() % invalid.length]! : wild || within.length === 0 ? distances[r() % distances.length]! : within[r() % within.length]!;
        w.code(dc[ds]!, distance[ds]!);
        const dextra = ds < 30 ? DISTANCE_EXTRA[ds]! : 0;
        const dvalue = wild || ds >= 30 ? r() % (1 << dextra) : r() % Math.min(1 << dextra, out.length - DISTANCE_BASE[ds]! + 1);
        w.put(dvalue, dextra);
        if (li >= 29 || ds >= 30) continue;
        const distanceValue = DISTANCE_BASE[ds]! + dvalue;
        for (let i = 0; i < LENGTH_BASE[li]! + lengthExtra; i++) out.push(out[out.length - distanceValue] ?? 0);
      } else if (literals.length) {
        const s = literals[r() % literals.length]!;
        w.code(lc[s]!, literal[s]!);
        out.push(s);
      }
    }
    if (literal[256]) w.code(lc[256]!, literal[256]!);
  };
  for (let b = 0; b < blocks; b++) {
    w.put(b === blocks - 1 ? 1 : 0, 1);
    const kind = r() % 10;
    if (kind < 2) {
      w.put(0, 2);
      w.align();
      const length = r() % 300;
      const nlen = r() % 12 === 0 ? (~length + 1) & 0xffff : ~length & 0xffff;
      w.put(length, 16);
      w.put(nlen, 16);
      for (let i = 0; i < length; i++) {
        const byte = r() & 0xff;
        w.put(byte, 8);
        out.push(byte);
      }
    } else if (kind < 5) {
      w.put(1, 2);
      symbols(FIXED.literal, FIXED.distance);
    } else {
      w.put(2, 2);
      const literalCount = 257 + (r() % 30);
      const distanceCount = 1 + (r() % 30);
      // Literal/length code: end-of-block and random other symbols, complete unless perturbed.
      const lits = [256, ...Array.from({ length: 1 + (r() % 60) }, () => r() % literalCount)].filter((s, i, all) => all.indexOf(s) === i);
      const literal = new Array<number>(literalCount).fill(0);
      const litLengths = lits.length === 1 ? [1] : completeLengths(lits.length, 15, r);
      lits.forEach((s, i) => (literal[s] = litLengths[i] ?? 0));
      const dists = Array.from({ length: 1 + (r() % 8) }, () => r() % distanceCount).filter((s, i, all) => all.indexOf(s) === i);
      const distance = new Array<number>(distanceCount).fill(0);
      const distLengths = dists.length === 1 ? [1] : completeLengths(dists.length, 15, r);
      dists.forEach((s, i) => (distance[s] = distLengths[i] ?? 0));
      const perturb = r() % 12;
      if (perturb === 0) literal[lits[r() % lits.length]!] = Math.max(1, literal[lits[0]!]! - 1); // over-subscribed (or the same)
      if (perturb === 1) distance[dists[0]!] = Math.min(15, distance[dists[0]!]! + 1); // incomplete
      const all = [...literal, ...distance];
      // The lengths as code length symbols: plain, or with repeats (16: the previous, 17 and 18: zeros), the last
      // one too long or a 16 first when perturbed.
      const ops = r() % 2 ? runLengths(all) : all.map((l) => [l, 0, 0] as const);
      if (perturb === 3) ops[ops.length - 1] = [18, 7, 127]; // 138 zeros from the last length on: past the end
      if (perturb === 4) ops.unshift([16, 2, 0]);
      // Code length code over the symbols used, complete unless perturbed.
      const used = [...new Set(ops.map(([symbol]) => symbol))];
      const clLengths = used.length === 1 ? [1, 1] : completeLengths(used.length, 7, r);
      const cl = new Array<number>(19).fill(0);
      used.forEach((s, i) => (cl[s] = clLengths[i]!));
      if (used.length === 1) cl[used[0] === 0 ? 1 : 0] = 1;
      if (perturb === 2) cl[used[0]!] = cl[used[0]!]! + 1; // incomplete code length code
      const clCodes = canonical(cl);
      let codeLengthCount = 19;
      while (codeLengthCount > 4 && cl[ORDER[codeLengthCount - 1]!] === 0) codeLengthCount--;
      w.put(literalCount - 257, 5);
      w.put(distanceCount - 1, 5);
      w.put(codeLengthCount - 4, 4);
      for (let i = 0; i < codeLengthCount; i++) w.put(cl[ORDER[i]!]!, 3);
      for (const [symbol, extra, value] of ops) {
        w.code(clCodes[symbol]!, cl[symbol]!);
        w.put(value, extra);
      }
      symbols(literal, distance);
    }
  }
  return { raw: Uint8Array.from(w.bytes), meant: Uint8Array.from(out) };
}

function adler32(data: Uint8Array): number {
  let [a, b] = [1, 0];
  for (const byte of data) [a, b] = [(a + byte) % 65521, (b + a + byte) % 65521];
  return ((b << 16) | a) >>> 0;
}

type Verdict = Uint8Array | 'refused';
function nodeVerdict(stream: Uint8Array): Verdict {
  try {
    return new Uint8Array(inflateSync(stream));
  } catch {
    return 'refused';
  }
}
function rawVerdict(raw: Uint8Array): Uint8Array | undefined {
  try {
    return new Uint8Array(inflateRawSync(raw));
  } catch {
    return undefined;
  }
}
function ourVerdict(stream: Uint8Array, limit: number): Verdict {
  try {
    return inflateZlib(stream, limit);
  } catch (e) {
    // A refusal is an Error of our own, never a RangeError or TypeError out of a wrong index.
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(RangeError);
    expect(e).not.toBeInstanceOf(TypeError);
    reasons[(e as Error).message] = (reasons[(e as Error).message] ?? 0) + 1;
    return 'refused';
  }
}
const reasons: Record<string, number> = {};

const seeds = fc.array(fc.integer({ min: 0, max: 0x7fffffff }), { minLength: 64, maxLength: 64 });
const random = (words: number[]) => {
  let i = 0;
  let state = words[0]! | 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) ^ words[i++ % words.length]!) >>> 0;
  };
};

/** `sound` as it is (half the time), a bit flipped, cut short, bytes after it, or another zlib header. */
function corrupt(sound: Uint8Array, choice: number, at: number): [Uint8Array, string] {
  const kind = choice % 10;
  if (kind < 5) return [sound, 'none'];
  if (kind === 5) {
    const flipped = sound.slice();
    flipped[at % flipped.length]! ^= 1 << (choice >>> 8) % 8;
    return [flipped, 'flip'];
  }
  if (kind === 6) return [sound.subarray(0, at % sound.length), 'truncated'];
  if (kind === 7) return [Uint8Array.from([...sound, ...Array.from({ length: 1 + (at % 3) }, (_, i) => (at >>> (8 * i)) & 0xff)]), 'trailing'];
  // CMF: method 8 or another, CINFO 0-8; FLG: FDICT or not, a right or wrong FCHECK.
  const cmf = (((choice >>> 8) % 9) << 4) | ((choice >>> 12) % 4 === 0 ? 7 : 8);
  const fdict = (choice >>> 16) % 4 === 0 ? 0x20 : 0;
  const fcheck = (31 - ((cmf * 256 + fdict) % 31)) % 31;
  const flg = fdict | ((choice >>> 20) % 5 === 0 ? (fcheck + 1) % 31 : fcheck);
  return [Uint8Array.from([cmf, flg, ...sound.subarray(2)]), 'header'];
}

function reasonOf(stream: Uint8Array): string | undefined {
  try {
    inflateZlib(stream, 1 << 20);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('inflateZlib and node:zlib on hand-written deflate streams', () => {
  it('the same bytes or both refuse, for random block sequences (stored, fixed, dynamic; sound and defective)', () => {
    const tally = { agreedBytes: 0, agreedRefusal: 0 };
    fc.assert(
      fc.property(seeds, (words) => {
        const { raw, meant } = writeStream(random(words));
        const sum = adler32(meant);
        // Where node:zlib decodes the raw stream, it decodes what the writer meant.
        const decoded = rawVerdict(raw);
        if (decoded) expect(equalBytes(decoded, meant)).toBe(true);
        const sound = Uint8Array.from([0x78, 0x9c, ...raw, sum >>> 24, (sum >>> 16) & 0xff, (sum >>> 8) & 0xff, sum & 0xff]);
        const [stream, change] = corrupt(sound, words[2]!, words[3]!);
        const [theirs, ours] = [nodeVerdict(stream), ourVerdict(stream, 1 << 20)];
        // node:zlib reads no further than the stream's end; we refuse bytes after it (RFC 8879 compresses one stream).
        if (change === 'trailing' && theirs !== 'refused') {
          expect(ours).toBe('refused');
          expect(reasonOf(stream)).toBe('bytes after the zlib stream');
          return;
        }
        if (theirs === 'refused' || ours === 'refused') expect(ours).toBe(theirs);
        else expect(equalBytes(ours, theirs)).toBe(true);
        if (theirs === 'refused') tally.agreedRefusal++;
        else {
          tally.agreedBytes++;
          // Under a limit: exactly the first `limit` bytes, or all of them.
          const limit = words[1]! % (theirs.length + 2);
          const cut = ourVerdict(stream, limit);
          expect(cut).not.toBe('refused');
          expect(equalBytes(cut as Uint8Array, theirs.subarray(0, limit))).toBe(true);
        }
      }),
      { numRuns: 3000, seed: 0x1f1a7e },
    );
    // Both verdicts are drawn often: the generator writes sound streams and defective ones.
    expect(tally.agreedBytes).toBeGreaterThan(300);
    expect(tally.agreedRefusal).toBeGreaterThan(300);
    // And every defect of the list above, each refused as node:zlib refuses it.
    for (const defect of ['distance too far back', 'invalid Huffman code', 'invalid length symbol', 'stored block length does not match its complement', 'over-subscribed literal/length code', 'incomplete distance code', 'incomplete or over-subscribed code length code', 'repeat with no previous length', 'too many code lengths', 'Adler-32 mismatch', 'zlib preset dictionary', 'not a zlib deflate stream', 'bytes after the zlib stream', 'truncated deflate stream']) {
      expect(reasons[defect] ?? 0, defect).toBeGreaterThan(0);
    }
  });
});
