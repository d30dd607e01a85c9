// A FIFO of byte chunks: the buffer under both record framing and handshake reassembly. Pushing keeps
// the caller's chunk (no copy); taking returns a view when the bytes lie in one chunk, and copies once
// otherwise, so input delivered one byte at a time costs linear, not quadratic, work.

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  /** Index of the first live chunk in `chunks`, and bytes of it already taken. */
  private head = 0;
  private headOffset = 0;
  private size = 0;
  /** Chunks pushed since the last own(): only these can be views of the caller's current input. */
  private pushedSinceOwn = 0;

  /** Bytes queued. */
  get length(): number {
    return this.size;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
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
   * Copies what is still queued of `input` (chunks that are views of its memory): the caller may write its
   * buffer again once receive() returns. Chunks kept from earlier calls are copies already: only the ones
   * pushed since are looked at, so input one byte at a time costs linear work.
   */
  own(input: Uint8Array): void {
    const from = Math.max(this.head, this.chunks.length - this.pushedSinceOwn);
    this.pushedSinceOwn = 0;
    for (let i = from; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      if (chunk.buffer !== input.buffer) continue;
      const offset = i === this.head ? this.headOffset : 0;
      // new Uint8Array(view) copies (a Buffer's slice() would not).
      this.chunks[i] = new Uint8Array(chunk.subarray(offset));
      if (i === this.head) this.headOffset = 0;
    }
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
      this.chunks = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
