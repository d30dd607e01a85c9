// zlib (RFC 1950) around deflate (RFC 1951), decoded into at most a given number of bytes, for the portable
// certificate decompressor (compression-codecs.ts). Canonical Huffman decoding, as zlib's contrib/puff does: a
// block costs the size of its alphabets (at most 19 + 286 + 30 code lengths) whatever its codes' lengths. fflate's
// inflater builds a table of 2^(longest code) entries per block: a 13-byte block declaring one 15-bit code cost two
// 64 KiB tables, and 64 KiB of such blocks 170-360 ms of CPU for no output (red team, session 15).
//
// Incomplete codes are refused, except a single code of one bit (RFC 1951 §3.2.7 allows one distance code; zlib
// refuses the rest as we do). Any defect, truncation or a wrong Adler-32 throws an Error.

/** Output past `limit` is never written: decoding stops there (the caller compares the length it gets). */
class OutputFull extends Error {}

/** A canonical Huffman code (RFC 1951 §3.2.2): how many codes of each length, and the symbols in code order. */
interface Huffman {
  count: Uint16Array;
  symbol: Uint16Array;
}

const MAX_BITS = 15;
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order code length code lengths are sent in (§3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * The code whose lengths are `lengths`; `missing` is what the lengths leave of the code space (0: complete,
 * negative: over-subscribed, which is never decodable).
 */
function huffman(lengths: ArrayLike<number>): { code: Huffman; missing: number } {
  const count = new Uint16Array(MAX_BITS + 1);
  for (let s = 0; s < lengths.length; s++) count[lengths[s]!]!++;
  let missing = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    missing = missing * 2 - count[len]!;
    if (missing < 0) return { code: { count, symbol: new Uint16Array(0) }, missing };
  }
  const offsets = new Uint16Array(MAX_BITS + 2);
  for (let len = 1; len <= MAX_BITS; len++) offsets[len + 1] = offsets[len]! + count[len]!;
  const symbol = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) if (lengths[s] !== 0) symbol[offsets[lengths[s]!]!++] = s;
  return { code: { count, symbol }, missing: count[0] === lengths.length ? 0 : missing };
}

/** A usable code: complete, or a single code of one bit (zlib's rule); for the literal/length code, with end-of-block. */
function usable(lengths: ArrayLike<number>, what: string): Huffman {
  const { code, missing } = huffman(lengths);
  if (missing < 0) throw new Error(`over-subscribed ${what} code`);
  if (missing > 0 && lengths.length !== code.count[0]! + code.count[1]!) throw new Error(`incomplete ${what} code`);
  return code;
}

const fixedCodes = (() => {
  const lengths = new Uint8Array(288 + 30);
  lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288).fill(5, 288);
  return { literals: huffman(lengths.subarray(0, 288)).code, distances: huffman(lengths.subarray(288)).code };
})();

class Inflater {
  private at = 0;
  private bitBuffer = 0;
  private bitCount = 0;
  readonly out: Uint8Array;
  written = 0;

  constructor(
    private readonly data: Uint8Array,
    limit: number,
  ) {
    this.out = new Uint8Array(limit);
  }

  bits(need: number): number {
    let value = this.bitBuffer;
    while (this.bitCount < need) {
      if (this.at >= this.data.length) throw new Error('truncated deflate stream');
      value |= this.data[this.at++]! << this.bitCount;
      this.bitCount += 8;
    }
    this.bitBuffer = value >>> need;
    this.bitCount -= need;
    return value & ((1 << need) - 1);
  }

  /** The rest of the input from the next byte boundary. */
  alignedRest(): Uint8Array {
    this.bitBuffer = 0;
    this.bitCount = 0;
    return this.data.subarray(this.at);
  }

  private put(byte: number): void {
    if (this.written === this.out.length) throw new OutputFull();
    this.out[this.written++] = byte;
  }

  /** A stored block (§3.2.4): LEN, its one's complement, LEN bytes. */
  stored(): void {
    const rest = this.alignedRest();
    if (rest.length < 4) throw new Error('truncated stored block');
    const length = rest[0]! | (rest[1]! << 8);
    if ((rest[2]! | (rest[3]! << 8)) !== (~length & 0xffff)) throw new Error('stored block length does not match its complement');
    if (rest.length < 4 + length) throw new Error('truncated stored block');
    for (let i = 0; i < length; i++) this.put(rest[4 + i]!);
    this.at += 4 + length;
  }

