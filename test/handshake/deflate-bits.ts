// A deflate bit writer for hand-written streams (test/handshake/inflate, test/security/inflate-differential).

/** Writes deflate bits, least significant first; Huffman codes most significant bit first (RFC 1951 §3.1.1). */
export class BitWriter {
  readonly bytes: number[] = [];
  private bit = 0;

  /** `count` bits of `value`, least significant first. */
  put(value: number, count: number): this {
    for (let i = 0; i < count; i++) {
      if (this.bit === 0) this.bytes.push(0);
      this.bytes[this.bytes.length - 1]! |= ((value >> i) & 1) << this.bit;
      this.bit = (this.bit + 1) % 8;
    }
    return this;
  }

  /** A Huffman code, most significant bit first. */
  code(value: number, length: number): this {
    for (let i = length - 1; i >= 0; i--) this.put((value >> i) & 1, 1);
    return this;
  }

  /** To the next byte boundary, as a stored block's LEN does (RFC 1951 §3.2.4). */
  align(): this {
    this.bit = 0;
    return this;
  }

  get length(): number {
    return this.bytes.length;
  }
}
