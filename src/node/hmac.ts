// HMAC (RFC 2104 §2) from two one-shot hashes, for the node provider's HMAC and HKDF: 42 HMACs per TLS 1.3
// handshake. One `createHmac(...).update(...).digest()` makes an Hmac object, its native state, a digest Buffer
// and our Uint8Array view of it; here both hashes read one reused buffer and hand their digest back as a
// latin1 ('binary') string, and the result is one array of its own: 659 -> 319 bytes of garbage and
// 2.8-4.1 -> 0.95-1.2 µs per call on Node 20 (docs/performance-garbage-notes.md, "Fourth pass").
//
// The reused buffer holds the padded key, so it is zeroed after every call: between calls it holds nothing.
// The digest strings cannot be zeroed; like the digest Buffers they replace (never zeroed either), they are
// garbage from the moment the result is made.
import { hash as oneShotHash } from 'node:crypto';
import type { HashName } from '../crypto/provider.js';
import { bytesOfLatin1 } from './key-objects.js';

/** RFC 2104 §2: B, the hash's block length in bytes. */
const BLOCK_LENGTHS: Readonly<Record<HashName, number>> = { sha1: 64, sha256: 64, sha384: 128, sha512: 128 };
const DIGEST_LENGTHS: Readonly<Record<HashName, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };
/** RFC 2104 §2: ipad and opad, each byte repeated in a 32-bit word. */
const IPAD_WORD = 0x36363636;
const OPAD_WORD = 0x5c5c5c5c;
/** Enough for the key block and every HMAC input of a TLS 1.3 handshake but the largest FFDHE secrets. */
const INITIAL_LENGTH = 512;

/** The whole 32-bit words of a buffer that starts its own ArrayBuffer (a grown one may end mid-word). */
const wordsOf = (buffer: Uint8Array) => new Uint32Array(buffer.buffer, 0, buffer.length >> 2);

export class OneShotHmac {
  /** The inner input (K ^ ipad | data), then the outer one (K ^ opad | inner digest); all zeros between calls. */
  private buffer = new Uint8Array(INITIAL_LENGTH);
  /** The buffer as 32-bit words (it starts its ArrayBuffer): the pads are applied four bytes at a time. */
  private words = wordsOf(this.buffer);
  /** Views of the buffer's first n bytes, made once per length (a hash reads its whole input). */
  private prefixes: Uint8Array[] = [];

  /** All zeros between calls (for tests: no key material is left behind). */
  get scratch(): Uint8Array {
    return this.buffer;
  }

  /**
   * HMAC-hash(key, first | second | counter), `counter` a single byte when given (HKDF-Expand's block number,
   * RFC 5869 §2.3); the first `length` bytes of it. Written into `output` when given (exactly `length` bytes,
   * checked before anything is computed), else into a fresh array sharing memory with nothing.
   */
  compute(hash: HashName, key: Uint8Array, first: Uint8Array, second?: Uint8Array, counter?: number, length?: number, output?: Uint8Array): Uint8Array {
    // Checked before the buffer is touched: an unknown name would make every offset NaN, skip the zeroing and
    // leave the key behind (test/security/node-hmac-differential).
    if (!Object.hasOwn(BLOCK_LENGTHS, hash)) throw new TypeError(`HMAC: unknown hash ${String(hash)}`);
    const block = BLOCK_LENGTHS[hash];
    const digestLength = DIGEST_LENGTHS[hash];
    const resultLength = length === undefined ? digestLength : Math.min(length, digestLength);
    if (output !== undefined && output.length !== resultLength) throw new Error(`HMAC: output must be ${resultLength} bytes, got ${output.length}`);
    // Keys longer than the block are hashed first (RFC 2104 §2).
    const padKey = key.length > block ? bytesOfLatin1(oneShotHash(hash, key, 'binary')) : key;
    const innerLength = block + first.length + (second?.length ?? 0) + (counter === undefined ? 0 : 1);
    if (innerLength > this.buffer.length) this.grow(innerLength);
    const buffer = this.buffer;
    try {
      // K ^ ipad: K padded with zeros to the block (the buffer is all zeros between calls), every word xored with the pad.
      buffer.set(padKey);
      this.xorWords(block, IPAD_WORD);
      buffer.set(first, block);
      if (second !== undefined) buffer.set(second, block + first.length);
      if (counter !== undefined) buffer[innerLength - 1] = counter;
      const inner = oneShotHash(hash, this.prefix(innerLength), 'binary');
      // K ^ opad = (K ^ ipad) ^ (ipad ^ opad): the block still holds K ^ ipad (hashing only read it).
      this.xorWords(block, IPAD_WORD ^ OPAD_WORD);
      for (let i = 0; i < inner.length; i++) buffer[block + i] = inner.charCodeAt(i);
      const outer = oneShotHash(hash, this.prefix(block + inner.length), 'binary');
      if (output === undefined) return bytesOfLatin1(outer, resultLength);
      for (let i = 0; i < resultLength; i++) output[i] = outer.charCodeAt(i);
      return output;
    } finally {
      // The outer input is the block and a digest of at most 64 bytes.
      buffer.fill(0, 0, Math.max(innerLength, block + 64));
      if (padKey !== key) padKey.fill(0);
    }
  }

  /** Xors the first `block` bytes (a multiple of 4) with `pad` repeated: a byte pattern, so the words' byte order does not matter. */
  private xorWords(block: number, pad: number): void {
    const words = this.words;
    for (let i = 0; i < block >> 2; i++) words[i] ^= pad;
  }

  private prefix(length: number): Uint8Array {
    return (this.prefixes[length] ??= this.buffer.subarray(0, length));
  }

  private grow(length: number): void {
    this.buffer.fill(0);
    this.buffer = new Uint8Array(Math.max(length, 2 * this.buffer.length));
    this.words = wordsOf(this.buffer);
    this.prefixes = [];
  }
}