  /** One symbol, a bit at a time (§3.2.2: codes are packed most significant bit first). */
  private decode(code: Huffman): number {
    let value = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= MAX_BITS; len++) {
      value |= this.bits(1);
      const count = code.count[len]!;
      if (value - first < count) return code.symbol[index + value - first]!;
      index += count;
      first = (first + count) << 1;
      value <<= 1;
    }
    throw new Error('invalid Huffman code');
  }

  /** The symbols of a compressed block up to end-of-block (§3.2.5). */
  codes(literals: Huffman, distances: Huffman): void {
    for (;;) {
      let symbol = this.decode(literals);
      if (symbol < 256) this.put(symbol);
      else if (symbol === 256) return;
      else {
        symbol -= 257;
        if (symbol >= 29) throw new Error('invalid length symbol');
        const length = LENGTH_BASE[symbol]! + this.bits(LENGTH_EXTRA[symbol]!);
        const d = this.decode(distances);
        if (d >= 30) throw new Error('invalid distance symbol');
        const distance = DISTANCE_BASE[d]! + this.bits(DISTANCE_EXTRA[d]!);
        if (distance > this.written) throw new Error('distance too far back');
        for (let i = 0; i < length; i++) this.put(this.out[this.written - distance]!);
      }
    }
  }

  /** A block with dynamic codes (§3.2.7). */
  dynamic(): void {
    const literalCount = this.bits(5) + 257;
    const distanceCount = this.bits(5) + 1;
    const codeLengthCount = this.bits(4) + 4;
    if (literalCount > 286 || distanceCount > 30) throw new Error('too many length or distance symbols');
    const codeLengths = new Uint8Array(19);
    for (let i = 0; i < codeLengthCount; i++) codeLengths[CODE_LENGTH_ORDER[i]!] = this.bits(3);
    const { code: lengthCode, missing } = huffman(codeLengths);
    if (missing !== 0) throw new Error('incomplete or over-subscribed code length code');
    const lengths = new Uint8Array(literalCount + distanceCount);
    for (let index = 0; index < lengths.length; ) {
      const symbol = this.decode(lengthCode);
      if (symbol < 16) {
        lengths[index++] = symbol;
        continue;
      }
      if (symbol === 16 && index === 0) throw new Error('repeat with no previous length');
      const value = symbol === 16 ? lengths[index - 1]! : 0;
      const times = symbol === 16 ? 3 + this.bits(2) : symbol === 17 ? 3 + this.bits(3) : 11 + this.bits(7);
      if (index + times > lengths.length) throw new Error('too many code lengths');
      lengths.fill(value, index, index + times);
      index += times;
    }
    if (lengths[256] === 0) throw new Error('no end-of-block code');
    this.codes(usable(lengths.subarray(0, literalCount), 'literal/length'), usable(lengths.subarray(literalCount), 'distance'));
  }
}

/** Adler-32 (RFC 1950 §8.2). */
function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    // 5552 bytes at most between reductions keep b below 2^32 (zlib's NMAX).
    const end = Math.min(data.length, i + 5552);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return (b * 65536 + a) >>> 0;
}

/**
 * The zlib stream `data` decompressed into at most `limit` bytes: exactly `limit` when it would give more (the
 * rest is not decoded). Throws on a malformed, truncated or preset-dictionary stream, a wrong Adler-32, or bytes
 * after the stream.
 */
export function inflateZlib(data: Uint8Array, limit: number): Uint8Array {
  if (data.length < 2) throw new Error('truncated zlib header');
  const [cmf, flg] = [data[0]!, data[1]!];
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || (cmf * 256 + flg) % 31 !== 0) throw new Error('not a zlib deflate stream');
  if (flg & 0x20) throw new Error('zlib preset dictionary');
  const inflater = new Inflater(data.subarray(2), limit);
  try {
    let last: number;
    do {
      last = inflater.bits(1);
      const type = inflater.bits(2);
      if (type === 0) inflater.stored();
      else if (type === 1) inflater.codes(fixedCodes.literals, fixedCodes.distances);
      else if (type === 2) inflater.dynamic();
      else throw new Error('invalid deflate block type');
    } while (!last);
  } catch (e) {
    if (e instanceof OutputFull) return inflater.out;
    throw e;
  }
  const output = inflater.out.subarray(0, inflater.written);
  const trailer = inflater.alignedRest();
  if (trailer.length !== 4) throw new Error(trailer.length < 4 ? 'truncated Adler-32' : 'bytes after the zlib stream');
  if (((trailer[0]! << 24) | (trailer[1]! << 16) | (trailer[2]! << 8) | trailer[3]!) >>> 0 !== adler32(output)) throw new Error('Adler-32 mismatch');
  return output;
}
