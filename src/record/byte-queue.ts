// A FIFO of byte chunks: the buffer under both record framing and handshake reassembly. Pushing keeps
// the caller's chunk (no copy); taking returns a view when the bytes lie in one chunk, and copies once
// otherwise, so input delivered one byte at a time costs linear, not quadratic, work. What stays queued
// past a receive() is copied into memory of the queue's own, small pieces packed together, so that a peer
// sending one-byte records (or one byte at a time) holds about one byte of memory per byte it sent, not a
// buffer and a view object each (~220 bytes: a fragmented 128 KiB ClientHello held 29 MB).

/** A kept chunk shorter than this is packed into a shared block; a longer one gets a buffer of its own. */
const SMALL_CHUNK = 512;
/** The size of a block that small chunks are packed into. */
const BLOCK_LENGTH = 4096;

/**
 * The chunk list of every empty queue: no array is made for a queue until it holds bytes, and none is left behind
 * each time it empties (a handshake empties its four queues about eight times). Frozen: push() replaces it and
 * nothing else writes to it, and a write that did would throw rather than reach every other queue.
 */
const NO_CHUNKS = Object.freeze([]) as unknown as Uint8Array[];

export class ByteQueue {
  private chunks: Uint8Array[] = NO_CHUNKS;
  /** Index of the first live chunk in `chunks`, and bytes of it already taken. */
  private head = 0;
  private headOffset = 0;
  private size = 0;
  /** Chunks pushed since the last own(): only these can be views of the caller's current input. */
  private pushedSinceOwn = 0;
  /** The block small chunks are being packed into, and how much of it is used. */
  private block?: Uint8Array;
  private blockUsed = 0;

  /** Bytes queued. */
  get length(): number {
    return this.size;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.chunks === NO_CHUNKS) this.chunks = [bytes];
    else this.chunks.push(bytes);
    this.pushedSinceOwn++;
    this.size += bytes.length;
  }

  /** The byte at `index` (< length) from the front, left in the queue: headers are read without a view. */
  byteAt(index: number): number {
    if (index >= this.size) throw new Error(`ByteQueue: byte ${index} requested, ${this.size} queued`);
    let offset = this.headOffset + index;
    let chunk = this.head;
    while (offset >= this.chunks[chunk]!.length) offset -= this.chunks[chunk++]!.length;
    return this.chunks[chunk]![offset]!;
  }

  /**
   * Makes what is still queued its own: chunks that are views of `input` (the caller may write its buffer
   * again once receive() returns), and chunks that are small or pin a much larger buffer (a record's
   * content after its padding, RFC 8446 §5.4). Small ones are packed into a shared block, next to the
   * chunk before them when that one ends where the block is filled. Chunks kept from earlier calls are
   * the queue's own already: only the ones pushed since are looked at, so input one byte at a time costs
   * linear work.
   */
  own(input: Uint8Array): void {
    const from = Math.max(this.head, this.chunks.length - this.pushedSinceOwn);
    this.pushedSinceOwn = 0;
    if (from === this.chunks.length) return;
    let kept = from;
    for (let i = from; i < this.chunks.length; i++) {
      const offset = i === this.head ? this.headOffset : 0;
      if (i === this.head) this.headOffset = 0;
      const chunk = this.chunks[i]!.subarray(offset);
      const pins = chunk.buffer === input.buffer || chunk.buffer.byteLength > 2 * chunk.length;
      if (chunk.length >= SMALL_CHUNK) {
        // new Uint8Array(view) copies (a Buffer's slice() would not).
        this.chunks[kept++] = pins ? new Uint8Array(chunk) : chunk;
        continue;
      }
      const packed = this.pack(chunk);
      const before = kept > this.head ? this.chunks[kept - 1]! : undefined;
      if (before?.buffer === packed.buffer && before.byteOffset + before.length === packed.byteOffset) {
        this.chunks[kept - 1] = new Uint8Array(packed.buffer, before.byteOffset, before.length + packed.length);
      } else {
        this.chunks[kept++] = packed;
      }
    }
    this.chunks.length = kept;
  }

  /** A copy of `bytes` (shorter than SMALL_CHUNK) in the current block, a new one when it is full. */
  private pack(bytes: Uint8Array): Uint8Array {
    if (!this.block || this.blockUsed + bytes.length > this.block.length) {
      this.block = new Uint8Array(BLOCK_LENGTH);
      this.blockUsed = 0;
    }
    const start = this.blockUsed;
    this.block.set(bytes, start);
    this.blockUsed += bytes.length;
    return this.block.subarray(start, this.blockUsed);
  }

  /** Removes and returns the first n bytes (n <= length). */
  take(n: number): Uint8Array {
    if (n > this.size) throw new Error(`ByteQueue: ${n} bytes requested, ${this.size} queued`);
    let index = this.head;
    let offset = this.headOffset;
    let out: Uint8Array;
    const first = this.chunks[index];
    if (first !== undefined && first.length - offset >= n) {
      out = first.subarray(offset, offset + n);
      offset += n;
    } else {
      out = new Uint8Array(n);
      for (let filled = 0; filled < n; ) {
        const chunk = this.chunks[index]!;
        const count = Math.min(chunk.length - offset, n - filled);
        out.set(chunk.subarray(offset, offset + count), filled);
        filled += count;
        offset += count;
        if (offset === chunk.length) {
          index++;
          offset = 0;
        }
      }
    }
    if (offset === this.chunks[index]?.length) {
      index++;
      offset = 0;
    }
    this.head = index;
    this.headOffset = offset;
    this.size -= n;
    this.compact();
    return out;
  }

  /** Drops spent chunk references once they are the larger part of the array. */
  private compact(): void {
    if (this.head === this.chunks.length) {
      this.chunks = NO_CHUNKS;
      this.head = 0;
      this.block = undefined; // what was taken keeps its views; an idle queue holds no block
    } else if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
